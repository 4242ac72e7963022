"""The debug page's figures: threads, streams, the 2D workers, the job manager, memory."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ThreadStats(BaseModel):
    total: int = Field(description="Python threads alive in the server process")
    pool: int = Field(description="threads of the pool that runs sync endpoints and streams, busy or idle")
    pool_busy: int = Field(description="pool threads running a request right now")
    pool_limit: int
    jobs: int = Field(description="training job workers")
    other: int = Field(description="every other thread (the main thread, ...)")
    os: int | None = Field(description="OS threads of the process (torch's too), where the OS tells")


class StreamStats(BaseModel):
    open: int = Field(description="event streams holding a client's stream slot")
    trajectory_generators: int = Field(description="trajectory streams not yet closed (computing or suspended)")


class ComputeStats(BaseModel):
    workers: int = Field(description="worker processes for 2D comparisons (0 until the first is needed)")
    busy: int = Field(description="workers computing right now")
    queued: int = Field(description="tasks waiting for a worker")
    tasks: int = Field(description="tasks given to the workers since start-up")
    computed: int = Field(description="comparisons computed (or found in the history) since start-up")
    entries: int = Field(description="finished comparisons in the answer cache")
    bytes: int = Field(description="memory the answer cache holds")
    hits: int
    misses: int


class JobStats(BaseModel):
    jobs: int = Field(description="jobs kept in memory (unfinished, then the newest finished)")
    queued: int
    running: int
    subscribers: int = Field(description="open event-stream subscriptions to jobs")
    workers: int
    max_concurrent: int
    max_queued: int


class DebugStats(BaseModel):
    threads: ThreadStats
    tasks: int = Field(description="asyncio tasks on the server's event loop (this request's included)")
    streams: StreamStats
    jobs: JobStats | None = Field(description="null while the job manager is not running")
    compute: ComputeStats = Field(description="the 2D service's worker pool and answer cache")
    rss_bytes: int | None = Field(description="resident memory of the process, where the OS tells")
