"""What the managers of training jobs and of sweeps share: a queue, the threads that take from it,
and how it stops (every unfinished piece of work ends 'interrupted', and whoever listens hears of it).
"""

from __future__ import annotations

import math
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar


class Work(Protocol):
    """A job or a sweep, as the queue handles it."""

    cancel: threading.Event
    stop_as: str  # what it ends as when cancelled: "cancelled", or "interrupted" when the server stops
    started_at: float | None

    @property
    def progress(self) -> float: ...


W = TypeVar("W", bound=Work)


class WorkQueue(ABC, Generic[W]):
    """``max_concurrent`` threads, each running ``_worker``; a subclass says what taking and ending
    a piece of work mean (``_worker``, ``_finish``). Everything here is guarded by ``lock``."""

    kind = "job"  # names the threads and what the server says when it stops

    def __init__(self, max_concurrent: int) -> None:
        self.max_concurrent = max_concurrent
        self.lock = threading.RLock()
        self._work = threading.Condition(self.lock)
        self._pending: deque[W] = deque()
        self._running: set[W] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def start(self) -> None:
        with self.lock:
            self._stopping = False
        for k in range(self.max_concurrent):
            thread = threading.Thread(target=self._worker, name=f"optlab-{self.kind}-{k}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """End every unfinished piece of work as 'interrupted' (listeners hear of it), then join the threads."""
        with self.lock:
            self._stopping = True
            queued = list(self._pending)
            self._pending.clear()
            for work in self._running:
                work.stop_as = "interrupted"
                work.cancel.set()
            self._work.notify_all()
        for work in queued:
            self._finish(work, "interrupted", f"the server stopped before the {self.kind} started")
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = [t for t in self._threads if t.is_alive()]

    @abstractmethod
    def _worker(self) -> None: ...

    @abstractmethod
    def _finish(self, work: W, status: str, error: str | None) -> None: ...


def retry_after(running: Iterable[Work]) -> int:
    """Seconds until the piece of work nearest to its end should be done (1–60; 5 when unknown)."""
    now, estimates = time.time(), []
    for work in running:
        if work.started_at and work.progress > 0:
            estimates.append((now - work.started_at) * (1 - work.progress) / work.progress)
    return int(min(60, max(1, math.ceil(min(estimates))))) if estimates else 5
