"""What a sweep is at a moment, as data: the API's answer and the run history's input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.sweep.plan import SweepPlan, TrainingProblem

Cell = float | int | None
Cells = dict[str, list[list[Cell]]]  # metric → rows (Y) × columns (X)


@dataclass(frozen=True)
class RowBlock:
    """Whole rows of cells, ``first`` … ``first + rows - 1``, as a runner hands them over."""

    first: int
    cells: Cells

    @property
    def rows(self) -> int:
        return len(next(iter(self.cells.values())))


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
    cells: Cells | None  # None when asked for without them
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
