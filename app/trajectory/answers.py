"""A 2D request made concrete (what to compute, where it is stored) and its answers as JSON.

Numbers go out through orjson, straight from the numpy arrays: every double as the shortest text
that reads back to the same double, several times faster than the standard library's encoder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import orjson

from app.optim.functions import contour_grid
from app.optim.registry import get_optimizer
from app.schemas.trajectories import TrajectoryRequest
from app.trajectory import cache
from app.trajectory.comparison import Plan, Problem, RunConfig, RunResult
from app.trajectory.work import Destination, History

Box = tuple[float, float, float, float]
NUMPY_JSON = orjson.OPT_SERIALIZE_NUMPY


@dataclass(frozen=True)
class Prepared:
    plan: Plan
    dest: Destination
    box: Box
    request: TrajectoryRequest

    @property
    def key(self) -> str:
        return self.dest.digest


@dataclass(frozen=True)
class Event:
    name: str  # meta | step | done
    id: int
    data: str  # JSON


def _pair(values: list[float] | None) -> tuple[float, float] | None:
    return None if values is None else (float(values[0]), float(values[1]))


def prepare(req: TrajectoryRequest, history: History, owner: str | None = None) -> Prepared:
    """Defaults filled in (start, box, every hyper-parameter), the digest and the run id computed."""
    given_box = (
        None if req.box is None else (float(req.box[0]), float(req.box[1]), float(req.box[2]), float(req.box[3]))
    )
    problem = Problem(req.function, req.expression, given_box, _pair(req.start))
    objective = problem.objective()
    start = _pair(req.start) or objective.start
    box = given_box or objective.box
    runs = tuple(
        RunConfig(run.optimizer, run.impl, get_optimizer(run.optimizer).resolve(run.hyperparams, run.impl))
        for run in req.runs
    )
    request = cache.canonical(
        function=req.function,
        expression=req.expression,
        start=start,
        box=box,
        steps=req.steps,
        seed=req.seed,
        runs=runs,
    )
    key = cache.digest(request)
    stored = {**req.model_dump(), "start": list(start), "runs": [asdict(c) for c in runs], "digest": key}
    dest = Destination(history, cache.run_id(key), key, stored, owner)
    return Prepared(Plan(problem, start, req.steps, req.seed, runs), dest, box, req)


def _runs(results: list[RunResult]) -> list[dict[str, Any]]:
    return [
        {
            "optimizer": r.config.optimizer,
            "impl": r.config.impl,
            "hyperparams": r.config.hyperparams,
            "points": r.points,
            "values": r.values,
            "lr_eff": r.lr_eff,
            "state": r.state,
            "status": r.status,
            "diverged_at": r.diverged_at,
        }
        for r in results
    ]


def answer_json(p: Prepared, entry: cache.Entry, store_error: str | None, *, stored: bool = True) -> bytes:
    """The body of POST /api/trajectories (a TrajectoryResponse); ``stored=False``: a preview, no run id."""
    body = {
        "run_id": p.dest.run_id if stored and not store_error else None,
        "store_error": store_error,
        "function": p.request.function,
        "expression": p.request.expression,
        "start": list(p.plan.start),
        "steps": p.plan.steps,
        "runs": _runs(entry.results),
    }
    return orjson.dumps(body, option=NUMPY_JSON)


@lru_cache(maxsize=64)
def _contour(problem: Problem, box: Box) -> orjson.Fragment:
    """A class opening the same page asks for the same grid fifty times: it is kept as its JSON
    (some 120 KB; writing it again took 0.1 ms of the event loop's time before each first event)."""
    return orjson.Fragment(orjson.dumps(contour_grid(problem.objective(), box)))


def meta_json(p: Prepared) -> str:
    plan = p.plan
    meta = {
        "function": p.request.function,
        "expression": p.request.expression,
        "start": list(plan.start),
        "steps": plan.steps,
        "box": list(p.box),
        "contour": _contour(plan.problem, p.box),
        "runs": [asdict(c) for c in plan.runs],
    }
    return orjson.dumps(meta).decode()


def done_json(p: Prepared, entry: cache.Entry, store_error: str | None) -> str:
    finals = [{"status": r.status, "diverged_at": r.diverged_at, "points": len(r.points)} for r in entry.results]
    done: dict[str, Any] = {"run_id": None if store_error else p.dest.run_id, "runs": finals}
    if store_error:
        done["store_error"] = store_error
    return orjson.dumps(done).decode()
