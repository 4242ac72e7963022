"""A sweep request checked against the optimizer, the function and the server, turned into a plan.

Every refused field is reported in one answer (``Refused``), named as the client wrote it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.data.dataset import Dataset
from app.data.registry import DatasetRegistry, DatasetUnavailable
from app.i18n.text import Text, message_of
from app.optim import expression as ex
from app.optim import grammar
from app.optim.functions import Objective, get_objective
from app.optim.minima import known_minima, lowest_value
from app.optim.registry import get_optimizer
from app.optim.spec import HyperParamError, OptimizerSpec
from app.schemas.base import COORD_LIMIT
from app.sweep.axes import START_PARAMS, Axis, spaced
from app.sweep.schemas import TRAINING_METRICS, TRAJECTORY_METRICS, AxisSpec, SweepRequest
from app.training.device import resolve_device
from app.validation import FieldProblem, Refused

TRAJECTORY_FIELDS = ("function", "expression", "start", "steps", "box")
TRAINING_FIELDS = ("dataset", "batch_size", "epochs", "device")
DEFAULT_STEPS = 20
# impl "torch" steps every cell through torch.optim on its own: about this many times the work of a book cell.
TORCH_COST = 50


@dataclass(frozen=True)
class TrajectoryProblem:
    function: str
    expression: str | None
    start: tuple[float, float]
    steps: int
    box: tuple[float, float, float, float]
    minima: tuple[tuple[float, float], ...]  # what ``minimum`` indexes; empty for custom f
    f_star: float | None  # the least f, for steps_to_tol; None where unknown

    def objective(self) -> Objective:
        if self.function == "custom":
            return ex.custom_objective(self.expression or "", box=self.box, start=self.start)
        return get_objective(self.function)


@dataclass(frozen=True)
class TrainingProblem:
    dataset: Dataset
    batch_size: int
    epochs: int
    device_requested: str
    device: str  # resolved: cpu | cuda

    @property
    def steps(self) -> int:
        return self.epochs * math.ceil(self.dataset.rows / self.batch_size)


@dataclass(frozen=True)
class SweepPlan:
    """One optimizer over the grid of two axes; each cell is ``hyperparams`` with the axes' values."""

    kind: str
    optimizer: str
    impl: str
    hyperparams: dict[str, float]  # complete, for the parameters no axis sweeps
    axes: tuple[Axis, Axis]
    seed: int
    problem: TrajectoryProblem | TrainingProblem
    owner: str | None = field(default=None, compare=False)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) = (len(Y), len(X))."""
        return self.axes[1].n, self.axes[0].n

    @property
    def cells(self) -> int:
        return self.axes[0].n * self.axes[1].n

    @property
    def metrics(self) -> tuple[str, ...]:
        return TRAJECTORY_METRICS if self.kind == "trajectory" else TRAINING_METRICS

    def cell(self, row: int, col: int) -> dict[str, float]:
        """Hyper-parameters and start coordinates of one cell: the fixed ones, then the axes' values."""
        x, y = self.axes
        return {**self.hyperparams, x.param: x.values[col], y.param: y.values[row]}


def plan_sweep(
    req: SweepRequest, datasets: DatasetRegistry, max_work: int, max_job_steps: int, owner: str | None = None
) -> SweepPlan:
    """The plan of ``req`` for ``owner``; ``Refused`` naming every field at fault."""
    spec = get_optimizer(req.optimizer)
    problems = _kind_problems(req)
    axes = [_axis(spec, req, i, a, problems) for i, a in enumerate(req.axes)]
    names = [_param_name(spec, a.param) for a in req.axes]
    if names[0] is not None and names[0] == names[1]:
        problems.append(FieldProblem("axes[1].param", Text("both axes sweep '{name}'; choose another", name=names[0])))
    hyperparams = _fixed(spec, req, problems)
    cells = axes[0].n * axes[1].n if axes[0] is not None and axes[1] is not None else 0
    problem: TrajectoryProblem | TrainingProblem | None
    if req.kind == "trajectory":
        problem = _trajectory(req, cells, problems)
    else:
        problem = _training(req, datasets, max_job_steps, problems)
    if problem is not None and axes[0] is not None and axes[1] is not None:
        _check_work(req, (axes[1].n, axes[0].n), problem.steps, max_work, problems)
    if problems or problem is None or axes[0] is None or axes[1] is None:
        raise Refused(problems)
    return SweepPlan(req.kind, req.optimizer, req.impl, hyperparams, (axes[0], axes[1]), req.seed, problem, owner)


def _kind_problems(req: SweepRequest) -> list[FieldProblem]:
    other = "training" if req.kind == "trajectory" else "trajectory"
    foreign = TRAINING_FIELDS if req.kind == "trajectory" else TRAJECTORY_FIELDS
    return [
        FieldProblem(name, Text("is a field of kind '{other}' sweeps, not '{kind}'", other=other, kind=req.kind))
        for name in foreign
        if getattr(req, name) is not None
    ]


def _param_name(spec: OptimizerSpec, param: str) -> str | None:
    """The canonical name of an axis' parameter (an alias accepted), None when the optimizer has none such."""
    if param in START_PARAMS:
        return param
    try:
        return spec.canonical_name(param)
    except ValueError:
        return None


def _axis(spec: OptimizerSpec, req: SweepRequest, i: int, a: AxisSpec, problems: list[FieldProblem]) -> Axis | None:
    where = f"axes[{i}]"
    param = _param_name(spec, a.param)
    if param is None or (param in START_PARAMS and req.kind != "trajectory"):
        known = [hp.name for hp in spec.hyperparams] + (list(START_PARAMS) if req.kind == "trajectory" else [])
        start = " (x1, x2: the start point)" if req.kind == "trajectory" else ""
        message = f"unknown parameter '{a.param}' for {spec.name}; expected one of {', '.join(known)}{start}"
        problems.append(FieldProblem(f"{where}.param", message))
        return None
    values = _values(a, where, problems)
    if values is None:
        return None
    bad = [(k, v) for k, v in enumerate(values) if not _accepts(spec, param, v)]
    if bad:
        k, v = bad[0]
        name = f"{where}.values[{k}]" if a.values is not None else f"{where}.{'from' if k == 0 else 'to'}"
        problems.append(FieldProblem(name, f"{param} must be {_bounds(spec, param)}, got {v:g}"))
        return None
    return Axis(param, values, a.scale)


def _values(a: AxisSpec, where: str, problems: list[FieldProblem]) -> tuple[float, ...] | None:
    ranged = {"from": a.from_, "to": a.to, "n": a.n}
    if a.values is not None:
        given = [name for name, v in ranged.items() if v is not None]
        if given:
            message = f"give values or a range (from, to, n), not both ({given[0]} is set)"
            problems.append(FieldProblem(f"{where}.values", message))
            return None
        return tuple(float(v) for v in a.values)
    missing = [name for name, v in ranged.items() if v is None]
    if missing:
        required = Text("required for a range (or give values)")
        problems.extend(FieldProblem(f"{where}.{name}", required) for name in missing)
        return None
    assert a.from_ is not None and a.to is not None and a.n is not None
    if a.from_ >= a.to:
        low, high = f"{a.from_:g}", f"{a.to:g}"
        problems.append(
            FieldProblem(f"{where}.to", Text("must be greater than from ({low}), got {high}", low=low, high=high))
        )
        return None
    if a.scale == "log" and a.from_ <= 0:
        message = f"a log scale cannot reach or cross 0: from must be > 0, got {a.from_:g} (or use scale 'linear')"
        problems.append(FieldProblem(f"{where}.scale", message))
        return None
    return spaced(a.from_, a.to, a.n, a.scale)


def _accepts(spec: OptimizerSpec, param: str, value: float) -> bool:
    if param in START_PARAMS:
        return math.isfinite(value) and abs(value) <= COORD_LIMIT
    return spec.param(param).accepts(value)


def _bounds(spec: OptimizerSpec, param: str) -> str:
    if param in START_PARAMS:
        return f"within ±{COORD_LIMIT:g}"
    return f"a finite number in {spec.param(param).bounds_text()}"


def _fixed(spec: OptimizerSpec, req: SweepRequest, problems: list[FieldProblem]) -> dict[str, float]:
    """The hyper-parameters no axis sweeps, complete; a swept or bad one is refused by name."""
    swept = {_param_name(spec, a.param): i for i, a in enumerate(req.axes)}
    fixed = {}
    for key, value in req.hyperparams.items():
        name = _param_name(spec, key)
        if name is not None and name in swept:
            problems.append(FieldProblem(f"hyperparams.{key}", f"is swept by axes[{swept[name]}]; leave it out here"))
            continue
        fixed[key] = value
    try:
        canonical = spec.canonical(fixed)
    except HyperParamError as exc:
        problems.append(FieldProblem(f"hyperparams.{exc.key}", message_of(exc)))
        canonical = {}
    context = "2d" if req.kind == "trajectory" else "training"
    complete = spec.resolve(canonical, req.impl, context)
    return {name: value for name, value in complete.items() if name not in swept}


def _trajectory(req: SweepRequest, cells: int, problems: list[FieldProblem]) -> TrajectoryProblem | None:
    function = req.function or "quadratic"
    steps = req.steps or DEFAULT_STEPS
    if function != "custom":
        if req.expression is not None:
            problems.append(FieldProblem("expression", Text("expression is only used with function 'custom'")))
            return None
        objective = get_objective(function)
        start = req.start or list(objective.start)
        box = req.box or list(objective.box)
        minima = known_minima(objective)
        return TrajectoryProblem(function, None, _pair(start), steps, _quad(box), minima, lowest_value(objective))
    if req.expression is None:
        needed = Text("function 'custom' needs an expression")
        problems.append(FieldProblem("expression", needed, ctx={"token": "missing"}))
        return None
    start = req.start or list(ex.CUSTOM_START)
    try:
        expression = ex.compile_expression(req.expression)
        objective = ex.custom_objective(expression, box=req.box, start=start)
        if cells:
            ex.check_work(expression, steps, cells)
    except grammar.ExpressionError as exc:
        problems.append(FieldProblem("expression", message_of(exc), ctx={"token": exc.token}))
        return None
    return TrajectoryProblem("custom", req.expression, _pair(start), steps, _quad(objective.box), (), None)


def _training(
    req: SweepRequest, datasets: DatasetRegistry, max_job_steps: int, problems: list[FieldProblem]
) -> TrainingProblem | None:
    dataset_id, batch, epochs = req.dataset or "airfoil", req.batch_size or 10, req.epochs or 2
    dataset = None
    try:
        dataset = datasets.get(dataset_id)
    except KeyError:
        known = ", ".join(datasets.known_ids())
        problems.append(
            FieldProblem("dataset", Text("unknown dataset '{id}'; expected one of {known}", id=dataset_id, known=known))
        )
    except DatasetUnavailable as exc:
        problems.append(FieldProblem("dataset", str(exc)))
    device = None
    try:
        device = resolve_device(req.device or "auto").type
    except ValueError as exc:
        problems.append(FieldProblem("device", message_of(exc)))
    if dataset is None or device is None:
        return None
    if batch > dataset.rows:
        message = Text("must be at most {rows}, the rows of dataset '{id}'", rows=dataset.rows, id=dataset.id)
        problems.append(FieldProblem("batch_size", message))
        return None
    problem = TrainingProblem(dataset, batch, epochs, req.device or "auto", device)
    if problem.steps > max_job_steps:
        steps, limit = f"{problem.steps:,}", f"{max_job_steps:,}"
        too_long = Text("each cell would take {steps} steps; the server's limit is {limit}", steps=steps, limit=limit)
        problems.append(FieldProblem("epochs", too_long))
        return None
    return problem


def _check_work(
    req: SweepRequest, shape: tuple[int, int], steps: int, limit: int, problems: list[FieldProblem]
) -> None:
    """Cells × steps within the server's limit (impl 'torch' counts ``TORCH_COST`` times)."""
    cost = TORCH_COST if req.impl == "torch" else 1
    work = shape[0] * shape[1] * steps * cost
    if work <= limit:
        return
    what = "steps" if req.kind == "trajectory" else "optimizer steps"
    torch_note = f" × {cost} (impl 'torch' steps each cell through torch.optim)" if cost > 1 else ""
    message = (
        f"this sweep is {shape[0]} × {shape[1]} cells × {steps:,} {what}{torch_note} = {work:,} cell-steps; "
        f"the server's limit is {limit:,}: use fewer cells or steps"
    )
    problems.append(FieldProblem("axes", message, ctx={"work": work, "limit": limit}))


def _pair(values: list[float] | tuple[float, ...]) -> tuple[float, float]:
    return float(values[0]), float(values[1])


def _quad(values: list[float] | tuple[float, ...]) -> tuple[float, float, float, float]:
    return float(values[0]), float(values[1]), float(values[2]), float(values[3])
