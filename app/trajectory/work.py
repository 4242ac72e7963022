"""The 2D service's work as it runs in a worker process: compute, look up and store comparisons.

Each function takes the worker's context first (``app.trajectory.pool``) and plain data after it.
Computing checks for cancellation between chunks, so a request whose client went away stops
within one chunk and stores nothing. A history that cannot be read or written (``StoreUnavailable``)
never loses the answer: it comes back with the reason, and the service says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.history.store import RunStore, StoreUnavailable
from app.trajectory.comparison import STREAM_CHUNK_STEPS, Plan, RunResult, collect, run_chunks
from app.trajectory.pool import WorkerContext
from app.trajectory.records import from_record, to_record


@dataclass(frozen=True)
class History:
    """The run history as a worker opens it: its file and its bounds (as the server's own store)."""

    path: Path
    max_runs: int
    max_bytes: int


@dataclass(frozen=True)
class Destination:
    """Where a comparison's record goes: the history, its id, the request it answers, its owner."""

    history: History
    run_id: str
    digest: str
    config: dict[str, Any]  # the request as run, with the digest
    owner: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A comparison's runs; whether the history holds them; why not, when it could not store them."""

    results: list[RunResult]
    stored: bool
    store_error: str | None = None


class InProcess:
    """The context for work too small to send to a worker (it would cost more to send than to do)."""

    def check(self) -> None:
        pass

    def emit(self, message: object) -> None:
        pass


Context = WorkerContext | InProcess


@lru_cache(maxsize=8)
def _store(history: History) -> RunStore:
    return RunStore(history.path, max_runs=history.max_runs, max_bytes=history.max_bytes)


def lookup(dest: Destination) -> list[RunResult] | None:
    """The stored comparison of this request, or None (also when the history cannot be read)."""
    try:
        record = _store(dest.history).get(dest.run_id)
    except StoreUnavailable:
        return None
    return from_record(record, dest.digest) if record is not None else None


def store(dest: Destination, results: list[RunResult], seconds: float) -> str | None:
    """Write the record; the reason it could not be written, or None."""
    try:
        _store(dest.history).save(to_record(dest.run_id, dest.config, results, seconds, dest.owner))
    except StoreUnavailable as exc:
        return str(exc)
    return None


def held(dest: Destination) -> str | None:
    """None when the history holds the record, "missing" when it does not, else why it cannot tell."""
    try:
        return None if _store(dest.history).get(dest.run_id) is not None else "missing"
    except StoreUnavailable as exc:
        return str(exc)


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


def answer(ctx: Context, plan: Plan, dest: Destination) -> Outcome:
    """The comparison from the history if it holds it, else computed and stored."""
    found = lookup(dest)
    if found is not None:
        return Outcome(found, stored=True)
    began = time.perf_counter()
    results = compute(ctx, plan, stream=False)
    ctx.check()  # a client gone while the last chunk ran: store nothing
    error = store(dest, results, time.perf_counter() - began)
    return Outcome(results, stored=error is None, store_error=error)


def stream(ctx: Context, plan: Plan, dest: Destination) -> Outcome:
    """From the history if it holds it, else computed with every chunk emitted as it is made (the
    consumer stores it once its client has everything)."""
    found = lookup(dest)
    if found is not None:
        return Outcome(found, stored=True)
    return Outcome(compute(ctx, plan, stream=True), stored=False)


def save(ctx: Context, dest: Destination, results: list[RunResult], seconds: float) -> str | None:
    return store(dest, results, seconds)


def check(ctx: Context, dest: Destination) -> str | None:
    return held(dest)
