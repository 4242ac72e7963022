"""Run history for sweeps: each sweep one record of kind "sweep", its id the sweep's.

``SweepHistory`` is a ``SweepManager`` listener, told of every state change (queued, running, the
terminal one) in order, from one thread at a time per sweep. What a sweep record holds
(``GET /api/runs/{id}``):

- ``config``: the sweep as run: ``kind`` (trajectory | training), ``optimizer``, ``impl``,
  ``hyperparams`` (the fixed ones, complete), ``axes`` [{param, values, scale}], ``metrics`` and
  ``problem`` (function, start, steps, seed, box, minima… or dataset, batch_size, epochs, seed, device);
- ``series``: one entry ``{"cells": {metric: rows × columns}}`` (null where not finished);
- ``runs`` (the store's column ``summary``): one entry for the optimizer with its status, the cells done and
  diverged, and the best cell;
- ``timings``: created_at, started_at, finished_at, seconds, progress, error.
"""

from __future__ import annotations

from typing import Any

from app.history.behind import WriteBehind
from app.history.store import RunRecord, RunStore
from app.sweep.state import SweepState
from app.training.job import TERMINAL


def sweep_title(state: SweepState) -> str:
    x, y = state.axes
    where = state.problem.get("function") or state.problem.get("dataset_label")
    return (
        f"sweep {state.optimizer} ({state.impl}) on {where}: "
        f"{x['param']} × {y['param']}, {len(y['values'])}×{len(x['values'])} cells"
    )


def _best(state: SweepState) -> dict[str, Any] | None:
    """The cell with the least final value or loss: its row, column and settings."""
    if state.best is None:
        return None
    best, (x, y) = state.best, state.axes
    return {
        "row": best.row,
        "col": best.col,
        x["param"]: x["values"][best.col],
        y["param"]: y["values"][best.row],
        "value": best.value,
    }


def sweep_record(state: SweepState) -> RunRecord:
    entry = {
        "optimizer": state.optimizer,
        "impl": state.impl,
        "hyperparams": state.hyperparams,
        "status": state.status,
        "cells": len(state.axes[0]["values"]) * len(state.axes[1]["values"]),
        "rows_done": state.rows_done,
        "diverged": state.diverged,
        "best": _best(state),
    }
    return RunRecord(
        id=state.id,
        kind="sweep",
        status=state.status,
        device=state.problem.get("device_used", "cpu"),
        title=sweep_title(state),
        optimizers=[state.optimizer],
        config={
            "kind": state.kind,
            "optimizer": state.optimizer,
            "impl": state.impl,
            "hyperparams": state.hyperparams,
            "axes": state.axes,
            "metrics": state.metrics,
            "problem": state.problem,
        },
        series=[{"cells": state.cells or {}}],
        runs=[entry],
        timings={
            "created_at": state.created_at,
            "started_at": state.started_at,
            "finished_at": state.finished_at,
            "seconds": state.seconds,
            "progress": state.progress,
            "error": state.error,
        },
        created_at=state.created_at,
        owner=state.owner,
    )


class SweepHistory:
    """Stores every state change of every sweep (a ``SweepManager`` listener): the terminal one at
    once, the ones before it a moment later (see ``WriteBehind``)."""

    def __init__(self, store: RunStore, writes: WriteBehind | None = None) -> None:
        self.store = store
        self.writes = writes or WriteBehind()

    def __call__(self, state: SweepState) -> None:
        def write() -> None:
            self.store.save(sweep_record(state))

        if state.status in TERMINAL:
            self.writes.now(state.id, write)
        else:
            self.writes.later(state.id, write)
