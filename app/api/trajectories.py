"""2D comparisons: the whole result at once, or streamed as Server-Sent Events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.api.debug import TRAJECTORY_GENERATORS
from app.api.deps import CallerDep, ComputeSlot, PreviewQuery, StoreDep, StreamCleanup, StreamSlot
from app.api.errors import COMPUTE_RESPONSES, STREAM_RESPONSES
from app.history.store import RunRecord, RunStore, StoreUnavailable
from app.optim.expression import custom_objective
from app.optim.functions import Objective, contour_grid, get_objective
from app.optim.registry import get_optimizer
from app.schemas import RunOut, TrajectoryRequest, TrajectoryResponse
from app.trajectories import RunConfig, RunResult, run_all, run_chunks, to_record

router = APIRouter(prefix="/api/trajectories", tags=["trajectories"])


def _objective(req: TrajectoryRequest) -> Objective:
    if req.function == "custom":  # the schema has checked the expression (and f at the start) already
        return custom_objective(req.expression or "", box=req.box, start=req.start)
    return get_objective(req.function)


def _plan(req: TrajectoryRequest) -> tuple[Objective, list[float], list[RunConfig]]:
    objective = _objective(req)
    start = req.start if req.start is not None else list(objective.start)
    configs = [
        RunConfig(run.optimizer, run.impl, get_optimizer(run.optimizer).resolve(run.hyperparams, run.impl))
        for run in req.runs
    ]
    return objective, start, configs


def _stored_config(req: TrajectoryRequest, start: list[float], configs: list[RunConfig]) -> dict[str, object]:
    """The request as run: defaults filled in, so the history can re-run it exactly."""
    return {**req.model_dump(), "start": start, "runs": [asdict(c) for c in configs]}


def _check_points(req: TrajectoryRequest, request: Request) -> None:
    """One JSON answer carries every point: bound it (the stream sends chunks and has no such bound)."""
    limit: int = request.app.state.settings.max_response_points
    if req.steps * len(req.runs) > limit:
        msg = (
            f"{req.steps} steps × {len(req.runs)} runs exceed the {limit:,} points one response may carry; "
            "use fewer steps or runs, or POST /api/trajectories/stream"
        )
        raise RequestValidationError(
            [
                {
                    "type": "too_many_points",
                    "loc": ("body", "steps"),
                    "msg": msg,
                    "ctx": {"limit": limit},
                }
            ]
        )


def _keep(store: RunStore, record: RunRecord, owner: str) -> tuple[str | None, str | None]:
    """Store the comparison for its owner: (run id, None), or (None, why not) when the history is unavailable."""
    record.owner = owner
    try:
        return store.save(record).id, None
    except StoreUnavailable as exc:
        return None, str(exc)


@router.post("", response_model=TrajectoryResponse, responses=COMPUTE_RESPONSES)
def run_trajectories(
    req: TrajectoryRequest,
    store: StoreDep,
    request: Request,
    _slot: ComputeSlot,
    caller: CallerDep,
    preview: PreviewQuery = False,
) -> TrajectoryResponse:
    """Every run's whole path at once (at most ``max_response_points`` steps × runs; else 422 on ``steps``).

    ``function: "custom"`` with an ``expression`` runs on a typed f(x1, x2); see the field's description.
    One user may have ``max_compute_per_client`` of these running at once (429 beyond). When the run
    history cannot store the comparison, the answer still comes, with ``run_id`` null and ``store_error``.
    """
    _check_points(req, request)
    objective, start, configs = _plan(req)
    began = time.perf_counter()
    results = run_all(objective, start, req.steps, configs, req.seed)
    run_id, store_error = None, None
    if not preview:
        record = to_record(_stored_config(req, start, configs), results, time.perf_counter() - began)
        run_id, store_error = _keep(store, record, caller.owner)
    return TrajectoryResponse(
        run_id=run_id,
        store_error=store_error,
        function=req.function,
        expression=req.expression,
        start=start,
        steps=req.steps,
        runs=[
            RunOut(
                optimizer=r.config.optimizer,
                impl=r.config.impl,
                hyperparams=r.config.hyperparams,
                points=r.points,
                values=r.values,
                lr_eff=r.lr_eff,
                state=r.state,
                status=r.status,
                diverged_at=r.diverged_at,
            )
            for r in results
        ],
    )


@router.post("/stream", response_class=EventSourceResponse, responses=STREAM_RESPONSES)
def stream_trajectories(
    req: TrajectoryRequest,
    store: StoreDep,
    _slot: StreamSlot,
    cleanup: StreamCleanup,
    caller: CallerDep,
) -> Iterator[ServerSentEvent]:
    """``meta`` (config and contour grid), ``step`` events (every run, a chunk of steps each), ``done``.

    A ``step`` event is ``{"first": t0, "runs": [{"points", "values", "lr_eff", "state", "status",
    "diverged_at"}, ...]}``: ``points[i]`` and ``values[i]`` are x and f(x) at step t0 + i (the first
    event holds the start, t0 = 0); ``lr_eff`` and ``state`` are per update, so their row i belongs to
    the step that produced point i (none for the start). Concatenated over the events, they equal
    ``POST /api/trajectories``.

    The comparison is stored once it is complete; ``done`` carries its ``run_id`` (null, with
    ``store_error``, when the run history cannot store it). A client may hold
    ``max_streams_per_client`` streams open at once; beyond that the answer is 429 with Retry-After.
    A client that goes away stops the computation within one chunk: FastAPI stops asking for the next
    event, and the generator is closed when the response ends. Nothing is stored for it.
    """
    # Counted in GET /api/debug/stats until closed; closed by the clean-up, not left to the garbage collector.
    yield from cleanup.hold(TRAJECTORY_GENERATORS.counted(_stream_events(req, store, caller.owner)))


def _stream_events(req: TrajectoryRequest, store: RunStore, owner: str) -> Iterator[ServerSentEvent]:
    objective, start, configs = _plan(req)
    began = time.perf_counter()
    box = req.box if req.box is not None else list(objective.box)
    seq = 0
    meta = {
        "function": req.function,
        "expression": req.expression,
        "start": start,
        "steps": req.steps,
        "box": box,
        "contour": contour_grid(objective, (box[0], box[1], box[2], box[3])),
        "runs": [asdict(c) for c in configs],
    }
    yield ServerSentEvent(event="meta", id=str(seq), data=meta)
    results = [RunResult(config) for config in configs]
    for chunk in run_chunks(objective, start, req.steps, configs, req.seed):
        seq += 1
        for result, part in zip(results, chunk.runs, strict=True):
            result.extend(part)
        step = {"first": chunk.first, "runs": [asdict(part) for part in chunk.runs]}
        yield ServerSentEvent(event="step", id=str(seq), data=step)
    record = to_record(_stored_config(req, start, configs), results, time.perf_counter() - began)
    run_id, store_error = _keep(store, record, owner)
    finals = [{"status": r.status, "diverged_at": r.diverged_at, "points": len(r.points)} for r in results]
    done = {"run_id": run_id, "runs": finals, **({"store_error": store_error} if store_error else {})}
    yield ServerSentEvent(event="done", id=str(seq + 1), data=done)
