"""One sweep as the manager keeps it: its state, its cells so far and its event log, and a reader of
that log. Mutated only under the manager's lock."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from app.jsontext import JsonText
from app.sweep.plan import SweepPlan
from app.sweep.state import Best, RowBlock, SweepState, problem_data
from app.training.events import Subscription
from app.training.job import TERMINAL


@dataclass(frozen=True)
class SweepEvent:
    id: int
    name: str  # meta | progress | done
    data: dict[str, Any]


class Sweep:
    """State and event log of one sweep; mutated only under the manager's lock."""

    def __init__(self, plan: SweepPlan) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.plan = plan
        self.status = "queued"
        self.created_at = time.time()
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.error: str | None = None
        rows, cols = plan.shape
        self.blocks: dict[int, RowBlock] = {}  # by first row
        self.row_done = [False] * rows
        self._ended_cells: dict[str, JsonText] | None = None
        self._null_row = b"[" + b",".join([b"null"] * cols) + b"]"
        self.events: list[SweepEvent] = []
        self.subscribers: set[Subscription[SweepEvent]] = set()
        self.cancel = threading.Event()
        self.stop_as = "cancelled"  # or "interrupted" when the server stops
        self.ended = threading.Event()  # set once ``done`` is in the log
        self.stored = False  # the history took its terminal state

    @property
    def log_complete(self) -> bool:
        """``done`` is in the log (the status may turn terminal a moment before it is appended)."""
        return self.ended.is_set()

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def rows_done(self) -> int:
        return sum(self.row_done)

    @property
    def progress(self) -> float:
        return self.rows_done / len(self.row_done)

    def add(self, block: RowBlock) -> None:
        self.blocks[block.first] = block
        for r in range(block.first, block.first + block.rows):
            self.row_done[r] = True

    @property
    def best(self) -> Best | None:
        return min((block.best for block in self.blocks.values() if block.best is not None), default=None)

    @property
    def diverged(self) -> int:
        return sum(block.diverged for block in self.blocks.values())

    def _cells(self) -> dict[str, JsonText]:
        """Each metric's grid: its blocks' texts in row order, rows not done as nulls. Once ended the
        cells no longer change, so they are written once and shared."""
        if self._ended_cells is not None:
            return self._ended_cells
        cells = {name: self._grid(name) for name in self.plan.metrics}
        if self.terminal:
            self._ended_cells = cells
        return cells

    def _grid(self, name: str) -> JsonText:
        parts, row = [], 0
        for first in sorted(self.blocks):
            block = self.blocks[first]
            parts += [self._null_row] * (first - row)
            parts.append(block.cells[name].text[1:-1])  # its rows, without the outer brackets
            row = first + block.rows
        parts += [self._null_row] * (len(self.row_done) - row)
        return JsonText(b"[" + b",".join(parts) + b"]")

    def state(self, cells: bool = True) -> SweepState:
        now = self.finished_at or time.time()
        plan = self.plan
        return SweepState(
            id=self.id,
            kind=plan.kind,
            status=self.status,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            seconds=(now - self.started_at) if self.started_at else 0.0,
            progress=self.progress,
            rows_done=self.rows_done,
            optimizer=plan.optimizer,
            impl=plan.impl,
            hyperparams=dict(plan.hyperparams),
            problem=problem_data(plan),
            axes=[axis.as_dict() for axis in plan.axes],
            metrics=list(plan.metrics),
            error=self.error,
            cancel_requested=self.cancel.is_set() and not self.terminal,
            last_event_id=len(self.events),
            run_id=self.id if self.stored else None,
            cells=self._cells() if cells else None,
            best=self.best,
            diverged=self.diverged,
            owner=plan.owner,
        )


def meta_event(state: SweepState) -> dict[str, Any]:
    """The first event: what the sweep is, its axes and the shape of its cells."""
    return {
        "id": state.id,
        "kind": state.kind,
        "status": state.status,
        "created_at": state.created_at,
        "optimizer": state.optimizer,
        "impl": state.impl,
        "hyperparams": state.hyperparams,
        "problem": state.problem,
        "axes": state.axes,
        "metrics": state.metrics,
        "shape": [len(state.axes[1]["values"]), len(state.axes[0]["values"])],
    }
