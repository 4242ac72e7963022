"""Training jobs off the request path: a bounded queue, worker threads, a per-job event log.

A job moves queued → running → done | failed | cancelled (or interrupted, when the server
stops first); each of its runs ends done, diverged, cancelled, failed or interrupted. Every
change is appended to the job's event log with an increasing integer id (1, 2, …), so any
number of subscribers can replay it from any point: a late subscriber gets the history first,
a reconnecting one (Last-Event-ID) exactly what it missed. The log is bounded: progress events
carry one or more loss points and a job records at most ``MAX_POINTS`` + 1 points per run.

Training runs on plain threads (``max_concurrent_jobs`` of them), never on the event loop;
subscribers are asyncio coroutines woken through ``loop.call_soon_threadsafe``.

Hooks for a run-history store: ``listeners`` are called with the full job record (``record()``)
on every state change (queued, running, and the terminal one), outside the manager's lock;
``stop()`` ends unfinished jobs as ``interrupted`` and tells the listeners. A listener that
fails (the history cannot be written) leaves the job ``stored: false`` with the reason; the job
then stays in memory, past ``max_kept`` (up to ``MAX_UNTOLD`` such jobs), and the listeners
are asked again every ``RETELL_SECONDS`` until they take it.

Each job has an owner (the browser that submitted it); one owner may have at most
``max_per_owner`` jobs queued or running, so nobody can fill the queue for everyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from app.data.dataset import Dataset
from app.training.engine import Trainer
from app.training.runs import CURVE, Point, RunConfig, RunResult
from app.training.schedule import Schedule

log = logging.getLogger(__name__)

TERMINAL = frozenset({"done", "failed", "cancelled", "interrupted"})
PROGRESS_EVENTS = 200  # aim: about this many progress events per job, whatever its length
FLUSH_SECONDS = 0.5  # a slow job still sends its points at least this often
WAKE_SECONDS = 5.0  # a subscriber re-checks at least this often (bounded wait)
RETELL_SECONDS = 10.0  # how often a job the listeners could not take is offered again
MAX_UNTOLD = 1000  # ended jobs kept in memory because no listener took them (then the oldest is lost)

JobRecord = dict[str, Any]
Listener = Callable[[JobRecord], None]


class QueueFull(RuntimeError):
    def __init__(self, capacity: int, retry_after: int) -> None:
        super().__init__(
            f"the job queue is full ({capacity} jobs and sweeps running or waiting); retry in {retry_after} s"
        )
        self.retry_after = retry_after


class OwnerBusy(QueueFull):
    """This owner already has its share of the queue."""

    def __init__(self, limit: int, retry_after: int) -> None:
        RuntimeError.__init__(
            self,
            f"you already have {limit} jobs or sweeps queued or running (the limit per user); wait for one "
            f"to end, or cancel one; retry in {retry_after} s",
        )
        self.retry_after = retry_after


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


class JobNotFound(KeyError):
    pass


class _Stopping(Exception):
    """Ends a worker thread's loop."""


class NotCancellable(RuntimeError):
    pass


@dataclass(frozen=True)
class JobPlan:
    """A validated request: everything a worker needs, hyper-parameters complete."""

    dataset: Dataset
    runs: list[RunConfig]
    batch_size: int
    epochs: int
    seed: int
    device_requested: str  # auto | cpu | cuda
    device: str  # the resolved one: cpu | cuda
    seeds: int = 1  # every run trains with seeds seed … seed+seeds−1
    owner: str | None = None  # who may cancel it (besides the admin)


@dataclass(frozen=True)
class JobEvent:
    id: int
    name: str  # job | status | progress | run | end
    data: dict[str, Any]


@dataclass
class _RunState:
    config: RunConfig
    status: str = "queued"
    curve: dict[str, list[float]] = field(default_factory=lambda: {key: [] for key in CURVE})
    final_loss: float | None = None
    final_loss_sd: float | None = None
    final_loss_min: float | None = None
    final_loss_max: float | None = None
    sec_per_epoch: float | None = None
    diverged_at: float | None = None
    summary: str = ""

    def outcome(self, index: int) -> dict[str, Any]:
        return {
            "index": index,
            "status": self.status,
            "final_loss": self.final_loss,
            "final_loss_sd": self.final_loss_sd,
            "final_loss_min": self.final_loss_min,
            "final_loss_max": self.final_loss_max,
            "sec_per_epoch": self.sec_per_epoch,
            "diverged_at": self.diverged_at,
            "summary": self.summary,
            "points": len(self.curve["losses"]),
        }


class Job:
    """State, event log and subscribers of one job; mutated only under the manager's lock."""

    def __init__(self, plan: JobPlan) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.plan = plan
        self.schedule = Schedule.book(plan.dataset.rows, plan.batch_size, plan.epochs)
        self.status = "queued"
        self.created_at = time.time()
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.error: str | None = None
        self.progress = 0.0
        self.train_seconds = 0.0
        self.runs = [_RunState(config) for config in plan.runs]
        self.events: list[JobEvent] = []
        self.subscribers: set[Subscription] = set()
        self.cancel = threading.Event()  # asks the worker to stop
        self.stop_as = "cancelled"  # or "interrupted" when the server stops
        self.finished = threading.Event()
        self.store_error: str | None = None  # why the listeners could not take its last state

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def owner(self) -> str | None:
        return self.plan.owner

    @property
    def last_event_id(self) -> int:
        return len(self.events)

    def record(self, curves: bool = True) -> JobRecord:
        """The job as JSON-ready data (the API's job object; the store's input)."""
        plan, data = self.plan, self.plan.dataset
        now = self.finished_at or time.time()
        return {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": (now - self.started_at) if self.started_at else 0.0,
            "dataset": {
                "id": data.id,
                "label": data.label,
                "kind": data.kind,
                "synthetic": data.synthetic,
                "rows": data.rows,
                "features": data.features,
            },
            "batch_size": plan.batch_size,
            "epochs": plan.epochs,
            "seed": plan.seed,
            "seeds": plan.seeds,
            "device_requested": plan.device_requested,
            "device": plan.device,
            "steps": self.schedule.steps,
            "points": self.schedule.points,
            "record_every": self.schedule.record_every,
            "progress": self.progress,
            "sec_per_epoch": self.train_seconds / plan.epochs if self.status == "done" else None,
            "error": self.error,
            "cancel_requested": self.cancel.is_set() and not self.terminal,
            "last_event_id": self.last_event_id,
            "owner": self.owner,
            "stored": self.store_error is None,
            "store_error": self.store_error,
            "runs": [
                {
                    "optimizer": run.config.optimizer,
                    "impl": run.config.impl,
                    "hyperparams": dict(run.config.hyperparams),
                    **run.outcome(i),
                    **({key: list(values) for key, values in run.curve.items()} if curves else {}),
                }
                for i, run in enumerate(self.runs)
            ],
        }


class Subscription:
    """One reader of one job's events, living on an asyncio loop; the worker wakes it."""

    def __init__(self, manager: JobManager, job: Job, after: int) -> None:
        self.manager, self.job, self.cursor = manager, job, after
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()

    def notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: its client is gone
            self._loop.call_soon_threadsafe(self._wake.set)

    def take(self) -> tuple[list[JobEvent], bool]:
        """Events after the cursor, and whether the stream is complete (terminal event delivered)."""
        self._wake.clear()
        with self.manager.lock:
            events = self.job.events[self.cursor :]
            self.cursor += len(events)
            complete = self.job.terminal and self.cursor >= self.job.last_event_id
        return events, complete

    async def wait(self, timeout: float = WAKE_SECONDS) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def close(self) -> None:
        with self.manager.lock:
            self.job.subscribers.discard(self)


class JobManager:
    def __init__(
        self,
        max_concurrent: int,
        max_queued: int,
        max_kept: int = 200,
        torch_threads: int = 1,
        listeners: Iterable[Listener] = (),
        *,
        max_per_owner: int | None = None,
        admission: Admission | None = None,
    ) -> None:
        self.max_concurrent, self.max_queued, self.max_kept = max_concurrent, max_queued, max_kept
        self.admission = admission or Admission(max_concurrent + max_queued, max_per_owner)
        self.max_per_owner = self.admission.per_owner
        self.torch_threads = torch_threads
        self.listeners: list[Listener] = list(listeners)
        self.lock = threading.RLock()
        self._work = threading.Condition(self.lock)
        self._jobs: dict[str, Job] = {}  # insertion order = creation order
        self._pending: deque[Job] = deque()
        self._running: set[Job] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        with self.lock:
            self._stopping = False
        for k in range(self.max_concurrent):
            thread = threading.Thread(target=self._worker, name=f"optlab-job-{k}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """End every unfinished job as 'interrupted' (listeners hear of it), then join the workers."""
        with self.lock:
            self._stopping = True
            queued = list(self._pending)
            self._pending.clear()
            for job in self._running:
                job.stop_as = "interrupted"
                job.cancel.set()
            self._work.notify_all()
        for job in queued:
            self._finish(job, "interrupted", "the server stopped before the job started")
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = [t for t in self._threads if t.is_alive()]

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
                raise OwnerBusy(self.admission.per_owner or 0, self._retry_after(mine))
            if refusal == "full":
                raise QueueFull(self.capacity, self._retry_after(self._running))
            self._jobs[job.id] = job
            first = job.record(curves=False)
            for private in ("last_event_id", "owner", "stored", "store_error"):
                del first[private]
            self._emit(job, "job", first)
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

    def record(self, job_id: str, curves: bool = True) -> JobRecord:
        job = self.get(job_id)
        with self.lock:
            return job.record(curves)

    def records(self, curves: bool = False) -> list[JobRecord]:
        with self.lock:
            return [job.record(curves) for job in reversed(self._jobs.values())]

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

    def subscribe(self, job_id: str, after: int = 0) -> Subscription:
        """Call on the event loop that will read it; close() it when done."""
        job = self.get(job_id)
        subscription = Subscription(self, job, max(0, after))
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

    def _retry_after(self, jobs: Iterable[Job]) -> int:
        """Seconds until the running job (of ``jobs``) nearest to its end should be done (1–60)."""
        now, estimates = time.time(), []
        for job in jobs:
            if job.started_at and job.progress > 0:
                elapsed = now - job.started_at
                estimates.append(elapsed * (1 - job.progress) / job.progress)
        return int(min(60, max(1, math.ceil(min(estimates))))) if estimates else 5

    def _emit(self, job: Job, name: str, data: dict[str, Any]) -> None:
        """Append to the log and wake the subscribers; call with the lock held."""
        job.events.append(JobEvent(len(job.events) + 1, name, data))
        for subscription in job.subscribers:
            subscription.notify()

    def _tell(self, job: Job) -> None:
        if not self.listeners:
            return
        with self.lock:
            record = job.record()
        problem = None
        for listener in self.listeners:
            try:
                listener(record)
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
                status, error = self._train(job)
            except Exception as exc:
                log.exception("training job %s failed", job.id)
                status, error = "failed", f"{type(exc).__name__}: {exc}"
            with self.lock:
                self._running.discard(job)
            self._finish(job, status, error)

    def _train(self, job: Job) -> tuple[str, str | None]:
        plan = job.plan
        trainer = Trainer(
            plan.dataset.X,
            plan.dataset.y,
            plan.runs,
            batch_size=plan.batch_size,
            epochs=plan.epochs,
            seed=plan.seed,
            seeds=plan.seeds,
            device=plan.device,
        )
        per_event = max(1, math.ceil(trainer.schedule.points / PROGRESS_EVENTS))
        pending: list[Point] = []
        last_flush = time.monotonic()
        for point in trainer.points(should_stop=job.cancel.is_set):
            pending.append(point)
            now = time.monotonic()
            if len(pending) >= per_event or point.stopped or now - last_flush >= FLUSH_SECONDS:
                self._progress(job, trainer, pending)
                pending, last_flush = [], now
        if pending:
            self._progress(job, trainer, pending)
        with self.lock:
            job.train_seconds = trainer.grad_seconds + sum(g.seconds for g in trainer.groups)
            if trainer.stopped:
                for result in trainer.runs:
                    if result.status == "cancelled":
                        result.status = job.stop_as
                stopped = [i for i, result in enumerate(trainer.runs) if result.status == job.stop_as]
                self._finish_runs(job, trainer.runs, stopped)
                return job.stop_as, ("the server stopped during the job" if job.stop_as == "interrupted" else None)
            job.progress = 1.0
        return "done", None

    def _progress(self, job: Job, trainer: Trainer, points: list[Point]) -> None:
        """One progress event for a batch of points, then a run event for each run that ended."""
        with self.lock:
            fresh: list[dict[str, list[float]]] = [{key: [] for key in CURVE} for _ in job.runs]
            for point in points:
                for i, at in enumerate(point.runs):
                    if at is not None:
                        values = (point.epoch, at.loss, at.low, at.high, at.elapsed)
                        for key, value in zip(CURVE, values, strict=True):
                            job.runs[i].curve[key].append(value)
                            fresh[i][key].append(value)
            job.progress = trainer.progress
            self._emit(job, "progress", {"progress": job.progress, "step": trainer.steps_done, "runs": fresh})
            ended = [i for point in points for i in point.stopped]
            self._finish_runs(job, trainer.runs, ended)

    def _finish_runs(self, job: Job, results: list[RunResult], indices: list[int]) -> None:
        for i in indices:
            run, result = job.runs[i], results[i]
            run.status, run.summary = result.status, result.summary()
            run.final_loss, run.sec_per_epoch = result.final_loss, result.sec_per_epoch
            run.final_loss_sd, run.final_loss_min = result.final_loss_sd, result.final_loss_min
            run.final_loss_max = result.final_loss_max
            run.diverged_at = result.diverged_at
            self._emit(job, "run", run.outcome(i))

    def _finish(self, job: Job, status: str, error: str | None) -> None:
        self.admission.leave(job.owner)
        with self.lock:
            job.status, job.error, job.finished_at = status, error, time.time()
            for run in job.runs:
                if run.status in {"queued", "running"}:
                    run.status = status
                    run.summary = run.summary or status
            self._emit(
                job,
                "end",
                {
                    "status": status,
                    "error": error,
                    "finished_at": job.finished_at,
                    "seconds": (job.finished_at - job.started_at) if job.started_at else 0.0,
                    "sec_per_epoch": job.train_seconds / job.plan.epochs if status == "done" else None,
                    "progress": job.progress,
                    "runs": [run.outcome(i) for i, run in enumerate(job.runs)],
                },
            )
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
            self._emit(job, "status", {"status": "running", "device": job.plan.device, "started_at": job.started_at})
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
