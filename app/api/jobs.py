"""Training jobs: submit, list, read, cancel, and follow one live as Server-Sent Events.

The events stream replays the job's event log: from the start for a new subscriber, from
``Last-Event-ID`` (or ``?after=``) for one that reconnects, and ends after the job's ``end``
event. A client that already has everything of an ended job gets 204, which tells a browser's
EventSource to stop reconnecting.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.api.datasets import DatasetsDep
from app.api.security import STREAM_RESPONSES, StreamSlot
from app.api.streams import StreamCleanup
from app.config import Settings
from app.data.registry import DatasetUnavailable
from app.deps import StoreDep
from app.jobs import Job, JobManager, JobNotFound, JobPlan, NotCancellable, QueueFull
from app.optim.registry import get_optimizer
from app.schemas import JobCreated, JobOut, JobRequest, JobSummary
from app.training.engine import RunConfig, resolve_device

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

RETRY_MS = 2000  # EventSource reconnect delay we suggest

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no job with that id (or no longer kept)"}}


def get_jobs(request: Request) -> JobManager:
    jobs: JobManager | None = getattr(request.app.state, "jobs", None)
    if jobs is None:
        raise HTTPException(503, "the job manager is not running")
    return jobs


JobsDep = Annotated[JobManager, Depends(get_jobs)]


def found(job_id: str, jobs: JobsDep, store: StoreDep) -> Job:
    """A job this server process keeps. A job from before a restart (or evicted after ``max_kept_jobs``)
    is history, not a live job: 404 here, with a pointer to its record in /api/runs."""
    try:
        return jobs.get(job_id)
    except JobNotFound:
        if store.get(job_id) is not None:
            raise HTTPException(404, f"job '{job_id}' is no longer live; its record is at /api/runs/{job_id}") from None
        raise HTTPException(404, f"no job '{job_id}'") from None


JobDep = Annotated[Job, Depends(found)]


def _error(field: str, message: str, value: Any) -> dict[str, Any]:
    """A 422 item in the app's usual shape, for checks that need the server's state."""
    return {"type": "value_error", "loc": ("body", field), "msg": message, "input": value}


def plan_job(req: JobRequest, datasets: DatasetsDep, settings: Settings) -> JobPlan:
    """Check what only the server knows (data set, its rows, the step limit, the device), all at once:
    the client hears of every refused field in one 422, not one per attempt."""
    errors = []
    dataset = None
    try:
        dataset = datasets.get(req.dataset)
    except KeyError:
        known = ", ".join(datasets.known_ids())
        errors.append(_error("dataset", f"unknown dataset '{req.dataset}'; expected one of {known}", req.dataset))
    except DatasetUnavailable as exc:
        errors.append(_error("dataset", str(exc), req.dataset))
    if dataset is not None:
        errors.extend(_schedule_errors(req, dataset.id, dataset.rows, settings.max_job_steps))
    device = None
    try:
        device = resolve_device(req.device).type
    except ValueError as exc:
        errors.append(_error("device", str(exc), req.device))
    if errors or dataset is None or device is None:
        raise RequestValidationError(errors)
    runs = [
        RunConfig(run.optimizer, run.impl, get_optimizer(run.optimizer).resolve(run.hyperparams, run.impl, "training"))
        for run in req.runs
    ]
    return JobPlan(dataset, runs, req.batch_size, req.epochs, req.seed, req.device, device)


def _schedule_errors(req: JobRequest, dataset_id: str, rows: int, max_steps: int) -> list[dict[str, Any]]:
    if req.batch_size > rows:
        return [_error("batch_size", f"must be at most {rows}, the rows of dataset '{dataset_id}'", req.batch_size)]
    steps = req.epochs * math.ceil(rows / req.batch_size)
    if steps > max_steps:
        return [
            _error(
                "epochs",
                f"this job would take {steps:,} steps (epochs × minibatches per epoch); the server's limit is "
                f"{max_steps:,}: use fewer epochs or a larger batch",
                req.epochs,
            )
        ]
    return []


@router.post(
    "",
    status_code=202,
    response_model=JobCreated,
    responses={
        429: {
            "description": "the queue is full; see Retry-After",
            "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
        }
    },
)
def create_job(
    req: JobRequest,
    request: Request,
    response: Response,
    jobs: JobsDep,
    datasets: DatasetsDep,
) -> JobCreated:
    """Queue a training job; follow it at ``events`` or poll ``url``."""
    plan = plan_job(req, datasets, request.app.state.settings)
    try:
        job = jobs.submit(plan)
    except QueueFull as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    url = f"/api/jobs/{job.id}"
    response.headers["Location"] = url
    return JobCreated(id=job.id, status="queued", url=url, events=f"{url}/events")


@router.get("", response_model=list[JobSummary])
def list_jobs(jobs: JobsDep) -> list[dict[str, Any]]:
    """The jobs this server keeps, newest first, without their curves."""
    return jobs.records(curves=False)


@router.get("/{job_id}", response_model=JobOut, responses=NOT_FOUND)
def get_job(job: JobDep, jobs: JobsDep) -> dict[str, Any]:
    return jobs.record(job.id, curves=True)


@router.post(
    "/{job_id}/cancel",
    response_model=JobSummary,
    responses={**NOT_FOUND, 409: {"description": "the job has already ended"}},
)
def cancel_job(job: JobDep, jobs: JobsDep) -> dict[str, Any]:
    """A queued job ends at once ('cancelled'); a running one gets ``cancel_requested`` and stops
    within a few steps (its ``end`` event follows)."""
    try:
        jobs.cancel(job.id)
    except NotCancellable as exc:
        raise HTTPException(409, str(exc)) from None
    return jobs.record(job.id, curves=False)


def event_cursor(
    job: JobDep,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=10**9)] = None,
    after: Annotated[int | None, Query(ge=0, le=10**9, description="start after this event id")] = None,
) -> int:
    """Where a subscriber starts: after Last-Event-ID (a reconnect) or ?after=, else at the first event.

    Checked before the stream opens, so an ended job the client has fully read answers 204.
    """
    cursor = last_event_id if last_event_id is not None else (after or 0)
    if job.terminal and cursor >= job.last_event_id:
        raise HTTPException(204)
    return cursor


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
    subscription = jobs.subscribe(job.id, cursor)
    cleanup.call(subscription.close)  # also when the client leaves while this generator is suspended
    try:
        first = True
        while True:
            events, complete = subscription.take()
            for event in events:
                yield ServerSentEvent(
                    event=event.name, id=str(event.id), data=event.data, retry=RETRY_MS if first else None
                )
                first = False
            if complete:
                return
            await subscription.wait()
    finally:
        subscription.close()
