"""Readers of a job's event log: any number of subscribers replay it from any point.

A late subscriber gets the history first, a reconnecting one (Last-Event-ID) exactly what it
missed. Subscribers are asyncio coroutines; the worker thread wakes them through
``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from app.training.job import Job, JobEvent

WAKE_SECONDS = 5.0  # a subscriber re-checks at least this often (bounded wait)


class Subscription:
    """One reader of one job's events, living on an asyncio loop; the worker wakes it."""

    def __init__(self, lock: threading.RLock, job: Job, after: int) -> None:
        self.lock, self.job, self.cursor = lock, job, after
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()

    def notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: its client is gone
            self._loop.call_soon_threadsafe(self._wake.set)

    def take(self) -> tuple[list[JobEvent], bool]:
        """Events after the cursor, and whether the stream is complete (terminal event delivered)."""
        self._wake.clear()
        with self.lock:
            events = self.job.events[self.cursor :]
            self.cursor += len(events)
            complete = self.job.terminal and self.cursor >= self.job.last_event_id
        return events, complete

    async def wait(self, timeout: float = WAKE_SECONDS) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def close(self) -> None:
        with self.lock:
            self.job.subscribers.discard(self)
