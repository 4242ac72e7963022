"""Every dependency the routers ask for, by type (``Annotated`` aliases), and their providers.

Routers import from here and from the services, never from each other. A provider that only reads
the app's state is ``async``: FastAPI then calls it on the event loop, where a plain ``def`` would
cost a hop through the thread pool (and a wait for the GIL) per dependency and request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Generator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from app.api.access import Caller, caller_of
from app.api.errors import request_lang, too_many
from app.api.security import SlotLimiter, client_key
from app.config import Settings
from app.data.registry import DatasetRegistry
from app.history.store import RunStore
from app.sweep.manager import Sweep, SweepManager, SweepNotFound
from app.training.job import Job, JobNotFound
from app.training.jobs import JobManager
from app.trajectory.service import TrajectoryService

log = logging.getLogger(__name__)

G = TypeVar("G", bound=Generator[Any, Any, Any])
STREAM_RETRY_AFTER_SECONDS = 5
COMPUTE_RETRY_AFTER_SECONDS = 2


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_lang(request: Request) -> str:
    return request_lang(request)


async def get_store(request: Request) -> RunStore:
    store: RunStore = request.app.state.store
    return store


async def get_datasets(request: Request) -> DatasetRegistry:
    registry: DatasetRegistry = request.app.state.datasets
    return registry


async def get_jobs(request: Request) -> JobManager:
    jobs: JobManager | None = getattr(request.app.state, "jobs", None)
    if jobs is None:
        raise HTTPException(503, "the job manager is not running")
    return jobs


async def get_trajectories(request: Request) -> TrajectoryService:
    service: TrajectoryService = request.app.state.trajectories
    return service


async def client_gone(request: Request) -> AsyncIterator[asyncio.Event]:
    """Set when the client disconnects before the answer is sent (for answers that take a while).

    The body has been read by then, so the next ASGI message is the client going away.
    """
    gone = asyncio.Event()

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        gone.set()

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        yield gone
    finally:
        watcher.cancel()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TrajectoriesDep = Annotated[TrajectoryService, Depends(get_trajectories)]
ClientGoneDep = Annotated[asyncio.Event, Depends(client_gone)]
LangDep = Annotated[str, Depends(get_lang)]
StoreDep = Annotated[RunStore, Depends(get_store)]
DatasetsDep = Annotated[DatasetRegistry, Depends(get_datasets)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
# ?preview=true on a 2D comparison: answered, not stored (the page's sliders re-run while dragged).
PreviewQuery = Annotated[
    bool,
    Query(description="compute and answer, but keep nothing in the run history (run_id null): a slider being dragged"),
]


async def found_job(job_id: str, jobs: JobsDep, store: StoreDep) -> Job:
    """A job this server process keeps. A job from before a restart (or evicted after ``max_kept_jobs``)
    is history, not a live job: 404 here, with a pointer to its record in /api/runs. The live lookup
    is in memory, on the loop; only a miss reads the store, in the thread pool."""
    try:
        return jobs.get(job_id)
    except JobNotFound:
        if await run_in_threadpool(store.get, job_id) is not None:
            raise HTTPException(404, f"job '{job_id}' is no longer live; its record is at /api/runs/{job_id}") from None
        raise HTTPException(404, f"no job '{job_id}'") from None


JobDep = Annotated[Job, Depends(found_job)]


async def stream_slot(request: Request) -> AsyncIterator[None]:
    """Holds one of the client's stream slots until the response has ended (or the client left).

    A request-scoped dependency with ``yield``: FastAPI runs the code after ``yield`` once the
    streaming response is finished, so the slot is released on ``done``, on errors and on disconnect.
    """
    limiter: SlotLimiter = request.app.state.stream_limiter
    client = client_key(request)
    if not limiter.acquire(client):
        raise too_many(
            f"too many open streams from this client (limit {limiter.per_client}); close one or retry later",
            STREAM_RETRY_AFTER_SECONDS,
        )
    try:
        yield
    finally:
        limiter.release(client)


StreamSlot = Annotated[None, Depends(stream_slot)]


async def current_caller(request: Request) -> Caller:
    return caller_of(request)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def compute_slot(request: Request) -> AsyncIterator[None]:
    """Holds one of the owner's one-shot computation slots for the whole request (429 beyond).

    Released once the answer has gone, or the client has left and the computation has stopped: a
    client that gives up and asks again cannot stack up work, its abandoned computations count
    until they end.
    """
    limiter: SlotLimiter = request.app.state.compute_limiter
    owner = caller_of(request).owner
    if not limiter.acquire(owner):
        raise too_many(
            f"you already have {limiter.per_client} computations running (the limit per user); "
            "wait for one to finish, or retry later",
            COMPUTE_RETRY_AFTER_SECONDS,
        )
    try:
        yield
    finally:
        limiter.release(owner)


ComputeSlot = Annotated[None, Depends(compute_slot)]


class Cleanup:
    """What an event stream holds, released when its response ends, however it ended.

    FastAPI iterates a streaming endpoint's generator from a producer task. When the client goes away
    that task is cancelled and the generator is left suspended; it is closed only when the garbage
    collector finds it, which can be much later: the cancelled task's exception keeps the producer's
    frame (and with it the generator) in a reference cycle. Measured on 20 dropped trajectory streams:
    one or two stayed suspended, holding their results, until a full collection. So a stream hands
    this dependency (with ``yield``: its exit runs once the response is over) generators to close
    (``hold``) and callbacks to run (``call``), e.g. dropping a job subscription.
    """

    def __init__(self) -> None:
        self._generators: list[Generator[Any, Any, Any]] = []
        self._callbacks: list[Callable[[], None]] = []

    def hold(self, generator: G) -> G:
        """Close ``generator`` when the response ends (a no-op if it has finished by then)."""
        self._generators.append(generator)
        return generator

    def call(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the response ends (it must be safe to run twice)."""
        self._callbacks.append(callback)

    def run(self) -> None:
        for callback in reversed(self._callbacks):
            try:
                callback()
            except Exception:
                log.exception("stream clean-up callback failed")
        for generator in reversed(self._generators):
            # The producer has stopped, so the generator is suspended, not running; should it be
            # running after all (ValueError), the garbage collector closes it instead.
            try:
                generator.close()
            except ValueError:
                pass
            except Exception:
                log.exception("closing a stream's generator failed")


async def stream_cleanup() -> AsyncIterator[Cleanup]:
    cleanup = Cleanup()
    try:
        yield cleanup
    finally:
        cleanup.run()


StreamCleanup = Annotated[Cleanup, Depends(stream_cleanup)]


# --- sweeps -----------------------------------------------------------------------------------


async def get_sweeps(request: Request) -> SweepManager:
    sweeps: SweepManager | None = getattr(request.app.state, "sweeps", None)
    if sweeps is None:
        raise HTTPException(503, "the sweep manager is not running")
    return sweeps


SweepsDep = Annotated[SweepManager, Depends(get_sweeps)]


async def found_sweep(sweep_id: str, sweeps: SweepsDep, store: StoreDep) -> Sweep:
    """A sweep this server process keeps; an older one is history: 404 pointing at its record (read
    in the thread pool: only a miss touches the store)."""
    try:
        return sweeps.get(sweep_id)
    except SweepNotFound:
        if len(sweep_id) <= 64 and await run_in_threadpool(store.get, sweep_id) is not None:
            raise HTTPException(
                404, f"sweep '{sweep_id}' is no longer live; its record is at /api/runs/{sweep_id}"
            ) from None
        raise HTTPException(404, f"no sweep '{sweep_id}'") from None


SweepDep = Annotated[Sweep, Depends(found_sweep)]
