"""Sweeps: submit, read (with the cells), cancel, and follow one live as Server-Sent Events.

Anyone may read a sweep; only the browser that submitted it (or the admin) may cancel it. Sweeps and
training jobs share the queue and each browser's share of it (``max_jobs_per_client``).

The events stream replays the sweep's log (``meta``, ``progress``…, ``done``) from the start, or
from ``Last-Event-ID`` / ``?after=`` for a client that reconnects, and ends after ``done``; a client
that already has everything of an ended sweep gets 204. Answers are serialised with orjson, the
cells as the JSON text their worker wrote: a 256 × 256 sweep carries a few hundred thousand numbers.

Submitting and reading run on the event loop: neither waits for anything (the history writes a
queued sweep behind), and a plain ``def`` costs two hops through the thread pool, each waiting
for a loop that is busy streaming: the answer to POST came up to 10 ms later that way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app import jsontext
from app.api.access import Caller
from app.api.deps import CallerDep, DatasetsDep, SettingsDep, StreamCleanup, StreamSlot, SweepDep, SweepsDep
from app.api.errors import FORBIDDEN, RETRY_AFTER, STREAM_RESPONSES, refused, too_many
from app.api.streams import StartAfter, as_json_text, replay
from app.sweep.plan import plan_sweep
from app.sweep.schemas import SweepCreated, SweepOut, SweepRequest
from app.sweep.state import SweepState
from app.training.job import NotCancellable, QueueFull

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no sweep with that id (or no longer kept)"}}


def _json(state: SweepState, caller: Caller) -> Response:
    """The sweep as the caller sees it: whether it is theirs, never whose it is."""
    body = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
    body["mine"] = caller.owns(body.pop("owner"))
    if body["cells"] is None:
        del body["cells"]
    return Response(jsontext.dumps(body), media_type="application/json")


@router.post(
    "",
    status_code=202,
    response_model=SweepCreated,
    responses={
        429: {
            "description": "the job queue is full, or this user has max_jobs_per_client jobs and sweeps already; "
            "see Retry-After",
            "headers": RETRY_AFTER,
        }
    },
)
async def create_sweep(
    req: SweepRequest,
    response: Response,
    sweeps: SweepsDep,
    datasets: DatasetsDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> SweepCreated:
    """Queue a sweep of one optimizer over two axes; follow it at ``events`` or poll ``url``.

    Up to 256 × 256 cells, within ``max_sweep_work`` cell-steps (422 on ``axes`` beyond). Sweeps take
    places in the training jobs' queue: when it is full the answer is 429 with Retry-After.
    """
    plan = plan_sweep(req, datasets, settings.max_sweep_work, settings.max_job_steps, owner=caller.owner)
    try:
        sweep = sweeps.submit(plan)
    except QueueFull as exc:
        raise too_many(str(exc), exc.retry_after) from None
    url = f"/api/sweeps/{sweep.id}"
    response.headers["Location"] = url
    return SweepCreated(id=sweep.id, status="queued", url=url, events=f"{url}/events")


@router.get("/{sweep_id}", response_model=None, responses={**NOT_FOUND, 200: {"model": SweepOut}})
async def get_sweep(sweep: SweepDep, sweeps: SweepsDep, caller: CallerDep) -> Response:
    """Status, axes (values as used) and cells so far: per metric a len(Y) × len(X) array."""
    return _json(sweeps.state(sweep.id), caller)


@router.post(
    "/{sweep_id}/cancel",
    response_model=None,
    responses={**NOT_FOUND, **FORBIDDEN, 200: {"model": SweepOut}, 409: {"description": "the sweep has already ended"}},
)
def cancel_sweep(sweep: SweepDep, sweeps: SweepsDep, caller: CallerDep) -> Response:
    """A queued sweep ends at once ('cancelled'); a running one gets ``cancel_requested`` and stops
    within a block of rows; the rows finished so far are kept, in the answer and in the history. Only
    its owner or the admin may."""
    if not caller.may_change(sweep.plan.owner):
        raise refused(403, caller.refusal(f"cancel sweep '{sweep.id}'"))
    try:
        sweeps.cancel(sweep.id)
    except NotCancellable as exc:
        raise refused(409, str(exc)) from None
    return _json(sweeps.state(sweep.id, cells=False), caller)


async def event_cursor(sweep: SweepDep, after: StartAfter) -> int:
    if sweep.ended.is_set() and after >= len(sweep.events):
        raise HTTPException(204)
    return after


@router.get(
    "/{sweep_id}/events",
    response_class=EventSourceResponse,
    responses={**NOT_FOUND, **STREAM_RESPONSES, 204: {"description": "the sweep has ended and the client has it all"}},
)
async def sweep_events(
    sweep: SweepDep,
    sweeps: SweepsDep,
    slot: StreamSlot,
    cursor: Annotated[int, Depends(event_cursor)],
    cleanup: StreamCleanup,
) -> AsyncIterator[ServerSentEvent]:
    """``meta`` (axes, shape, problem), ``progress`` (``first``, ``rows`` and those rows' ``cells``,
    ``progress``, ``rows_done``), ``done`` (``status``, ``run_id``); ids 1, 2, …; ends after ``done``."""
    async for event in replay(sweeps.subscribe(sweep.id, cursor), cleanup, as_json_text):
        yield event
