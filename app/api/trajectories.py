"""2D comparisons: the whole result at once, or streamed as Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.api.deps import (
    CallerDep,
    ClientGoneDep,
    ComputeSlot,
    PreviewQuery,
    StreamCleanup,
    StreamSlot,
    TrajectoriesDep,
)
from app.api.errors import COMPUTE_RESPONSES, STREAM_RESPONSES
from app.schemas.trajectories import TrajectoryRequest, TrajectoryResponse
from app.trajectory.service import ClientGone

router = APIRouter(prefix="/api/trajectories", tags=["trajectories"])

CLIENT_CLOSED = 499  # nobody reads it: the status the access log shows for a client that left


@router.post("", response_model=TrajectoryResponse, responses=COMPUTE_RESPONSES)
async def run_trajectories(
    req: TrajectoryRequest,
    service: TrajectoriesDep,
    gone: ClientGoneDep,
    _slot: ComputeSlot,
    caller: CallerDep,
    preview: PreviewQuery = False,
) -> Response:
    """Every run's whole path at once (at most ``max_response_points`` steps × runs; else 422 on ``steps``).

    ``function: "custom"`` with an ``expression`` runs on a typed f(x1, x2); see the field's description.
    The same request again is answered from the cache or the history, with the same ``run_id`` (the
    history keeps one record per distinct request, owned by whoever asked first). One user may have
    ``max_compute_per_client`` of these running at once (429 beyond). When the run history cannot
    store the comparison, the answer still comes, with ``run_id`` null and ``store_error``. A client
    that disconnects stops the computation; nothing is stored for it. ``?preview=true`` answers
    without storing (``run_id`` null): the page's sliders re-run while they are dragged.
    """
    try:
        body = await service.answer(req, gone, caller.owner, store=not preview)
    except ClientGone:
        return Response(status_code=CLIENT_CLOSED)
    return Response(body, media_type="application/json")


@router.post("/stream", response_class=EventSourceResponse, responses=STREAM_RESPONSES)
async def stream_trajectories(
    req: TrajectoryRequest,
    service: TrajectoriesDep,
    _slot: StreamSlot,
    cleanup: StreamCleanup,
    caller: CallerDep,
) -> AsyncIterator[ServerSentEvent]:
    """``meta`` (config and contour grid), ``step`` events (every run, a chunk of steps each), ``done``.

    A ``step`` event is ``{"first": t0, "runs": [{"points", "values", "lr_eff", "state", "status",
    "diverged_at"}, ...]}``: ``points[i]`` and ``values[i]`` are x and f(x) at step t0 + i (the first
    event holds the start, t0 = 0); ``lr_eff`` and ``state`` are per update, so their row i belongs to
    the step that produced point i (none for the start). Concatenated over the events, they equal
    ``POST /api/trajectories``.

    The comparison is stored once it is complete; ``done`` carries its ``run_id``, the same for the
    same request (a repeat still streams every event, from the cache or the history), or null with
    ``store_error`` when the run history cannot store it. A client may
    hold ``max_streams_per_client`` streams open at once; beyond that the answer is 429 with
    Retry-After. A client that goes away stops the computation within one chunk; nothing is stored.
    """
    stream = service.stream(req, caller.owner)
    cleanup.call(stream.close)  # the response's end closes it, even if this generator is left suspended
    async for event in stream:
        yield ServerSentEvent(event=event.name, id=str(event.id), raw_data=event.data)
