"""What a training run is and what it yields: its configuration, its curve over the seeds, its points."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field

# A run's curve as the API and the history carry it, one value per point: x in epochs, the mean
# loss over the seeds, the lowest and highest seed's loss, and the training seconds spent so far.
CURVE = ("epochs", "losses", "losses_min", "losses_max", "elapsed")


@dataclass(frozen=True)
class RunConfig:
    optimizer: str
    impl: str  # "book" | "torch"
    hyperparams: Mapping[str, float]  # complete: spec.resolve(..., context="training")


@dataclass
class RunResult:
    """One run's curve over its seeds: the mean loss per point, and the seeds' lowest and highest."""

    config: RunConfig
    status: str = "running"  # running → done | diverged | cancelled
    epochs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)  # mean over the seeds
    losses_min: list[float] = field(default_factory=list)
    losses_max: list[float] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)  # training seconds spent on this run at each point
    last: list[float] = field(default_factory=list)  # every seed's latest loss
    diverged_at: float | None = None  # epoch of the first non-finite loss (of any seed)
    seconds: float = 0.0  # training time spent on this run (full-data losses excluded, as the book)
    epochs_done: float = 0.0

    @property
    def final_loss(self) -> float | None:
        return self.losses[-1] if self.losses and self.status != "diverged" else None

    @property
    def final_loss_sd(self) -> float | None:
        """Sample standard deviation of the seeds' final losses (none for a single seed)."""
        if self.final_loss is None or len(self.last) < 2:
            return None
        return statistics.stdev(self.last)

    @property
    def final_loss_min(self) -> float | None:
        return self.losses_min[-1] if self.final_loss is not None else None

    @property
    def final_loss_max(self) -> float | None:
        return self.losses_max[-1] if self.final_loss is not None else None

    def add(self, epoch: float, point: RunPoint, seeds: list[float]) -> None:
        self.epochs.append(epoch)
        self.losses.append(point.loss)
        self.losses_min.append(point.low)
        self.losses_max.append(point.high)
        self.elapsed.append(point.elapsed)
        self.last = seeds

    @property
    def sec_per_epoch(self) -> float | None:
        return self.seconds / self.epochs_done if self.epochs_done > 0 else None

    def book_line(self) -> str:
        """The book's closing line: 'loss: 0.243452, 0.049984 sec per epoch'."""
        spe = self.sec_per_epoch
        timing = f"{spe:.6f} sec per epoch" if spe is not None else "no epoch timed"
        if self.status == "diverged":
            return f"diverged at epoch {self.diverged_at:.3f} (loss not finite), {timing}"
        if not self.losses:
            return self.status
        prefix = "" if self.status == "done" else f"{self.status}, "
        return f"{prefix}loss: {self.losses[-1]:.6f}, {timing}"


@dataclass(frozen=True)
class RunPoint:
    """One run at one evaluation: its seeds' mean, lowest and highest loss, and its training time."""

    loss: float
    low: float
    high: float
    elapsed: float


@dataclass(frozen=True, kw_only=True)
class Point:
    """One full-data evaluation of every run still going (None for stopped runs)."""

    index: int  # 0 is the start
    step: int  # optimizer steps taken so far
    epoch: float  # examples seen / rows
    runs: list[RunPoint | None]
    stopped: list[int]  # runs whose status changed at this point (diverged, or done at the end)

    @property
    def losses(self) -> list[float | None]:
        return [run.loss if run is not None else None for run in self.runs]
