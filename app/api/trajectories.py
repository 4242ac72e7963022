"""2D comparisons: the whole result at once, or streamed as Server-Sent Events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.optim.functions import Objective, contour_grid, get_objective
from app.optim.registry import get_optimizer
from app.schemas import RunOut, TrajectoryRequest, TrajectoryResponse
from app.trajectories import RunConfig, run_all, run_chunks

router = APIRouter(prefix="/api/trajectories", tags=["trajectories"])


def _plan(req: TrajectoryRequest) -> tuple[Objective, list[float], list[RunConfig]]:
    objective = get_objective(req.function)
    start = req.start if req.start is not None else list(objective.start)
    configs = [
        RunConfig(run.optimizer, run.impl, get_optimizer(run.optimizer).resolve(run.hyperparams, run.impl))
        for run in req.runs
    ]
    return objective, start, configs


@router.post("", response_model=TrajectoryResponse)
def run_trajectories(req: TrajectoryRequest) -> TrajectoryResponse:
    objective, start, configs = _plan(req)
    results = run_all(objective, start, req.steps, configs, req.seed)
    return TrajectoryResponse(
        function=req.function, start=start, steps=req.steps,
        runs=[
            RunOut(
                optimizer=r.config.optimizer, impl=r.config.impl,
                hyperparams=r.config.hyperparams, points=r.points, values=r.values, lr_eff=r.lr_eff, state=r.state,
                status=r.status, diverged_at=r.diverged_at,
            )
            for r in results
        ],
    )


@router.post("/stream", response_class=EventSourceResponse)
def stream_trajectories(req: TrajectoryRequest) -> Iterator[ServerSentEvent]:
    """``meta`` (config and contour grid), ``step`` events (every run, a chunk of steps each), ``done``."""
    objective, start, configs = _plan(req)
    box = req.box if req.box is not None else list(objective.box)
    seq = 0
    meta = {
        "function": req.function, "start": start, "steps": req.steps, "box": box,
        "contour": contour_grid(objective, (box[0], box[1], box[2], box[3])),
        "runs": [asdict(c) for c in configs],
    }
    yield ServerSentEvent(event="meta", id=str(seq), data=meta)
    statuses: list[tuple[str, int | None]] = [("ok", None)] * len(configs)
    counts = [0] * len(configs)
    for chunk in run_chunks(objective, start, req.steps, configs, req.seed):
        seq += 1
        for i, part in enumerate(chunk.runs):
            statuses[i] = (part.status, part.diverged_at)
            counts[i] += len(part.points)
        step = {"first": chunk.first, "runs": [asdict(part) for part in chunk.runs]}
        yield ServerSentEvent(event="step", id=str(seq), data=step)
    finals = [
        {"status": status, "diverged_at": at, "points": n} for (status, at), n in zip(statuses, counts, strict=True)
    ]
    yield ServerSentEvent(event="done", id=str(seq + 1), data={"runs": finals})
