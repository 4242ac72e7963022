"""Writes to the run history that may trail what they record by a moment, on their own thread.

A sweep's 'queued' and 'running' states are worth keeping (the history lists what is under way)
but nobody waits for them: written in line they held up the answer to POST and the first block
by a millisecond or two each. So they wait ``delay`` on this thread, and a sweep that is over by
then (a 2D sweep takes tens of milliseconds) never writes them at all. Its terminal state is
different: ``done`` names the stored record, so that write is made at once, by the caller.

Each record's writes stay in order: a later write replaces one still waiting (keeping its turn),
and a write made at once drops the waiting one and first waits out one in progress, so a stale
'running' never lands over 'done'.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Write = Callable[[], None]

DELAY_SECONDS = 0.1


class WriteBehind:
    def __init__(self, delay: float = DELAY_SECONDS) -> None:
        self.delay = delay
        self.forget()

    def forget(self) -> None:
        """Start empty, with no thread (in a forked child, whose parent's thread did not come along)."""
        self._changed = threading.Condition()
        self._waiting: dict[str, tuple[float, Write]] = {}  # by record id: (when due, write), oldest first
        self._writing: str | None = None
        self._thread: threading.Thread | None = None

    def later(self, key: str, write: Write) -> None:
        """Make ``write`` soon, unless a newer write of ``key`` comes first."""
        with self._changed:
            due = self._waiting[key][0] if key in self._waiting else time.monotonic() + self.delay
            self._waiting[key] = (due, write)
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="optlab-history", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def now(self, key: str, write: Write) -> None:
        """Make ``write`` on this thread, after any write of ``key`` in progress; raises what it raises."""
        with self._changed:
            self._waiting.pop(key, None)
            while self._writing == key:
                self._changed.wait()
        write()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every waiting write is made (each when due); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and self._writing is None, timeout)

    def _serve(self) -> None:
        while True:
            with self._changed:
                key, write = self._next()
                self._writing = key
            try:
                write()
            except Exception:  # the record keeps its previous state; its next write tries again
                log.exception("a write behind to the run history failed (%s)", key)
            finally:
                with self._changed:
                    self._writing = None
                    self._changed.notify_all()

    def _next(self) -> tuple[str, Write]:
        """The oldest waiting write once it is due (call with the lock held)."""
        while True:
            self._changed.wait_for(lambda: bool(self._waiting))
            key, (due, write) = next(iter(self._waiting.items()))
            if time.monotonic() >= due:
                del self._waiting[key]
                return key, write
            self._changed.wait(due - time.monotonic())  # or sooner, when it is dropped or replaced
