"""The bounds of the work queue, shared by training jobs and sweeps."""

from __future__ import annotations

import threading


class Admission:
    """The job queue's bounds: at most ``capacity`` pieces of work queued or running at once, and at
    most ``per_owner`` of them for one owner.

    Training jobs and sweeps share one, so neither kind can crowd the other out of the limits a
    server was given (``max_concurrent_jobs`` + ``max_queued_jobs``, ``max_jobs_per_client``).
    """

    def __init__(self, capacity: int, per_owner: int | None = None) -> None:
        self.capacity, self.per_owner = capacity, per_owner
        self._held: dict[str | None, int] = {}
        self._lock = threading.Lock()

    def enter(self, owner: str | None) -> str | None:
        """Take a place: None when admitted, else why not ("owner": its share is used, "full")."""
        with self._lock:
            if self.per_owner is not None and owner is not None and self._held.get(owner, 0) >= self.per_owner:
                return "owner"
            if sum(self._held.values()) >= self.capacity:
                return "full"
            self._held[owner] = self._held.get(owner, 0) + 1
            return None

    def leave(self, owner: str | None) -> None:
        with self._lock:
            left = self._held.get(owner, 0) - 1
            if left > 0:
                self._held[owner] = left
            else:
                self._held.pop(owner, None)

    @property
    def held(self) -> int:
        with self._lock:
            return sum(self._held.values())
