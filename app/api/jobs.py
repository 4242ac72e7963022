"""Training jobs: submit, list, read, cancel, and follow one live as Server-Sent Events.

The events stream replays the job's event log: from the start for a new subscriber, from
``Last-Event-ID`` (or ``?after=``) for one that reconnects, and ends after the job's ``end``
event. A client that already has everything of an ended job gets 204, which tells a browser's
EventSource to stop reconnecting.

Anyone may read a job; only the browser that submitted it (or the admin) may cancel it. One
browser may have ``max_jobs_per_client`` jobs queued or running at once (429 beyond).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.api.access import Caller
from app.api.deps import CallerDep, DatasetsDep, JobDep, JobsDep, SettingsDep, StreamCleanup, StreamSlot
from app.api.errors import FORBIDDEN, RETRY_AFTER, STREAM_RESPONSES, refused, too_many
from app.api.streams import StartAfter, replay
from app.schemas.jobs import JobBrief, JobCreated, JobOut, JobRequest
from app.training.job import NotCancellable, QueueFull
from app.training.plan import plan_job
from app.training.snapshot import JobSnapshot

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no job with that id (or no longer kept)"}}


@router.post(
    "",
    status_code=202,
    response_model=JobCreated,
    responses={
        429: {
            "description": "the queue is full, or this user has max_jobs_per_client jobs already; see Retry-After",
            "headers": RETRY_AFTER,
        }
    },
)
def create_job(
    req: JobRequest,
    response: Response,
    jobs: JobsDep,
    datasets: DatasetsDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> JobCreated:
    """Queue a training job; follow it at ``events`` or poll ``url``."""
    plan = plan_job(req, datasets, settings.max_job_steps, owner=caller.owner)
    try:
        job = jobs.submit(plan)
    except QueueFull as exc:
        raise too_many(str(exc), exc.retry_after) from None
    url = f"/api/jobs/{job.id}"
    response.headers["Location"] = url
    return JobCreated(id=job.id, status="queued", url=url, events=f"{url}/events")


def _shown(job: JobSnapshot, caller: Caller) -> dict[str, Any]:
    """The job as the caller sees it: whether it is theirs, never whose it is."""
    shown = job.to_json()
    del shown["owner"]
    return {**shown, "mine": caller.owns(job.owner)}


@router.get("", response_model=list[JobBrief])
def list_jobs(jobs: JobsDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The jobs this server keeps, newest first, without their curves."""
    return [_shown(snapshot, caller) for snapshot in jobs.snapshots(curves=False)]


@router.get("/{job_id}", response_model=JobOut, responses=NOT_FOUND)
def get_job(job: JobDep, jobs: JobsDep, caller: CallerDep) -> dict[str, Any]:
    return _shown(jobs.snapshot(job.id, curves=True), caller)


@router.post(
    "/{job_id}/cancel",
    response_model=JobBrief,
    responses={**NOT_FOUND, **FORBIDDEN, 409: {"description": "the job has already ended"}},
)
def cancel_job(job: JobDep, jobs: JobsDep, caller: CallerDep) -> dict[str, Any]:
    """A queued job ends at once ('cancelled'); a running one gets ``cancel_requested`` and stops
    within a few steps (its ``end`` event follows). Only its owner or the admin may."""
    if not caller.may_change(job.owner):
        raise refused(403, caller.refusal(f"cancel job '{job.id}'"))
    try:
        jobs.cancel(job.id)
    except NotCancellable as exc:
        raise refused(409, str(exc)) from None
    return _shown(jobs.snapshot(job.id, curves=False), caller)


async def event_cursor(job: JobDep, after: StartAfter) -> int:
    """Checked before the stream opens, so an ended job the client has fully read answers 204."""
    if job.terminal and after >= job.last_event_id:
        raise HTTPException(204)
    return after


@router.get(
    "/{job_id}/events",
    response_class=EventSourceResponse,
    responses={**NOT_FOUND, **STREAM_RESPONSES, 204: {"description": "the job has ended and the client has it all"}},
)
async def job_events(
    job: JobDep,
    jobs: JobsDep,
    slot: StreamSlot,
    cursor: Annotated[int, Depends(event_cursor)],
    cleanup: StreamCleanup,
) -> AsyncIterator[ServerSentEvent]:
    """Events ``job``, ``status``, ``progress``, ``run``, ``end`` (ids 1, 2, …); the stream ends after ``end``."""
    async for event in replay(jobs.subscribe(job.id, cursor), cleanup):
        yield event
