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

import math
from typing import Any

from app.history.store import RunRecord, RunStore
from app.sweep.state import Cells, SweepState

BEST_BY = {"trajectory": "final_value", "training": "final_loss"}


def sweep_title(state: SweepState) -> str:
    x, y = state.axes
    where = state.problem.get("function") or state.problem.get("dataset_label")
    return (
        f"sweep {state.optimizer} ({state.impl}) on {where}: "
        f"{x['param']} × {y['param']}, {len(y['values'])}×{len(x['values'])} cells"
    )


def _best(state: SweepState, cells: Cells) -> dict[str, Any] | None:
    """The cell with the least final value or loss: its row, column and settings."""
    grid = cells.get(BEST_BY[state.kind], [])
    found = []  # per row its least finite value, then the least of those: (value, row, column)
    for r, row in enumerate(grid):
        finite = [v for v in row if isinstance(v, float) and math.isfinite(v)]
        if finite:
            least = min(finite)
            found.append((least, r, row.index(least)))
    if not found:
        return None
    value, r, c = min(found)
    x, y = state.axes
    return {"row": r, "col": c, x["param"]: x["values"][c], y["param"]: y["values"][r], "value": value}


def sweep_record(state: SweepState) -> RunRecord:
    cells = state.cells or {}
    diverged = sum(v is not None for row in cells.get("diverged_at", []) for v in row)
    entry = {
        "optimizer": state.optimizer,
        "impl": state.impl,
        "hyperparams": state.hyperparams,
        "status": state.status,
        "cells": len(state.axes[0]["values"]) * len(state.axes[1]["values"]),
        "rows_done": state.rows_done,
        "diverged": diverged,
        "best": _best(state, cells),
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
        series=[{"cells": cells}],
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
    """Stores every state change of every sweep (a ``SweepManager`` listener)."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def __call__(self, state: SweepState) -> None:
        self.store.save(sweep_record(state))
