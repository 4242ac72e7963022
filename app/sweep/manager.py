"""Sweeps off the request path, within the job queue's bounds, each with an event log.

A sweep moves queued → running → done | failed | cancelled | interrupted, as a training job does,
and takes one place of the queue that training jobs use (an ``Admission`` shared with the
``JobManager``), so a full queue refuses either kind (``QueueFull``: 429 with Retry-After).

The cells are computed by ``compute`` (the kind's own runner) in blocks of whole rows; each block
becomes a ``progress`` event carrying those rows, so a subscriber, late or not, replays ``meta``,
every ``progress`` and ``done`` and has every cell. Listeners (the run history) are told of each
state change; the terminal one is told *before* ``done`` is sent, so the ``run_id`` that ``done``
carries is already readable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from app.sweep.live import Sweep, SweepEvent, meta_event
from app.sweep.plan import SweepPlan, TrainingProblem
from app.sweep.state import RowBlock, SweepState
from app.training.admission import Admission
from app.training.events import Subscription
from app.training.job import NotCancellable, OwnerBusy, QueueFull
from app.training.queue import WorkQueue, retry_after

log = logging.getLogger(__name__)

__all__ = ["Compute", "Subscription", "Sweep", "SweepManager", "SweepNotFound"]


class Compute(Protocol):
    def __call__(self, plan: SweepPlan, should_stop: Callable[[], bool]) -> Iterator[RowBlock]:
        """The plan's cells, a block of whole rows at a time (in any order); stops early when asked."""
        ...


Listener = Callable[[SweepState], None]


class SweepNotFound(KeyError):
    pass


class SweepManager(WorkQueue[Sweep]):
    kind = "sweep"

    def __init__(
        self,
        compute: Compute,
        admission: Admission,
        *,
        max_concurrent: int,
        max_kept: int = 200,
        listeners: Iterable[Listener] = (),
    ) -> None:
        super().__init__(max_concurrent)
        self.compute, self.admission = compute, admission
        self.max_kept = max_kept
        self.listeners: list[Listener] = list(listeners)
        self._sweeps: dict[str, Sweep] = {}

    def add_listener(self, listener: Listener) -> None:
        self.listeners.append(listener)

    # --- requests -----------------------------------------------------------------------------

    def submit(self, plan: SweepPlan) -> Sweep:
        """Queue a sweep; ``QueueFull`` (or ``OwnerBusy``: its owner's share is used) when it cannot wait."""
        with self.lock:
            refusal = "full" if self._stopping else self.admission.enter(plan.owner)
            if refusal == "owner":
                raise OwnerBusy(self.admission.per_owner or 0, self._retry_after(plan.owner))
            if refusal is not None:
                raise QueueFull(self.admission.capacity, 5 if self._stopping else self._retry_after())
            sweep = Sweep(plan)
            self._sweeps[sweep.id] = sweep
            self._emit(sweep, "meta", meta_event(sweep.state(cells=False)))
        self._tell(sweep)  # stored as queued before a worker can take it
        with self.lock:
            if sweep.terminal:  # the server stopped meanwhile
                return sweep
            self._pending.append(sweep)
            self._work.notify()
        return sweep

    def get(self, sweep_id: str) -> Sweep:
        with self.lock:
            sweep = self._sweeps.get(sweep_id)
        if sweep is None:
            raise SweepNotFound(sweep_id)
        return sweep

    def state(self, sweep_id: str, cells: bool = True) -> SweepState:
        sweep = self.get(sweep_id)
        with self.lock:
            return sweep.state(cells)

    def cancel(self, sweep_id: str) -> Sweep:
        """A queued sweep ends at once; a running one stops at its runner's next look at the flag."""
        sweep = self.get(sweep_id)
        with self.lock:
            if sweep.terminal:
                raise NotCancellable(f"sweep '{sweep_id}' has already ended ({sweep.status})")
            queued = sweep in self._pending
            if queued:
                self._pending.remove(sweep)
            else:
                sweep.cancel.set()
        if queued:
            self._finish(sweep, "cancelled", None)
        return sweep

    def wait(self, sweep_id: str, timeout: float) -> bool:
        """Block until ``done`` is sent (for scripts and tests); False on timeout."""
        return self.get(sweep_id).ended.wait(timeout)

    def subscribe(self, sweep_id: str, after: int = 0) -> Subscription[SweepEvent]:
        """Call on the event loop that will read it; close() it when done."""
        sweep = self.get(sweep_id)
        subscription: Subscription[SweepEvent] = Subscription(self.lock, sweep, max(0, after))
        with self.lock:
            sweep.subscribers.add(subscription)
        return subscription

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {"sweeps": len(self._sweeps), "queued": len(self._pending), "running": len(self._running)}

    # --- internals ----------------------------------------------------------------------------

    def active_dataset_ids(self) -> set[str]:
        """Data sets that queued or running training sweeps train on (an upload not to evict)."""
        with self.lock:
            sweeps = (*self._pending, *self._running)
            return {s.plan.problem.dataset.id for s in sweeps if isinstance(s.plan.problem, TrainingProblem)}

    def _retry_after(self, owner: str | None = None) -> int:
        """Seconds until the running sweep (of ``owner``, if given) nearest to its end should be done."""
        return retry_after(s for s in self._running if owner is None or s.plan.owner == owner)

    def _emit(self, sweep: Sweep, name: str, data: dict[str, Any]) -> None:
        """Append to the log and wake the subscribers; call with the lock held."""
        sweep.events.append(SweepEvent(len(sweep.events) + 1, name, data))
        for subscription in sweep.subscribers:
            subscription.notify()

    def _tell(self, sweep: Sweep) -> bool:
        """Hand the listeners a snapshot (with the cells once ended); False if one of them failed."""
        with self.lock:
            state = sweep.state(cells=sweep.terminal)
        ok = True
        for listener in self.listeners:
            try:
                listener(state)
            except Exception:
                log.exception("sweep listener failed for sweep %s", sweep.id)
                ok = False
        return ok

    def _worker(self) -> None:
        while True:
            with self.lock:
                while not self._pending and not self._stopping:
                    self._work.wait()
                if self._stopping:
                    return
                sweep = self._pending.popleft()
                self._running.add(sweep)
                sweep.status, sweep.started_at = "running", time.time()
                self._emit(sweep, "progress", self._progress_data(sweep, None))
            self._tell(sweep)
            try:
                self._run(sweep)
                status, error = "done", None
                if sweep.cancel.is_set() and not all(sweep.row_done):
                    status = sweep.stop_as
                    error = "the server stopped during the sweep" if status == "interrupted" else None
                elif not all(sweep.row_done):
                    status, error = "failed", "the runner ended before every row was done"
            except Exception as exc:
                log.exception("sweep %s failed", sweep.id)
                status, error = "failed", f"{type(exc).__name__}: {exc}"
            with self.lock:
                self._running.discard(sweep)
            self._finish(sweep, status, error)

    def _run(self, sweep: Sweep) -> None:
        for block in self.compute(sweep.plan, sweep.cancel.is_set):
            with self.lock:
                sweep.add(block)
                self._emit(sweep, "progress", self._progress_data(sweep, block))
            if sweep.cancel.is_set():
                return

    @staticmethod
    def _progress_data(sweep: Sweep, block: RowBlock | None) -> dict[str, Any]:
        data: dict[str, Any] = {"status": sweep.status, "progress": sweep.progress, "rows_done": sweep.rows_done}
        if block is None:
            data["started_at"] = sweep.started_at
        else:
            data.update(first=block.first, rows=block.rows, cells=block.cells)
        return data

    def _finish(self, sweep: Sweep, status: str, error: str | None) -> None:
        self.admission.leave(sweep.plan.owner)
        with self.lock:
            sweep.status, sweep.error, sweep.finished_at = status, error, time.time()
        stored = self._tell(sweep)
        with self.lock:
            sweep.stored = stored
            done = {
                "status": status,
                "error": error,
                "run_id": sweep.id if stored else None,
                "progress": sweep.progress,
                "rows_done": sweep.rows_done,
                "finished_at": sweep.finished_at,
                "seconds": (sweep.finished_at - sweep.started_at) if sweep.started_at else 0.0,
            }
            self._emit(sweep, "done", done)
            sweep.ended.set()
            self._evict()

    def _evict(self) -> None:
        """Keep at most ``max_kept`` ended sweeps (the newest): their cells stay in the history."""
        ended = [sweep for sweep in self._sweeps.values() if sweep.ended.is_set()]
        for sweep in ended[: max(0, len(ended) - self.max_kept)]:
            del self._sweeps[sweep.id]
