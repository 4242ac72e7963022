"""The job manager: a bounded queue of training jobs off the request path, and its worker threads.

Training runs on plain threads (``max_concurrent_jobs`` of them), never on the event loop; the
job's state and event log live in ``app.training.job``, its readers in ``app.training.events``.
The log is bounded: progress events carry one or more loss points and a job records at most
``MAX_POINTS`` + 1 points per run.

Hooks for a run-history store: ``listeners`` are called with the full job snapshot (``snapshot()``)
on every state change (queued, running, and the terminal one), outside the manager's lock;
``stop()`` ends unfinished jobs as ``interrupted`` and tells the listeners. A listener that
fails (the history cannot be written) leaves the job ``stored: false`` with the reason; the job
then stays in memory, past ``max_kept`` (up to ``MAX_UNTOLD`` such jobs), and the listeners
are asked again every ``RETELL_SECONDS`` until they take it.

Each job has an owner (the browser that submitted it); one owner may have at most
``max_per_owner`` jobs queued or running, so nobody can fill the queue for everyone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import torch

from app.training.admission import Admission
from app.training.events import Subscription
from app.training.job import Job, JobEvent, JobNotFound, JobPlan, NotCancellable, OwnerBusy, QueueFull
from app.training.queue import WorkQueue, retry_after
from app.training.snapshot import JobSnapshot
from app.training.worker import train

log = logging.getLogger(__name__)

RETELL_SECONDS = 10.0  # how often a job the listeners could not take is offered again
MAX_UNTOLD = 1000  # ended jobs kept in memory because no listener took them (then the oldest is lost)

Listener = Callable[[JobSnapshot], None]


class _Stopping(Exception):
    """Ends a worker thread's loop."""


class JobManager(WorkQueue[Job]):
    def __init__(
        self,
        *,
        max_concurrent: int,
        max_queued: int,
        max_kept: int = 200,
        torch_threads: int = 1,
        listeners: Iterable[Listener] = (),
        max_per_owner: int | None = None,
        admission: Admission | None = None,
    ) -> None:
        super().__init__(max_concurrent)
        self.max_queued, self.max_kept = max_queued, max_kept
        self.admission = admission or Admission(max_concurrent + max_queued, max_per_owner)
        self.max_per_owner = self.admission.per_owner
        self.torch_threads = torch_threads
        self.listeners: list[Listener] = list(listeners)
        self._jobs: dict[str, Job] = {}  # insertion order = creation order

    def add_listener(self, listener: Listener) -> None:
        self.listeners.append(listener)

    # --- requests -----------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        return self.admission.capacity

    def submit(self, plan: JobPlan) -> Job:
        job = Job(plan)
        with self.lock:
            if self._stopping:
                raise QueueFull(self.capacity, 5)
            refusal = self.admission.enter(plan.owner)
            if refusal == "owner":
                mine = [j for j in (*self._pending, *self._running) if j.owner == plan.owner]
                raise OwnerBusy(self.admission.per_owner or 0, retry_after(mine))
            if refusal == "full":
                raise QueueFull(self.capacity, retry_after(self._running))
            self._jobs[job.id] = job
            job.emit("job", job.snapshot(curves=False).to_json(private=False))
            self._pending.append(job)
            self._work.notify()
        self._tell(job)
        return job

    def get(self, job_id: str) -> Job:
        with self.lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(job_id)
        return job

    def jobs(self) -> list[Job]:
        """Newest first."""
        with self.lock:
            return list(reversed(self._jobs.values()))

    def snapshot(self, job_id: str, curves: bool = True) -> JobSnapshot:
        job = self.get(job_id)
        with self.lock:
            return job.snapshot(curves)

    def snapshots(self, curves: bool = False) -> list[JobSnapshot]:
        """Newest first."""
        with self.lock:
            return [job.snapshot(curves) for job in reversed(self._jobs.values())]

    def cancel(self, job_id: str) -> Job:
        """A queued job ends at once; a running one stops at its next check (within ~32 steps)."""
        job = self.get(job_id)
        with self.lock:
            if job.terminal:
                raise NotCancellable(f"job '{job_id}' has already ended ({job.status})")
            if job.status == "queued":
                self._pending.remove(job)
                queued = True
            else:
                queued = False
                job.cancel.set()
        if queued:
            self._finish(job, "cancelled", None)
        return job

    def wait(self, job_id: str, timeout: float) -> bool:
        """Block until the job has ended (for scripts and tests); False on timeout."""
        return self.get(job_id).finished.wait(timeout)

    def subscribe(self, job_id: str, after: int = 0) -> Subscription[JobEvent]:
        """Call on the event loop that will read it; close() it when done."""
        job = self.get(job_id)
        subscription: Subscription[JobEvent] = Subscription(self.lock, job, max(0, after))
        with self.lock:
            job.subscribers.add(subscription)
        return subscription

    def active_dataset_ids(self) -> set[str]:
        """Data sets that queued or running jobs train on (an upload the registry must not evict)."""
        with self.lock:
            return {job.plan.dataset.id for job in (*self._pending, *self._running)}

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {
                "jobs": len(self._jobs),
                "queued": len(self._pending),
                "running": len(self._running),
                "subscribers": sum(len(job.subscribers) for job in self._jobs.values()),
                "workers": sum(t.is_alive() for t in self._threads),
                "max_concurrent": self.max_concurrent,
                "max_queued": self.max_queued,
            }

    # --- internals ----------------------------------------------------------------------------

    def _tell(self, job: Job) -> None:
        if not self.listeners:
            return
        with self.lock:
            snapshot = job.snapshot()
        problem = None
        for listener in self.listeners:
            try:
                listener(snapshot)
            except Exception as exc:
                problem = str(exc) or type(exc).__name__
        with self.lock:
            before, job.store_error = job.store_error, problem
        if problem is not None and before is None:
            log.warning("job %s is kept in memory until it can be stored: %s", job.id, problem)
        elif problem is None and before is not None:
            log.info("job %s is stored now", job.id)

    def _retell(self) -> None:
        """Offer the listeners again the ended jobs they could not take (the history is back?)."""
        with self.lock:
            waiting = [job for job in self._jobs.values() if job.store_error is not None and job.terminal]
        for job in waiting:
            self._tell(job)
        if waiting:
            with self.lock:
                self._evict()

    def _worker(self) -> None:
        torch.set_num_threads(self.torch_threads)
        while True:
            try:
                job = self._next_job()
            except _Stopping:
                return
            if job is None:  # idle for a while, and some ended job was never stored
                self._retell()
                continue
            self._tell(job)
            try:
                status, error = train(job, self.lock)
            except Exception as exc:
                log.exception("training job %s failed", job.id)
                status, error = "failed", f"{type(exc).__name__}: {exc}"
            with self.lock:
                self._running.discard(job)
            self._finish(job, status, error)

    def _finish(self, job: Job, status: str, error: str | None) -> None:
        self.admission.leave(job.owner)
        with self.lock:
            job.end(status, error)
            job.finished.set()
            self._evict()
        self._tell(job)

    def _next_job(self) -> Job | None:
        """The next queued job, marked running; None when there is time to offer untold jobs again.
        Raises ``_Stopping`` when the manager stops."""
        with self.lock:
            while not self._pending and not self._stopping:
                if not self._work.wait(RETELL_SECONDS) and self._has_untold():
                    return None
            if self._stopping:
                raise _Stopping
            job = self._pending.popleft()
            self._running.add(job)
            job.status, job.started_at = "running", time.time()
            for run in job.runs:
                run.status = "running"
            job.emit("status", {"status": "running", "device": job.plan.device, "started_at": job.started_at})
        return job

    def _has_untold(self) -> bool:
        return any(job.store_error is not None and job.terminal for job in self._jobs.values())

    def _evict(self) -> None:
        """Keep at most ``max_kept`` finished jobs (the newest); unfinished jobs always stay, and so do
        jobs whose last state no listener took, up to ``MAX_UNTOLD`` of them."""
        finished = [job for job in self._jobs.values() if job.terminal and job.store_error is None]
        for job in finished[: max(0, len(finished) - self.max_kept)]:
            del self._jobs[job.id]
        untold = [job for job in self._jobs.values() if job.terminal and job.store_error is not None]
        for job in untold[: max(0, len(untold) - MAX_UNTOLD)]:
            log.error("job %s is dropped from memory and was never stored: %s", job.id, job.store_error)
            del self._jobs[job.id]
