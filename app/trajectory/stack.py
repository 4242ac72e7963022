"""The numpy kernel of the batched runner: all rows stacked as K×2 arrays, one call of the rule per
step for a whole tile of rows, hyper-parameters that differ as K×1 columns.

Tiles of at most TILE_ROWS rows keep every temporary small (16 KB for 1,024 rows): one K×2 array
of 16,384 rows is 256 KB, which the allocator maps and unmaps for every operation, and the stack
then runs several times slower per row (``bench/bench_kernels.py``). A row that goes wrong is
dropped from its tile at that step, so the rows still going never pay for it. Every operation
rounds as the same operation on Python floats does (IEEE arithmetic, ``np.sqrt``, and β^t through
:class:`Column`), so a row of the stack equals the same run on floats to the last bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.optim.functions import Objective
from app.optim.ops import NUMPY
from app.optim.spec import OptimizerSpec
from app.trajectory.kernels import DIVERGENCE_LIMIT, Steps

TILE_ROWS = 1024


class Column(np.ndarray):
    """A K×1 hyper-parameter column whose integer powers (Adam's β^t) round as a Python float's do.

    numpy's ``power`` differs from C's ``pow`` (which ``float ** int`` calls) in the last bit for
    about one value in twenty; computing β^t once per distinct β keeps every row of the stack equal,
    to the bit, to the same run on floats. Arithmetic on a column gives plain arrays.
    """

    _distinct: tuple[list[float], np.ndarray]

    @classmethod
    def of(cls, values: np.ndarray) -> Column:
        column = np.asarray(values, dtype=np.float64).reshape(-1, 1).copy().view(cls)
        distinct, where = np.unique(values, return_inverse=True)
        column._distinct = (distinct.tolist(), where.reshape(-1, 1))
        return column

    def __array_wrap__(self, array: np.ndarray, context: Any = None, return_scalar: bool = False) -> Any:
        return array.view(np.ndarray)

    def __pow__(self, exponent: Any) -> Any:  # type: ignore[override]
        if not isinstance(exponent, int):
            return np.power(self.view(np.ndarray), exponent)
        distinct, where = self._distinct
        return np.array([v**exponent for v in distinct])[where]


def _columns(hyperparams: Sequence[Mapping[str, float]]) -> dict[str, float | np.ndarray]:
    """One float where every row agrees (cheaper, and the same arithmetic), else a K×1 column."""
    names = hyperparams[0].keys() if hyperparams else ()
    out: dict[str, float | np.ndarray] = {}
    for name in names:
        values = np.array([h[name] for h in hyperparams], dtype=np.float64)
        out[name] = float(values[0]) if (values == values[0]).all() else Column.of(values)
    return out


class _Tile:
    """Some rows of the stack: their points, state and hyper-parameters, and where they belong."""

    def __init__(self, stack: ArrayStack, rows: np.ndarray, starts: np.ndarray, hp: list[Mapping[str, float]]) -> None:
        self.stack, self.rows = stack, rows
        self.x = starts[rows].copy()
        self.state = tuple(np.zeros_like(self.x) for _ in stack.spec.state)
        self.hp = _columns(hp)

    def keep(self, keep: np.ndarray) -> None:
        self.x, self.rows = self.x[keep], self.rows[keep]
        self.state = tuple(s[keep] for s in self.state)
        self.hp = {k: Column.of(v.ravel()[keep]) if isinstance(v, np.ndarray) else v for k, v in self.hp.items()}

    def step(self, out: Steps, i: int, t: int, noise: np.ndarray | None) -> None:
        stack, old = self.stack, self.x
        g1, g2 = stack.surface.df(old[:, 0], old[:, 1], NUMPY)
        g = np.empty_like(old)
        g[:, 0], g[:, 1] = g1, g2
        sigma = self.hp.get("noise", 0.0)
        if noise is not None and np.any(sigma):
            g = g + sigma * noise[i]
        x, self.state, lr = stack.spec.rule(old, g, self.state, self.hp, t, np.sqrt)
        lr = np.broadcast_to(lr, x.shape)
        value = stack.surface.f(x[:, 0], x[:, 1], NUMPY)
        self.x, rows = x, self.rows
        out.values[rows, i] = value
        if stack.record:
            out.points[rows, i] = x
            out.lr[rows, i] = lr
            for name, s in zip(stack.spec.state, self.state, strict=True):
                out.state[name][rows, i] = s
        bad = ~(np.abs(x) <= DIVERGENCE_LIMIT).all(axis=1) | ~np.isfinite(value) | ~np.isfinite(lr).all(axis=1)
        for s in self.state:
            bad |= ~np.isfinite(s).all(axis=1)
        if bad.any():
            out.first_bad[rows[bad]] = i
            stack.last_x[rows[bad]] = old[bad]
            self.keep(~bad)


class ArrayStack:
    """The rows as tiles of numpy stacks (see the module's docstring)."""

    def __init__(
        self,
        spec: OptimizerSpec,
        surface: Objective,
        starts: np.ndarray,
        hyperparams: Sequence[Mapping[str, float]],
        record: bool = True,
    ) -> None:
        self.spec, self.surface, self.record = spec, surface, record
        points = np.array(starts, dtype=np.float64).reshape(-1, 2)
        self.k = len(points)
        self.last_x = points.copy()  # K×2: each row's last good point
        self.tiles = [
            _Tile(self, rows, points, [hyperparams[r] for r in rows])
            for rows in np.array_split(np.arange(self.k), max(1, -(-self.k // TILE_ROWS)))
            if len(rows)
        ]
        self.t = 0

    def stop(self, rows: Sequence[int]) -> None:
        for tile in self.tiles:
            tile.keep(~np.isin(tile.rows, rows))

    def advance(self, n: int, noise: np.ndarray | None) -> Steps:
        k, size = self.k, n if self.record else 0
        out = Steps(np.full((k, size, 2), np.nan), np.full((k, n), np.nan), np.full((k, size, 2), np.nan))
        out.state = {name: np.full((k, size, 2), np.nan) for name in self.spec.state}
        out.first_bad = np.full(k, n, dtype=np.int64)
        with np.errstate(all="ignore"):
            for tile in self.tiles:  # a tile's n steps at once, while its arrays are in cache
                for i in range(n):
                    if not len(tile.rows):
                        break
                    tile.step(out, i, self.t + i + 1, noise)
                self.last_x[tile.rows] = tile.x
        self.tiles = [tile for tile in self.tiles if len(tile.rows)]
        self.t += n
        return out
