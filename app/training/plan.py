"""A job request checked against what only the server knows, turned into a plan for the workers.

The data set, its rows, the step limit and the device are checked all at once, so a client hears of
every refused field in one answer, not one per attempt.
"""

from __future__ import annotations

import math

from app.data.registry import DatasetRegistry, DatasetUnavailable
from app.i18n.text import Text, message_of
from app.optim.registry import get_optimizer
from app.schemas.jobs import JobRequest
from app.training.device import resolve_device
from app.training.job import JobPlan
from app.training.runs import RunConfig
from app.validation import FieldProblem, Refused


def plan_job(req: JobRequest, datasets: DatasetRegistry, max_steps: int, owner: str | None = None) -> JobPlan:
    """The plan of ``req``, hyper-parameters complete; ``Refused`` naming every field at fault."""
    problems: list[FieldProblem] = []
    dataset = None
    try:
        dataset = datasets.get(req.dataset)
    except KeyError:
        known = ", ".join(datasets.known_ids())
        problems.append(
            FieldProblem(
                "dataset", Text("unknown dataset '{id}'; expected one of {known}", id=req.dataset, known=known)
            )
        )
    except DatasetUnavailable as exc:
        problems.append(FieldProblem("dataset", str(exc)))
    if dataset is not None:
        problems.extend(_schedule_problems(req, dataset.id, dataset.rows, max_steps))
    device = None
    try:
        device = resolve_device(req.device).type
    except ValueError as exc:
        problems.append(FieldProblem("device", message_of(exc)))
    if problems or dataset is None or device is None:
        raise Refused(problems)
    runs = [
        RunConfig(run.optimizer, run.impl, get_optimizer(run.optimizer).resolve(run.hyperparams, run.impl, "training"))
        for run in req.runs
    ]
    datasets.touch(dataset.id)  # a data set in use is the last to be evicted
    return JobPlan(
        dataset=dataset,
        runs=runs,
        batch_size=req.batch_size,
        epochs=req.epochs,
        seed=req.seed,
        seeds=req.seeds,
        device_requested=req.device,
        device=device,
        owner=owner,
    )


def _schedule_problems(req: JobRequest, dataset_id: str, rows: int, max_steps: int) -> list[FieldProblem]:
    if req.batch_size > rows:
        message = Text("must be at most {rows}, the rows of dataset '{id}'", rows=rows, id=dataset_id)
        return [FieldProblem("batch_size", message)]
    steps = req.epochs * math.ceil(rows / req.batch_size)
    if steps > max_steps:
        shown, limit = f"{steps:,}", f"{max_steps:,}"
        message = Text(
            "this job would take {steps} steps (epochs × minibatches per epoch); the server's limit is "
            "{limit}: use fewer epochs or a larger batch",
            steps=shown,
            limit=limit,
        )
        return [FieldProblem("epochs", message)]
    return []
