"""A worker's part of a job: train it, batching its loss points into progress events."""

from __future__ import annotations

import math
import threading
import time

from app.training.engine import Trainer
from app.training.job import Job
from app.training.runs import CURVE, Point

PROGRESS_EVENTS = 200  # aim: about this many progress events per job, whatever its length
FLUSH_SECONDS = 0.5  # a slow job still sends its points at least this often


def train(job: Job, lock: threading.RLock) -> tuple[str, str | None]:
    """Train a running job to its end (or its cancel); its status and error."""
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
            _progress(job, lock, trainer, pending)
            pending, last_flush = [], now
    if pending:
        _progress(job, lock, trainer, pending)
    with lock:
        job.train_seconds = trainer.grad_seconds + sum(g.seconds for g in trainer.groups)
        if trainer.stopped:
            for result in trainer.runs:
                if result.status == "cancelled":
                    result.status = job.stop_as
            stopped = [i for i, result in enumerate(trainer.runs) if result.status == job.stop_as]
            job.finish_runs(trainer.runs, stopped)
            return job.stop_as, ("the server stopped during the job" if job.stop_as == "interrupted" else None)
        job.progress = 1.0
    return "done", None


def _progress(job: Job, lock: threading.RLock, trainer: Trainer, points: list[Point]) -> None:
    """One progress event for a batch of points, then a run event for each run that ended."""
    with lock:
        fresh: list[dict[str, list[float]]] = [{key: [] for key in CURVE} for _ in job.runs]
        for point in points:
            for i, at in enumerate(point.runs):
                if at is not None:
                    values = (point.epoch, at.loss, at.low, at.high, at.elapsed)
                    for key, value in zip(CURVE, values, strict=True):
                        job.runs[i].curve[key].append(value)
                        fresh[i][key].append(value)
        job.progress = trainer.progress
        job.emit("progress", {"progress": job.progress, "step": trainer.steps_done, "runs": fresh})
        ended = [i for point in points for i in point.stopped]
        job.finish_runs(trainer.runs, ended)
