"""One training job: its plan, its state, its runs' outcomes and its event log.

A job moves queued → running → done | failed | cancelled (or interrupted, when the server
stops first); each of its runs ends done, diverged, cancelled, failed or interrupted. Every
change is appended to the job's event log with an increasing integer id (1, 2, …). A ``Job``
is mutated only under its manager's lock (``app.training.jobs``).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.data.dataset import Dataset
from app.training.runs import CURVE, RunConfig, RunResult
from app.training.schedule import Schedule
from app.training.snapshot import JobSnapshot, RunSnapshot

if TYPE_CHECKING:
    from app.training.events import Subscription

TERMINAL = frozenset({"done", "failed", "cancelled", "interrupted"})


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


class JobNotFound(KeyError):
    pass


class NotCancellable(RuntimeError):
    pass


@dataclass(frozen=True, kw_only=True)
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
    book_line: str = ""

    def snapshot(self, index: int, curves: bool) -> RunSnapshot:
        config = self.config
        return RunSnapshot(
            index=index,
            optimizer=config.optimizer,
            impl=config.impl,
            hyperparams=dict(config.hyperparams),
            status=self.status,
            final_loss=self.final_loss,
            final_loss_sd=self.final_loss_sd,
            final_loss_min=self.final_loss_min,
            final_loss_max=self.final_loss_max,
            sec_per_epoch=self.sec_per_epoch,
            diverged_at=self.diverged_at,
            book_line=self.book_line,
            points=len(self.curve["losses"]),
            curve={key: list(values) for key, values in self.curve.items()} if curves else None,
        )

    def outcome(self, index: int) -> dict[str, Any]:
        return self.snapshot(index, curves=False).outcome()


class Job:
    """State, event log and subscribers of one job; mutated only under the manager's lock."""

    def __init__(self, plan: JobPlan) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.plan = plan
        self.schedule = Schedule.book(rows=plan.dataset.rows, batch_size=plan.batch_size, epochs=plan.epochs)
        self.status = "queued"
        self.created_at = time.time()
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.error: str | None = None
        self.progress = 0.0
        self.train_seconds = 0.0
        self.runs = [_RunState(config) for config in plan.runs]
        self.events: list[JobEvent] = []
        self.subscribers: set[Subscription[JobEvent]] = set()
        self.cancel = threading.Event()  # asks the worker to stop
        self.stop_as = "cancelled"  # or "interrupted" when the server stops
        self.finished = threading.Event()
        self.store_error: str | None = None  # why the listeners could not take its last state

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def log_complete(self) -> bool:
        """The terminal event is in the log (it is appended with the terminal status)."""
        return self.terminal

    @property
    def owner(self) -> str | None:
        return self.plan.owner

    @property
    def last_event_id(self) -> int:
        return len(self.events)

    def emit(self, name: str, data: dict[str, Any]) -> None:
        """Append to the log and wake the subscribers; call with the manager's lock held."""
        self.events.append(JobEvent(len(self.events) + 1, name, data))
        for subscription in self.subscribers:
            subscription.notify()

    def finish_runs(self, results: list[RunResult], indices: list[int]) -> None:
        """Copy the ended runs' outcomes from the trainer and tell the subscribers."""
        for i in indices:
            run, result = self.runs[i], results[i]
            run.status, run.book_line = result.status, result.book_line()
            run.final_loss, run.sec_per_epoch = result.final_loss, result.sec_per_epoch
            run.final_loss_sd, run.final_loss_min = result.final_loss_sd, result.final_loss_min
            run.final_loss_max = result.final_loss_max
            run.diverged_at = result.diverged_at
            self.emit("run", run.outcome(i))

    def end(self, status: str, error: str | None) -> None:
        """Mark the job and its unfinished runs ended; the log's last event says so."""
        self.status, self.error, self.finished_at = status, error, time.time()
        for run in self.runs:
            if run.status in {"queued", "running"}:
                run.status = status
                run.book_line = run.book_line or status
        self.emit(
            "end",
            {
                "status": status,
                "error": error,
                "finished_at": self.finished_at,
                "seconds": (self.finished_at - self.started_at) if self.started_at else 0.0,
                "sec_per_epoch": self.train_seconds / self.plan.epochs if status == "done" else None,
                "progress": self.progress,
                "runs": [run.outcome(i) for i, run in enumerate(self.runs)],
            },
        )

    def snapshot(self, curves: bool = True) -> JobSnapshot:
        """The job as it stands (the API's job object; the store's input)."""
        plan, schedule = self.plan, self.schedule
        now = self.finished_at or time.time()
        return JobSnapshot(
            id=self.id,
            status=self.status,
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            seconds=(now - self.started_at) if self.started_at else 0.0,
            dataset=plan.dataset,
            batch_size=plan.batch_size,
            epochs=plan.epochs,
            seed=plan.seed,
            seeds=plan.seeds,
            device_requested=plan.device_requested,
            device=plan.device,
            steps=schedule.steps,
            points=schedule.points,
            record_every=schedule.record_every,
            progress=self.progress,
            sec_per_epoch=self.train_seconds / plan.epochs if self.status == "done" else None,
            error=self.error,
            cancel_requested=self.cancel.is_set() and not self.terminal,
            last_event_id=self.last_event_id,
            owner=self.owner,
            store_error=self.store_error,
            runs=tuple(run.snapshot(i, curves) for i, run in enumerate(self.runs)),
        )
