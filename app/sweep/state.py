"""What a sweep is at a moment, as data: the API's answer and the run history's input."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.jsontext import JsonText
from app.sweep.plan import SweepPlan, TrainingProblem

Cell = float | int | None
# A metric's rows as a runner has them: lists of cells (None where missing), or an array: of floats
# (NaN where missing) or of counts (−1 where missing: a step, an index, never negative otherwise).
Grid = list[list[Cell]] | np.ndarray


@dataclass(frozen=True, order=True)
class Best:
    """The cell with the least finite value of the sweep's first metric (f(x_T) or the loss)."""

    value: float
    row: int
    col: int


@dataclass(frozen=True)
class RowBlock:
    """Whole rows of cells, ``first`` … ``first + rows - 1``, as a runner hands them over: per
    metric the JSON text of those rows (a rows × columns array), written once where they were
    computed, with the block's best cell and how many of its cells diverged."""

    first: int
    rows: int
    cells: dict[str, JsonText]
    best: Best | None
    diverged: int

    @classmethod
    def of(cls, first: int, grids: Mapping[str, Grid]) -> RowBlock:
        """The block of rows ``first``…; the first metric ranks the cells, ``diverged_at`` counts."""
        ranked = np.asarray(next(iter(grids.values())), dtype=np.float64)  # None → NaN
        finite = np.isfinite(ranked)
        best = None
        if finite.any():
            r, c = divmod(int(np.argmin(np.where(finite, ranked, np.inf))), ranked.shape[1])
            best = Best(float(ranked[r, c]), first + r, c)
        diverged = int(np.count_nonzero(~_missing(grids["diverged_at"])))
        cells = {name: _json_rows(grid) for name, grid in grids.items()}
        return cls(first, len(ranked), cells, best, diverged)


def _missing(grid: Grid) -> np.ndarray:
    if isinstance(grid, np.ndarray) and grid.dtype.kind == "i":
        return grid < 0
    return np.isnan(np.asarray(grid, dtype=np.float64))


def _json_rows(grid: Grid) -> JsonText:
    """orjson's text of the rows; the counts' −1 (the only "-1" a text of counts can hold: the rest
    are never negative) as null, the floats' NaN as orjson writes it: null."""
    if isinstance(grid, np.ndarray) and grid.dtype.kind == "i":
        return JsonText(JsonText.of(grid).text.replace(b"-1", b"null"))
    return JsonText.of(grid)


@dataclass(frozen=True)
class SweepState:
    id: str
    kind: str
    status: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    seconds: float
    progress: float
    rows_done: int
    optimizer: str
    impl: str
    hyperparams: dict[str, float]
    problem: dict[str, Any]
    axes: list[dict[str, Any]]
    metrics: list[str]
    error: str | None
    cancel_requested: bool
    last_event_id: int
    run_id: str | None
    cells: dict[str, JsonText] | None  # metric → rows × columns, null where not done; None when not asked for
    best: Best | None
    diverged: int  # cells that diverged so far
    owner: str | None = None  # the browser that submitted it: never shown, only compared


def problem_data(plan: SweepPlan) -> dict[str, Any]:
    """The problem as JSON-ready data, defaults filled in (what a lone run of a cell needs)."""
    p = plan.problem
    if isinstance(p, TrainingProblem):
        return {
            "dataset": p.dataset.id,
            "dataset_label": p.dataset.label,
            "rows": p.dataset.rows,
            "batch_size": p.batch_size,
            "epochs": p.epochs,
            "seed": plan.seed,
            "device": p.device_requested,
            "device_used": p.device,
            "steps": p.steps,
        }
    return {
        "function": p.function,
        "expression": p.expression,
        "start": list(p.start),
        "steps": p.steps,
        "seed": plan.seed,
        "box": list(p.box),
        "minima": [list(m) for m in p.minima],
        "f_star": p.f_star,
    }
