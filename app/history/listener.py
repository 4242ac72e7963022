"""Run history for training jobs.

``JobHistory`` is a :class:`app.training.jobs.JobManager` listener: it stores every job as a run of kind
"training" whose id is the job id, on each state change the manager reports (queued, running and
the terminal one). Each write is one ``RunStore.save`` (a single INSERT OR REPLACE), so a reader
sees either the previous state or the new one, never half of a job.

What a training record holds (``GET /api/runs/{id}``):

- ``config``: the job as run: ``dataset`` {id, label, kind, synthetic, rows, features},
  ``batch_size``, ``epochs``, ``seed``, ``seeds``, ``device_requested``, ``runs`` [{optimizer, impl,
  hyperparams (complete)}], and its schedule ``steps``, ``points``, ``record_every``;
- ``series``: per run ``{"epochs", "losses", "losses_min", "losses_max", "elapsed"}`` (the loss
  curve: mean over the seeds, the seeds' range, training seconds; empty until the job ends);
- ``runs`` (the store's column ``summary``): per run optimizer, impl, hyperparams, status, final_loss
  (mean over the seeds) with final_loss_sd, final_loss_min and final_loss_max, sec_per_epoch,
  diverged_at, summary (the book line) and points;
- ``device``; ``timings``: created_at, started_at, finished_at, seconds, sec_per_epoch, and the
  job's progress and error (why it failed or stopped; null when it did not).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from app.history.store import RunRecord, RunStore
from app.history.titles import job_title
from app.training.runs import CURVE
from app.training.snapshot import JobSnapshot, RunSnapshot


def training_record(job: JobSnapshot) -> RunRecord:
    """A job's snapshot (taken with curves) as a history record."""
    runs = [{"optimizer": run.optimizer, "impl": run.impl} for run in job.runs]
    return RunRecord(
        id=job.id,
        kind="training",
        status=job.status,
        device=job.device,
        title=str(job_title(job.dataset.label, job.batch_size, job.epochs, runs)),
        optimizers=sorted({run.optimizer for run in job.runs}),
        config={
            "dataset": job.dataset_json(),
            "batch_size": job.batch_size,
            "epochs": job.epochs,
            "seed": job.seed,
            "seeds": job.seeds,
            "device_requested": job.device_requested,
            "runs": [{"optimizer": r.optimizer, "impl": r.impl, "hyperparams": dict(r.hyperparams)} for r in job.runs],
            "steps": job.steps,
            "points": job.points,
            "record_every": job.record_every,
        },
        series=[{key: list((run.curve or {}).get(key, [])) for key in CURVE} for run in job.runs],
        runs=[_run_entry(run) for run in job.runs],
        timings={
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "seconds": job.seconds,
            "sec_per_epoch": job.sec_per_epoch,
            "progress": job.progress,
            "error": job.error,
        },
        created_at=job.created_at,
        owner=job.owner,
    )


def _run_entry(run: RunSnapshot) -> dict[str, Any]:
    """What the record lists of a run: its settings and outcome, under the API's names."""
    entry = {"optimizer": run.optimizer, "impl": run.impl, "hyperparams": dict(run.hyperparams)}
    outcome = run.outcome()
    del outcome["index"]
    return {**entry, **outcome}


class JobHistory:
    """Stores every state change of every job; call it with a job snapshot (a JobManager listener).

    The manager calls listeners from more than one thread (the request that queued a job, then the
    worker), and a snapshot is taken just before the call, so two snapshots of one job can
    arrive out of order. Each job's event count only grows, so a snapshot older than the one already
    stored is dropped: a late 'queued' never overwrites 'done'. The memory for this is bounded: the
    newest ``remember`` jobs (a stale snapshot is milliseconds late, not thousands of jobs).
    """

    def __init__(self, store: RunStore, remember: int = 4096) -> None:
        self.store = store
        self.remember = remember
        self._lock = threading.Lock()
        self._written: OrderedDict[str, int] = OrderedDict()  # job id -> last_event_id stored

    def __call__(self, job: JobSnapshot) -> None:
        version = job.last_event_id
        with self._lock:  # one writer at a time keeps "check, then write" atomic
            if self._written.get(job.id, -1) >= version:
                return
            self.store.save(training_record(job))
            self._written[job.id] = version
            self._written.move_to_end(job.id)
            while len(self._written) > self.remember:
                self._written.popitem(last=False)
