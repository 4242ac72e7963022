"""What a job looks like at one moment: a frozen copy taken under the manager's lock.

The API shows it (``to_json``), the run history stores it (``app.history.listener``). Field names
are the API's, but for ``book_line``, which the API calls ``summary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.data.dataset import Dataset

PRIVATE = ("last_event_id", "owner", "stored", "store_error")  # left out of the job's first event


@dataclass(frozen=True, kw_only=True)
class RunSnapshot:
    """One run of a job: its settings, its outcome so far and, when asked for, its curve."""

    index: int
    optimizer: str
    impl: str
    hyperparams: dict[str, float]
    status: str
    final_loss: float | None  # the mean over the seeds
    final_loss_sd: float | None
    final_loss_min: float | None
    final_loss_max: float | None
    sec_per_epoch: float | None
    diverged_at: float | None
    book_line: str  # the result line the book prints for a run
    points: int
    curve: dict[str, list[float]] | None  # epochs, losses, …; None when taken without curves

    def outcome(self) -> dict[str, Any]:
        """The run's ``run`` event (and its part of the ``end`` event)."""
        return {
            "index": self.index,
            "status": self.status,
            "final_loss": self.final_loss,
            "final_loss_sd": self.final_loss_sd,
            "final_loss_min": self.final_loss_min,
            "final_loss_max": self.final_loss_max,
            "sec_per_epoch": self.sec_per_epoch,
            "diverged_at": self.diverged_at,
            "summary": self.book_line,
            "points": self.points,
        }

    def to_json(self) -> dict[str, Any]:
        settings = {"optimizer": self.optimizer, "impl": self.impl, "hyperparams": dict(self.hyperparams)}
        return {**settings, **self.outcome(), **(self.curve or {})}


@dataclass(frozen=True, kw_only=True)
class JobSnapshot:
    id: str
    status: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    seconds: float  # since it started, until it ended
    dataset: Dataset
    batch_size: int
    epochs: int
    seed: int
    seeds: int
    device_requested: str
    device: str
    steps: int
    points: int
    record_every: int
    progress: float
    sec_per_epoch: float | None
    error: str | None
    cancel_requested: bool
    last_event_id: int
    owner: str | None
    store_error: str | None  # why the listeners could not take its last state
    runs: tuple[RunSnapshot, ...]

    @property
    def stored(self) -> bool:
        return self.store_error is None

    def dataset_json(self) -> dict[str, Any]:
        data = self.dataset
        return {
            "id": data.id,
            "label": data.label,
            "kind": data.kind,
            "filename": data.filename,
            "synthetic": data.synthetic,
            "rows": data.rows,
            "features": data.features,
        }

    def to_json(self, private: bool = True) -> dict[str, Any]:
        """The API's job object; without ``private``, what the job's first event carries."""
        out = {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": self.seconds,
            "dataset": self.dataset_json(),
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "seed": self.seed,
            "seeds": self.seeds,
            "device_requested": self.device_requested,
            "device": self.device,
            "steps": self.steps,
            "points": self.points,
            "record_every": self.record_every,
            "progress": self.progress,
            "sec_per_epoch": self.sec_per_epoch,
            "error": self.error,
            "cancel_requested": self.cancel_requested,
            "last_event_id": self.last_event_id,
            "owner": self.owner,
            "stored": self.stored,
            "store_error": self.store_error,
            "runs": [run.to_json() for run in self.runs],
        }
        if not private:
            for key in PRIVATE:
                del out[key]
        return out
