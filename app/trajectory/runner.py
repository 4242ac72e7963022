"""The batched runner: K runs of one optimizer on one 2D function, stepped together.

A :class:`Batch` holds K rows (runs or sweep cells). Each row has its own start point and its own
hyper-parameters; every row takes the same steps t = 1, 2, ... with the optimizer's one update rule
(``app.optim.rules``), and a row that diverges stops at that step while the others go on. The
same object serves a comparison (K = 1 per run, on Python floats) and a sweep (K = thousands of
configurations or start points, on the compiled loop or a numpy stack).

API::

    batch = Batch(spec, objective, starts, hyperparams, impl="book", seed=0, record=True)
    block = batch.start()          # t = 0: the start points and f there (rows with a bad start stop)
    block = batch.advance(n)       # the next n steps of every live row
    batch.diverged_at              # K ints: the step of the first bad point, -1 while fine
    batch.x, batch.value           # K×2 and K: each row's last good point and f there
    batch.t                        # steps taken

- ``starts``: K×2 (array-like, float64). ``hyperparams``: name → one float for every row or K
  floats (a column), complete (``spec.resolve`` applied by the caller), e.g. for a 128×128 (η, γ)
  sweep ``{"eta": etas.ravel(), "gamma": gammas.ravel(), "eps": 1e-6}``.
- ``seed`` seeds SGD's gradient noise (rows with ``noise`` > 0): every row draws what it would draw
  alone with that seed, so a cell equals its configuration run alone.
- A :class:`Block` is per row and C-contiguous: ``points[r, :kept[r]]`` are row r's points
  x_first … (``first`` = 1 + the steps before), with ``values``, ``lr`` (the rate that produced each
  point, per coordinate) and ``state`` (name → K×n×2) alike; ``kept[r]`` < n where the row diverged
  (or had already stopped).
- ``record=False`` (a sweep's batch) keeps no series: its blocks carry only ``kept``; read each
  row's end from ``x``, ``value`` and ``diverged_at``, and from ``reached`` the first step t with
  f(x_t) − f* ≤ tol when ``tolerance=(f*, tol)`` is given (−1 while not; the start counts as t = 0).
- ``impl="torch"`` steps the rows through ``torch.optim`` (one optimizer, a parameter group per
  row): the same numbers as ``torch.optim`` on each row alone, at ≈ 40 µs per row and step.
- Divergence: an iterate beyond ±1e6 or a non-finite iterate, value, rate or state.
- Kernels (``bench/bench_kernels.py``): with ``record=True``, below STACK_FROM_ROWS rows each row on
  Python floats (≈ 1 µs per row-step), from it on a numpy stack in tiles of 1,024 rows. With
  ``record=False`` on a built-in function, the compiled loop of ``app.trajectory.compiled``
  (≈ 1.5–3 ns per row-step), else (a custom expression) the numpy stack. All of them round every
  operation alike, so a cell of a sweep equals the same configuration run alone, to the bit.
- Cost: ``advance`` allocates its block (K×n per series); chunks of 50–500 steps keep it small and
  let a caller check for cancellation between chunks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from app.optim.functions import Objective
from app.optim.ops import NUMPY
from app.optim.spec import OptimizerSpec
from app.trajectory.compiled import CompiledStack, supports
from app.trajectory.kernels import DIVERGENCE_LIMIT, FloatRows, Steps, TorchRows
from app.trajectory.noise import NoiseStream
from app.trajectory.stack import ArrayStack

# Below this many rows a batch steps each row on Python floats; from it on, one numpy stack
# (bench/bench_kernels.py measures where the two cross).
STACK_FROM_ROWS = 24

HyperColumns = Mapping[str, float | Sequence[float] | np.ndarray]


@dataclass
class Block:
    first: int  # t of the first point in this block (0: the start)
    points: np.ndarray  # K×n×2
    values: np.ndarray  # K×n
    lr: np.ndarray  # K×n×2 (n = 0 for the start: it has no rate)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # name → K×n×2
    kept: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # K: valid steps per row


def per_row(hyperparams: HyperColumns, k: int) -> list[dict[str, float]]:
    """K complete mappings from one mapping of floats and K-long columns."""
    columns = {
        name: np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1), (k,)) for name, v in hyperparams.items()
    }
    return [{name: float(col[r]) for name, col in columns.items()} for r in range(k)]


def runs_compiled(objective: Objective, impl: str) -> bool:
    """Whether a ``record=False`` batch of ``objective`` runs on the compiled loop (thousands of
    times cheaper per row-step than ``impl="torch"``: callers size their chunks by it)."""
    return impl == "book" and supports(objective)


class Batch:
    def __init__(
        self,
        spec: OptimizerSpec,
        objective: Objective,
        starts: Sequence[Sequence[float]] | np.ndarray,
        hyperparams: HyperColumns,
        *,
        impl: str = "book",
        seed: int = 0,
        record: bool = True,
        tolerance: tuple[float, float] | None = None,
    ) -> None:
        self.spec, self.objective, self.tolerance = spec, objective, tolerance
        self.x = np.array(starts, dtype=np.float64).reshape(-1, 2)
        self.k = len(self.x)
        self.record = record or impl == "torch"
        self.reached = np.full(self.k, -1, dtype=np.int64)  # per row: first t with f(x_t) − f* ≤ tol
        self.kernel = self._kernel(impl, hyperparams)
        noisy = np.any(np.asarray(hyperparams.get("noise", 0.0), dtype=np.float64))
        self.noise = NoiseStream(seed) if noisy else None
        self.diverged_at = np.full(self.k, -1, dtype=np.int64)
        self.value = np.full(self.k, np.nan)
        self.t = 0

    def _kernel(self, impl: str, hyperparams: HyperColumns) -> FloatRows | ArrayStack | CompiledStack | TorchRows:
        if impl not in ("book", "torch"):
            raise ValueError(f"unknown impl '{impl}'; expected 'book' or 'torch'")
        if not self.record and runs_compiled(self.objective, impl):
            return CompiledStack(self.spec, self.objective, self.x, hyperparams, self.tolerance, self.reached)
        rows = per_row(hyperparams, self.k)
        if impl == "torch":
            return TorchRows(self.spec, self.objective, self.x, rows)
        if self.record and self.k < STACK_FROM_ROWS:
            return FloatRows(self.spec, self.objective, self.x, rows)
        return ArrayStack(self.spec, self.objective, self.x, rows, record=self.record)

    @property
    def live(self) -> np.ndarray:
        return self.diverged_at < 0

    def start(self) -> Block:
        """The start points and f there; a row whose start is already bad stops at t = 0."""
        with np.errstate(all="ignore"):
            values = np.asarray(self.objective.f(self.x[:, 0], self.x[:, 1], NUMPY), dtype=np.float64)
            values = np.broadcast_to(values, (self.k,)).copy()
            bad = ~(np.abs(self.x) <= DIVERGENCE_LIMIT).all(axis=1) | ~np.isfinite(values)
        self.value = values
        if isinstance(self.kernel, CompiledStack):
            self.kernel.last_value[:] = values  # a row that never moves keeps f at its start, as here
        self._note_reached(values[:, None], 0)
        self._stop(np.flatnonzero(bad), 0)
        kept = (~bad).astype(np.int64)
        return Block(0, self.x[:, None, :].copy(), values[:, None].copy(), np.empty((self.k, 0, 2)), {}, kept)

    def advance(self, n: int) -> Block:
        """``n`` more steps of every live row."""
        live = self.live
        steps = self.kernel.advance(n, self.noise.take(n) if self.noise is not None else None)
        first = self.t + 1
        self.t += n
        kept = np.where(live, np.minimum(steps.first_bad, n), 0)
        newly = np.flatnonzero(live & (steps.first_bad < n))
        self.diverged_at[newly] = first + steps.first_bad[newly]
        self.kernel.stop(newly.tolist())
        self._track(steps, kept)
        self._note_reached(steps.values, first)
        if not self.record:
            return Block(first, steps.points, np.empty((self.k, 0)), steps.lr, {}, kept)
        return Block(first, steps.points, steps.values, steps.lr, steps.state, kept)

    def _note_reached(self, values: np.ndarray, first: int) -> None:
        """Rows whose f − f* first fell to the tolerance among ``values`` (the compiled kernel notes its own)."""
        if self.tolerance is None or not values.shape[1]:
            return
        f_star, tol = self.tolerance
        with np.errstate(invalid="ignore"):
            hit = values - f_star <= tol  # NaN (a stopped row) never hits
        fresh = (self.reached < 0) & hit.any(axis=1)
        self.reached[fresh] = first + hit[fresh].argmax(axis=1)

    def _stop(self, rows: np.ndarray, t: int) -> None:
        if len(rows):
            self.diverged_at[rows] = t
            self.kernel.stop(rows.tolist())

    def _track(self, steps: Steps, kept: np.ndarray) -> None:
        """Each row's last good point and value."""
        if isinstance(self.kernel, CompiledStack):  # it moves a row's end only where the row moved
            self.x[:] = self.kernel.last_x
            self.value[:] = self.kernel.last_value
            return
        moved = np.flatnonzero(kept > 0)
        last = kept[moved] - 1
        if steps.values.shape[1]:
            self.value[moved] = steps.values[moved, last]
        if steps.points.shape[1]:
            self.x[moved] = steps.points[moved, last]
        elif isinstance(self.kernel, ArrayStack):
            self.x[moved] = self.kernel.last_x[moved]
