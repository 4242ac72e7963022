"""The 2D service's work as it runs in a worker process: compute, look up and store comparisons.

Each function takes the worker's context first (``app.trajectory.pool``) and plain data after it.
Computing checks for cancellation between chunks, so a request whose client went away stops
within one chunk and stores nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.history.store import RunStore
from app.trajectory.comparison import STREAM_CHUNK_STEPS, Plan, RunResult, collect, run_chunks
from app.trajectory.pool import WorkerContext
from app.trajectory.records import from_record, to_record


@dataclass(frozen=True)
class Destination:
    """Where a comparison's record goes: the history database, its id and the request it answers."""

    db_path: Path
    run_id: str
    digest: str
    config: dict[str, Any]  # the request as run, with the digest


class InProcess:
    """The context for work too small to send to a worker (it would cost more to send than to do)."""

    def check(self) -> None:
        pass

    def emit(self, message: object) -> None:
        pass


@lru_cache(maxsize=8)
def _store(path: Path) -> RunStore:
    return RunStore(path)


def lookup(dest: Destination) -> list[RunResult] | None:
    record = _store(dest.db_path).get(dest.run_id)
    return from_record(record, dest.digest) if record is not None else None


Context = WorkerContext | InProcess


def compute(ctx: Context, plan: Plan, stream: bool) -> list[RunResult]:
    """Every run's path; with ``stream`` each chunk is also emitted, as its step event's JSON, when
    it is made (the server only relays it: encoding is work, and the workers do the work)."""
    chunks = []
    steps = STREAM_CHUNK_STEPS if stream else None
    for chunk in run_chunks(plan.problem.objective(), plan, steps, between=ctx.check):
        if stream:
            ctx.emit(chunk.json())
        chunks.append(chunk)
    return collect(plan.runs, chunks)


def answer(ctx: Context, plan: Plan, dest: Destination) -> tuple[list[RunResult], bool]:
    """The comparison from the history if it holds it, else computed and stored: (runs, computed)."""
    found = lookup(dest)
    if found is not None:
        return found, False
    began = time.perf_counter()
    results = compute(ctx, plan, stream=False)
    ctx.check()  # a client gone while the last chunk ran: store nothing
    _store(dest.db_path).save(to_record(dest.run_id, dest.config, results, time.perf_counter() - began))
    return results, True


def stream(ctx: Context, plan: Plan, dest: Destination) -> tuple[list[RunResult], bool]:
    """(runs, stored): from the history if it holds them, else computed with every chunk emitted as
    it is made (the consumer stores them once its client has everything)."""
    found = lookup(dest)
    if found is not None:
        return found, True
    return compute(ctx, plan, stream=True), False


def save(ctx: Context, dest: Destination, results: list[RunResult], seconds: float) -> None:
    _store(dest.db_path).save(to_record(dest.run_id, dest.config, results, seconds))


def ensure(ctx: WorkerContext, dest: Destination) -> bool:
    """Whether the history still holds the record (a user may have deleted it since)."""
    return _store(dest.db_path).get(dest.run_id) is not None
