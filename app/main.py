"""The ASGI app: ``app.main:app``."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import torch
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.api import book, datasets, debug, docs, errors, jobs, meta, pages, runs, sweeps, trajectories
from app.api.security import install as install_security
from app.config import Settings, get_settings
from app.data.registry import DatasetRegistry
from app.history.listener import JobHistory
from app.history.store import RunStore, StoreUnavailable
from app.history.sweeps import SweepHistory
from app.sweep.cells import SweepCells
from app.sweep.manager import SweepManager
from app.training.admission import Admission
from app.training.jobs import JobManager
from app.trajectory.pool import WorkerPool
from app.trajectory.service import TrajectoryService
from app.trajectory.work import History

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def _warm_up() -> None:
    """The first torch.optim optimizer imports dynamo and sympy (~1 s): pay it at start-up."""
    x = torch.zeros(1, requires_grad=True)
    x.grad = torch.zeros(1)
    torch.optim.Adam([x]).step()


def _freeze_heap() -> None:
    """Take what start-up made (modules, torch, schemas: some 300,000 objects, all living as long
    as the process) out of the garbage collector's walks. A full collection walks every tracked
    object: over this heap it paused the event loop for 0.1-0.3 s, and under load (50 concurrent
    streams) it came once a run, delaying every client's first event by as much."""
    gc.collect()
    gc.freeze()


def _configure_logging() -> None:
    """The app's own log lines, with their level, at the level uvicorn was given (--log-level).

    Uvicorn sets up only its own loggers; without this, the app's warnings (a history that cannot
    be written, a corrupt file set aside) would reach stderr bare, through Python's last resort.
    """
    logger = logging.getLogger("app")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:    %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.getLogger("uvicorn.error").getEffectiveLevel())


def _open_store(settings: Settings) -> RunStore:
    store = RunStore(
        settings.database_path, max_runs=settings.history_max_runs, max_bytes=settings.history_max_mb * 2**20
    )
    try:
        store.mark_interrupted()  # whatever was queued or running died with the last process
    except StoreUnavailable as exc:  # a read-only or broken history still serves what it can
        log.warning("could not mark the runs of the last process as interrupted: %s", exc)
    return store


def _start_trajectories(app: FastAPI, settings: Settings) -> WorkerPool:
    """The 2D service: its workers are forked now when warming up, else on the first comparison."""
    pool = WorkerPool(settings.worker_count)
    app.state.trajectories = TrajectoryService(
        history=History(settings.database_path, app.state.store.max_runs, app.state.store.max_bytes),
        pool=pool,
        cache_bytes=settings.trajectory_cache_mb * 2**20,
        max_response_points=settings.max_response_points,
    )
    if settings.warm_up:
        pool.start()
    return pool


def _start_queue(app: FastAPI, settings: Settings, pool: WorkerPool) -> tuple[JobManager, SweepManager]:
    """Jobs and sweeps take places in one queue, with one share per owner; unfinished ones end
    'interrupted'. A sweep's 2D cells go to the 2D worker pool (from the sweep threads, through this loop)."""
    queue = Admission(settings.max_concurrent_jobs + settings.max_queued_jobs, settings.max_jobs_per_client)
    jobs = JobManager(
        max_concurrent=settings.max_concurrent_jobs,
        max_queued=settings.max_queued_jobs,
        max_kept=settings.max_kept_jobs,
        torch_threads=settings.torch_threads,
        admission=queue,
    )
    sweeps = SweepManager(
        SweepCells(pool, asyncio.get_running_loop()),
        queue,
        max_concurrent=settings.max_concurrent_jobs,
        max_kept=settings.max_kept_jobs,
        listeners=[SweepHistory(app.state.store)],
    )
    app.state.datasets = DatasetRegistry(
        settings.data_dir,
        settings.upload_memory_mb * 2**20,
        uploads_dir=settings.uploads_path,
        in_use=lambda: jobs.active_dataset_ids() | sweeps.active_dataset_ids(),
    )
    app.state.jobs, app.state.sweeps = jobs, sweeps
    jobs.add_listener(JobHistory(app.state.store))  # every job's states go to the run history
    jobs.start()
    sweeps.start()
    return jobs, sweeps


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        torch.set_num_threads(settings.torch_threads)
        app.state.store = _open_store(settings)
        if settings.warm_up:
            _warm_up()
        pool = _start_trajectories(app, settings)
        jobs, sweeps = _start_queue(app, settings, pool)
        if settings.warm_up:
            _freeze_heap()
        try:
            yield
        finally:
            gc.unfreeze()  # collectable again (a process that builds another app, e.g. the tests)
            sweeps.stop()  # a sweep thread never waits on this loop: it stops at its next look
            await pool.close()
            jobs.stop()  # this lifespan's own workers, even if another has started since

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    _configure_logging()
    app = FastAPI(
        title="Optimizer Lab", version=__version__, lifespan=_lifespan(settings), docs_url=None, redoc_url=None
    )
    app.state.settings = settings
    errors.install(app)
    install_security(app, settings)  # headers, body cap, HEAD, Host/Origin, owner cookie, CORS, slots
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.mount("/vendor", StaticFiles(packages=[("plotly", "package_data")]), name="vendor")
    app.include_router(meta.router)
    app.include_router(trajectories.router)
    app.include_router(runs.router)
    app.include_router(datasets.router)
    app.include_router(jobs.router)
    app.include_router(sweeps.router)
    app.include_router(book.router)  # GET /api/book: the chapter's printed results
    app.include_router(debug.router)  # GET /api/debug/stats: counts that show leaks
    docs.install(app)
    app.include_router(pages.router)
    return app


app = create_app()
