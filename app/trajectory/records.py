"""A comparison as a history record, and back: the record holds every series of the answer
(points, values, rates and the optimizer's state), so a repeat is served from it without computing.
The series go to the store as float64 arrays; they come back from it as lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.history.store import RunRecord
from app.history.titles import comparison_title
from app.trajectory.comparison import RunConfig, RunResult


def summarise(result: RunResult) -> dict[str, object]:
    final = result.points[-1].tolist() if len(result.points) else None
    return {
        "optimizer": result.config.optimizer,
        "impl": result.config.impl,
        "hyperparams": result.config.hyperparams,
        "status": result.status,
        "diverged_at": result.diverged_at,
        "points": len(result.points),
        "final": final,
        "final_value": float(result.values[-1]) if len(result.values) else None,
    }


def to_record(
    run_id: str, config: Mapping[str, Any], results: Sequence[RunResult], seconds: float, owner: str | None = None
) -> RunRecord:
    """``config`` is the request as run (defaults filled in), with its ``digest``; ``owner`` the
    browser that asked first (the history keeps one record per distinct request)."""
    runs = [{"optimizer": r.config.optimizer, "impl": r.config.impl} for r in results]
    title = str(comparison_title(str(config["function"]), runs))
    return RunRecord(
        id=run_id,
        kind="trajectory",
        status="done",
        device="cpu",
        config=dict(config),
        optimizers=sorted({r.config.optimizer for r in results}),
        title=title,
        # The arrays themselves: the store writes them as lists of numbers (building those lists
        # here cost more than writing them).
        series=[{"points": r.points, "values": r.values, "lr_eff": r.lr_eff, "state": dict(r.state)} for r in results],
        runs=[summarise(r) for r in results],
        timings={"seconds": seconds},
        owner=owner,
    )


def from_record(record: RunRecord, digest: str) -> list[RunResult] | None:
    """The runs of a stored comparison made by the same request (``digest``), else None."""
    if record.kind != "trajectory" or record.config.get("digest") != digest:
        return None
    results = []
    for run, series in zip(record.runs, record.series, strict=True):
        config = RunConfig(run["optimizer"], run["impl"], dict(run["hyperparams"]))
        results.append(
            RunResult(
                config,
                np.array(series["points"], dtype=np.float64).reshape(-1, 2),
                np.array(series["values"], dtype=np.float64),
                np.array(series["lr_eff"], dtype=np.float64).reshape(-1, 2),
                {name: np.array(s, dtype=np.float64).reshape(-1, 2) for name, s in series.get("state", {}).items()},
                run["status"],
                run["diverged_at"],
            )
        )
    return results
