"""Readers of an event log (a job's or a sweep's): any number of subscribers replay it from any point.

A late subscriber gets the history first, a reconnecting one (Last-Event-ID) exactly what it
missed. Subscribers are asyncio coroutines; the worker thread wakes them through
``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any, Generic, Protocol, TypeVar

WAKE_SECONDS = 5.0  # a subscriber re-checks at least this often (bounded wait)

E = TypeVar("E")


class EventLog(Protocol[E]):
    """What a subscription reads: the events so far, whether the last one is in, who is reading."""

    @property
    def events(self) -> list[E]: ...

    @property
    def log_complete(self) -> bool: ...

    @property
    def subscribers(self) -> set[Any]: ...


class Subscription(Generic[E]):
    """One reader of one event log, living on an asyncio loop; the worker wakes it."""

    def __init__(self, lock: threading.RLock, log: EventLog[E], after: int) -> None:
        self.lock, self.log, self.cursor = lock, log, after
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()

    def notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: its client is gone
            self._loop.call_soon_threadsafe(self._wake.set)

    def take(self) -> tuple[list[E], bool]:
        """Events after the cursor, and whether the stream is complete (the last event delivered)."""
        self._wake.clear()
        with self.lock:
            events = self.log.events[self.cursor :]
            self.cursor += len(events)
            complete = self.log.log_complete and self.cursor >= len(self.log.events)
        return events, complete

    async def wait(self, timeout: float = WAKE_SECONDS) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def close(self) -> None:
        with self.lock:
            self.log.subscribers.discard(self)
