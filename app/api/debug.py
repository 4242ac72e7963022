"""``GET /api/debug/stats``: what the server holds right now, to prove that nothing leaks.

Counts only (no ids, paths, addresses or settings): threads by kind, asyncio tasks, open event
streams, trajectory stream generators not yet closed, job-manager figures and the process's RSS.
The disconnect test reads it before and after dropping many streams and expects the baseline back;
an operator can read it the same way. Counts are of the whole process.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, Request

from app.api.deps import CallerDep, TrajectoriesDep
from app.api.errors import FORBIDDEN, refused
from app.schemas.debug import ComputeStats, DebugStats, JobStats, StreamStats, ThreadStats

router = APIRouter(prefix="/api/debug", tags=["debug"])

POOL_THREAD = "AnyIO worker thread"  # anyio's name for the threads that run sync endpoints and streams
JOB_THREAD = "optlab-job-"  # app.training.jobs names its workers optlab-job-<k>


def _os_threads() -> int | None:
    tasks = Path("/proc/self/task")
    return len(os.listdir(tasks)) if tasks.is_dir() else None


def _rss_bytes() -> int | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _threads() -> ThreadStats:
    limiter = to_thread.current_default_thread_limiter()
    names = [thread.name for thread in threading.enumerate()]
    pool = sum(name == POOL_THREAD for name in names)
    jobs = sum(name.startswith(JOB_THREAD) for name in names)
    return ThreadStats(
        total=len(names),
        pool=pool,
        pool_busy=int(limiter.borrowed_tokens),
        pool_limit=int(limiter.total_tokens),
        jobs=jobs,
        other=len(names) - pool - jobs,
        os=_os_threads(),
    )


@router.get("/stats", response_model=DebugStats, responses=FORBIDDEN)
async def stats(request: Request, caller: CallerDep, trajectories: TrajectoriesDep) -> DebugStats:
    """For the admin token (``Authorization: Bearer``) or a client on this machine (loopback); else 403.

    Async on purpose: it runs on the event loop and borrows no pool thread, so it does not count itself.
    """
    if not (caller.admin or caller.loopback):
        raise refused(
            403, "the server's stats are for its operator: send the admin token or ask from the server itself"
        )
    manager = getattr(request.app.state, "jobs", None)
    return DebugStats(
        threads=_threads(),
        tasks=len(asyncio.all_tasks()),
        streams=StreamStats(
            open=request.app.state.stream_limiter.open_streams(),
            trajectory_generators=trajectories.open_streams,
        ),
        jobs=JobStats(**manager.stats()) if manager is not None else None,
        compute=ComputeStats(**trajectories.stats()),
        rss_bytes=_rss_bytes(),
    )
