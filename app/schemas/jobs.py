"""Training jobs: the request, and the job with its runs as the API shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.base import Impl, JobStatus, StrictModel
from app.schemas.trajectories import RunSpec

Device = Literal["auto", "cpu", "cuda"]
TrainingRunStatus = Literal["queued", "running", "done", "diverged", "failed", "cancelled", "interrupted"]


class JobRequest(StrictModel):
    dataset: str = Field("airfoil", min_length=1, max_length=64, description="an id from GET /api/datasets")
    batch_size: int = Field(10, ge=1, le=200_000, description="minibatch size, at most the data set's rows")
    epochs: int = Field(2, ge=1, le=100)
    seed: int = Field(0, ge=0, le=2**31 - 1, description="initial weights, minibatch order (and SGD noise)")
    seeds: int = Field(
        1,
        ge=1,
        le=32,
        description="train every run with seeds seed … seed+seeds−1 (each its own initial weights and minibatch "
        "order), reported as the mean over the seeds with their spread",
    )
    device: Device = Field("auto", description="auto = cuda when available, else cpu; cuda without CUDA → 422")
    runs: list[RunSpec] = Field(
        min_length=1,
        max_length=8,
        description="hyper-parameters left out take the book's training defaults (GET /api/optimizers: "
        "training_default, or torch_default for eps with impl 'torch')",
    )


class JobCreated(BaseModel):
    id: str
    status: JobStatus
    url: str = Field(description="GET it for the job")
    events: str = Field(description="its event stream (SSE)")


class JobDataset(BaseModel):
    id: str
    label: str
    kind: Literal["airfoil", "synthetic", "upload"]
    synthetic: bool
    rows: int
    features: int


class JobRunOutcome(BaseModel):
    index: int
    optimizer: str
    impl: Impl
    hyperparams: dict[str, float] = Field(description="complete: the defaults filled in")
    status: TrainingRunStatus
    final_loss: float | None = Field(
        description="last full-data loss (the mean over the seeds); null if diverged or none yet"
    )
    final_loss_sd: float | None = Field(
        description="sample standard deviation of the seeds' final losses; null with one seed, or as final_loss"
    )
    final_loss_min: float | None = Field(description="lowest seed's final loss; null as final_loss")
    final_loss_max: float | None = Field(description="highest seed's final loss; null as final_loss")
    sec_per_epoch: float | None = Field(description="training time per epoch spent on this run (losses excluded)")
    diverged_at: float | None = Field(description="epoch at which the loss (of any seed) became non-finite")
    summary: str = Field(description="the book's line, e.g. 'loss: 0.243452, 0.049984 sec per epoch'")
    points: int = Field(description="loss points recorded so far")


class JobRunOut(JobRunOutcome):
    epochs: list[float] = Field(description="x of each point, in epochs (examples seen / rows)")
    losses: list[float] = Field(description="full-data loss (mean of (ŷ−y)²/2) at each point, mean over the seeds")
    losses_min: list[float] = Field(description="the lowest seed's loss at each point (= losses with one seed)")
    losses_max: list[float] = Field(description="the highest seed's loss at each point (= losses with one seed)")
    elapsed: list[float] = Field(
        description="training seconds spent on this run up to each point (full-data losses excluded, as the book's "
        "train_ch11 times it)"
    )


class JobBrief(BaseModel):
    """A job as the queue lists it: without its runs' curves."""

    id: str
    status: JobStatus
    created_at: float = Field(description="seconds since the epoch")
    started_at: float | None
    finished_at: float | None
    seconds: float = Field(description="running time so far (or in total)")
    dataset: JobDataset
    batch_size: int
    epochs: int
    seed: int
    seeds: int = Field(description="seeds per run: seed … seed+seeds−1")
    device_requested: Device
    device: Literal["cpu", "cuda"]
    steps: int = Field(description="optimizer steps the job takes: epochs × minibatches per epoch")
    points: int = Field(description="loss points per run once complete: the start, then every record_every examples")
    record_every: int
    progress: float = Field(description="fraction of the steps done, 0–1")
    sec_per_epoch: float | None = Field(description="training time per epoch of the whole job, once done")
    error: str | None
    cancel_requested: bool
    last_event_id: int = Field(description="id of the newest event: subscribe with ?after= to continue from here")
    runs: list[JobRunOutcome]
    mine: bool = Field(False, description="submitted by this browser: it may cancel it")
    stored: bool = Field(True, description="false while the run history could not store the job's last state")
    store_error: str | None = Field(None, description="why not; the job is kept in memory and stored once it can be")


class JobOut(JobBrief):
    runs: list[JobRunOut]  # type: ignore[assignment]
