"""Request and response models of the HTTP API: bounds on every number, extra fields refused."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.optim import expression as ex
from app.optim.functions import OBJECTIVES
from app.optim.registry import OPTIMIZERS, HyperParamError, get_optimizer

Impl = Literal["book", "torch"]
# A job is active (it can still change) until it is finished; the pages read both lists from /healthz.
ActiveJobStatus = Literal["queued", "running"]
FinishedJobStatus = Literal["done", "failed", "cancelled", "interrupted"]
JobStatus = Literal[ActiveJobStatus, FinishedJobStatus]
COORD_LIMIT = 1e5


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


# --- meta -----------------------------------------------------------------------------------


class HyperParamInfo(BaseModel):
    name: str
    symbol: str
    default: float
    training_default: float
    torch_default: float
    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool
    bounds: str
    description: str
    aliases: list[str] = Field(description="other names a request may use for it (PyTorch's, the book's)")


class Formula(BaseModel):
    latex: str
    mathml: str = Field(description="the same formula as MathML Core markup: one <math> element")


class OptimizerNotation(BaseModel):
    """The book's notation for one implementation (symbols: x_t, g_t, s_t, v_t, Δx_t, η, γ, ρ, β, ε)."""

    rule: list[Formula] = Field(description="the update at step t in terms of g_t, one equation each")
    gradient: dict[Literal["2d", "training"], Formula] = Field(
        description="what g_t is: on a 2D function (2d) and in training (the minibatch's mean gradient)"
    )
    rate: Formula = Field(description="what a run's lr_eff holds, per coordinate")
    state: dict[str, Formula] = Field(description="each key of a run's state → its symbol after step t")
    symbols: dict[str, Formula] = Field(description="previous (x_{t-1}), gradient (g_t) and point (x_t)")


class OptimizerInfo(BaseModel):
    name: str
    label: str
    section: str
    summary: str
    notation: dict[Impl, OptimizerNotation]
    impls: list[Impl]
    hyperparams: list[HyperParamInfo]
    torch_class: str
    torch_notes: str


class ExpressionGrammar(BaseModel):
    """What a custom expression may contain (see TrajectoryRequest.expression)."""

    variables: list[str]
    constants: list[str]
    functions: list[str]
    operators: list[str]
    max_length: int
    max_nodes: int
    max_depth: int
    max_exponent: float
    max_work: int


class FunctionInfo(BaseModel):
    name: str
    label: str
    latex: str
    mathml: str = Field(description="latex as MathML Core markup; empty for 'custom'")
    box: list[float]
    start: list[float]
    minima: list[list[float]]
    note: str
    log_contours: bool
    grammar: ExpressionGrammar | None = Field(
        None,
        description="set only on the 'custom' entry: send function='custom' with an expression",
    )


class JobStatuses(BaseModel):
    """The statuses a training job (and its record in the history) can have, split by whether it can still change."""

    active: list[ActiveJobStatus] = Field(description="still changing: queued, running")
    finished: list[FinishedJobStatus] = Field(description="final: the job will not change any more")


class Health(BaseModel):
    status: Literal["ok", "unavailable"] = Field(
        description="'unavailable' (with 503) when the run history is not usable"
    )
    database: str = Field(description="'ok', or why the run history cannot be read or written")
    version: str
    torch: str
    cuda: bool
    job_statuses: JobStatuses = Field(description="the pages read these instead of spelling the statuses again")


# --- trajectories ---------------------------------------------------------------------------


class RunSpec(StrictModel):
    optimizer: str = Field(
        description="one of GET /api/optimizers",
        json_schema_extra={"enum": list(OPTIMIZERS)},
    )
    impl: Impl = "book"
    hyperparams: dict[str, float] = Field(default_factory=dict, max_length=8)

    @field_validator("optimizer")
    @classmethod
    def _known_optimizer(cls, name: str) -> str:
        if name not in OPTIMIZERS:
            raise PydanticCustomError(
                "unknown_optimizer",
                "unknown optimizer '{name}'; expected one of {choices}",
                {"name": name, "choices": ", ".join(sorted(OPTIMIZERS))},
            )
        return name

    @field_validator("hyperparams")
    @classmethod
    def _valid_hyperparams(cls, given: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        name = info.data.get("optimizer")
        if name is None:  # the optimizer itself was refused; that error says enough
            return given
        try:  # aliases (lr, alpha, momentum, beta) become the canonical names here, for the answer and the history
            return get_optimizer(name).canonical(given)
        except HyperParamError as exc:
            raise PydanticCustomError("hyperparam", "{message}", {"message": str(exc), "name": exc.key}) from None


def _check_pair(value: list[float] | None) -> list[float] | None:
    if value is not None and any(abs(v) > COORD_LIMIT for v in value):
        raise PydanticCustomError("out_of_range", "coordinates must lie within ±{limit}", {"limit": f"{COORD_LIMIT:g}"})
    return value


EXPRESSION_HELP = (
    f"f(x1, x2) as text, only with function='custom' (required then), e.g. '0.1*x1**2 + 2*x2**2'. "
    f"Allowed: numbers, names {', '.join((*ex.VARIABLES, *ex.CONSTANTS))}, operators {' '.join(ex.OPERATORS)}, "
    f"unary minus/plus, parentheses and the functions {', '.join(ex.FUNCTIONS)} (one argument each). "
    f"Limits: {ex.MAX_LENGTH} characters, {ex.MAX_NODES} terms, parentheses {ex.MAX_DEPTH} deep, constant "
    f"exponents with |p| ≤ {ex.MAX_EXPONENT:g}, steps × runs × terms ≤ {ex.MAX_WORK:,}; f and its gradient must "
    f"be finite at the start point. Default box {list(ex.CUSTOM_BOX)}, default start {list(ex.CUSTOM_START)}. "
    f"Refusals are 422s whose ctx.token names the offending token or limit."
)


class TrajectoryRequest(StrictModel):
    function: str = Field(
        "quadratic",
        description="one of GET /api/functions ('custom' needs an expression)",
        json_schema_extra={"enum": [*OBJECTIVES, "custom"]},
    )
    start: list[float] | None = Field(None, min_length=2, max_length=2, description="default: the function's")
    steps: int = Field(20, ge=1, le=10_000)
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seeds SGD's gradient noise")
    box: list[float] | None = Field(
        None,
        min_length=4,
        max_length=4,
        description="contour view [x1min, x1max, x2min, x2max]",
    )
    runs: list[RunSpec] = Field(min_length=1, max_length=8)
    # Last on purpose: its validator sees function, start, steps and runs (already validated).
    expression: str | None = Field(None, max_length=ex.MAX_LENGTH, validate_default=True, description=EXPRESSION_HELP)

    @field_validator("function")
    @classmethod
    def _known_function(cls, name: str) -> str:
        if name not in OBJECTIVES and name != "custom":
            raise PydanticCustomError(
                "unknown_function",
                "unknown function '{name}'; expected one of {choices}",
                {"name": name, "choices": ", ".join([*sorted(OBJECTIVES), "custom"])},
            )
        return name

    @field_validator("expression")
    @classmethod
    def _valid_expression(cls, text: str | None, info: ValidationInfo) -> str | None:
        function = info.data.get("function")
        if function is None:  # the function itself was refused
            return text
        if function != "custom":
            if text is not None:
                raise PydanticCustomError(
                    "expression",
                    "expression is only used with function 'custom'",
                    {"token": "function"},
                )
            return None
        if text is None:
            raise PydanticCustomError("expression", "function 'custom' needs an expression", {"token": "missing"})
        if "start" not in info.data:  # a refused start says enough
            return text
        try:
            expression = ex.compile_expression(text)
            ex.custom_objective(expression, start=info.data["start"])  # refuses a non-finite f or ∇f at the start
            if "steps" in info.data and "runs" in info.data:
                ex.check_work(expression, info.data["steps"], len(info.data["runs"]))
        except ex.ExpressionError as exc:
            raise PydanticCustomError("expression", "{message}", {"message": str(exc), "token": exc.token}) from None
        return text

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, value: list[float] | None) -> list[float] | None:
        return _check_pair(value)

    @field_validator("box")
    @classmethod
    def _box_ordered(cls, value: list[float] | None) -> list[float] | None:
        _check_pair(value)
        if value is not None and not (value[0] < value[1] and value[2] < value[3]):
            raise PydanticCustomError("box_order", "box must be [x1min, x1max, x2min, x2max] with min < max")
        return value


class RunOut(BaseModel):
    optimizer: str
    impl: Impl
    hyperparams: dict[str, float]
    points: list[list[float]] = Field(description="steps+1 rows [x1, x2], the start first")
    values: list[float] = Field(description="f(x_t) for every point")
    lr_eff: list[list[float]] = Field(description="effective rate per coordinate used for step t (t ≥ 1)")
    state: dict[str, list[list[float]]] = Field(
        default_factory=dict,
        description="optimizer state after step t (t ≥ 1): the book's s, v, delta, or torch.optim's own names",
    )
    status: Literal["ok", "diverged"]
    diverged_at: int | None


class TrajectoryResponse(BaseModel):
    run_id: str | None = Field(
        description="the stored comparison: GET /api/runs/{run_id}; null if it could not be stored"
    )
    store_error: str | None = Field(
        None, description="why the comparison was not stored (the run history is unavailable)"
    )
    function: str
    expression: str | None = Field(None, description="the custom f(x1, x2), when function is 'custom'")
    start: list[float]
    steps: int
    runs: list[RunOut]


# --- run history ----------------------------------------------------------------------------


class RunSummary(BaseModel):
    id: str
    kind: Literal["trajectory", "training", "sweep"]
    status: str = Field(description="done, failed, cancelled, interrupted, queued or running")
    title: str
    optimizers: list[str]
    device: str | None
    created_at: float = Field(description="seconds since the epoch")
    updated_at: float
    runs: list[dict[str, Any]] = Field(description="per run: optimizer, impl, hyperparams, status, final figures")
    timings: dict[str, Any]
    pinned: bool = Field(False, description="pinned records are never pruned")
    mine: bool = Field(False, description="made by this browser (its owner cookie): it may delete and pin it")


class RunDetail(RunSummary):
    config: dict[str, Any]
    series: list[dict[str, Any]] = Field(
        description="per run: points, values, lr_eff (trajectory), epochs, losses (training) or cells (sweep)",
    )


class HistoryUsage(BaseModel):
    runs: int = Field(description="records stored, everyone's")
    bytes: int = Field(description="their size (the JSON of their configs, series and summaries)")
    pinned: int
    own_runs: int = Field(description="records of this browser")
    own_bytes: int
    max_runs: int = Field(description="past this, or max_bytes, the oldest unpinned records are pruned")
    max_bytes: int


class RunPage(BaseModel):
    total: int
    offset: int
    limit: int
    scope: Literal["own", "all"]
    items: list[RunSummary]
    usage: HistoryUsage


# --- training jobs and data sets ----------------------------------------------------

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


class JobSummary(BaseModel):
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


class JobOut(JobSummary):
    runs: list[JobRunOut]  # type: ignore[assignment]


class DatasetInfo(BaseModel):
    id: str = Field(description="what POST /api/jobs takes as 'dataset'")
    label: str
    kind: Literal["airfoil", "synthetic", "upload"]
    available: bool
    reason: str | None = Field(description="why it is unavailable")
    synthetic: bool
    rows: int | None
    features: int | None
    columns: list[str] = Field(description="feature names, then the target's")
    description: str
    filename: str | None = Field(description="uploads: the file's name as sent (display only)")
    created_at: float | None
    mine: bool = Field(False, description="an upload of this browser: it may delete it")


# --- run history: contours and debug stats ----------------------------------------


class ContourOut(BaseModel):
    function: str
    expression: str | None
    box: list[float] = Field(description="[x1 min, x1 max, x2 min, x2 max]")
    log_contours: bool = Field(description="draw log10(1 + f): the function spans many orders of magnitude")
    x1: list[float]
    x2: list[float]
    z: list[list[float | None]] = Field(description="f at (x1[j], x2[i]) in row i, column j; null where not finite")


class ThreadStats(BaseModel):
    total: int = Field(description="Python threads alive in the server process")
    pool: int = Field(description="threads of the pool that runs sync endpoints and streams, busy or idle")
    pool_busy: int = Field(description="pool threads running a request right now")
    pool_limit: int
    jobs: int = Field(description="training job workers")
    other: int = Field(description="every other thread (the main thread, ...)")
    os: int | None = Field(description="OS threads of the process (torch's too), where the OS tells")


class StreamStats(BaseModel):
    open: int = Field(description="event streams holding a client's stream slot")
    trajectory_generators: int = Field(description="trajectory streams not yet closed (computing or suspended)")


class ComputeStats(BaseModel):
    workers: int = Field(description="worker processes for 2D comparisons (0 until the first is needed)")
    busy: int = Field(description="workers computing right now")
    queued: int = Field(description="tasks waiting for a worker")
    tasks: int = Field(description="tasks given to the workers since start-up")
    computed: int = Field(description="comparisons computed (or found in the history) since start-up")
    entries: int = Field(description="finished comparisons in the answer cache")
    bytes: int = Field(description="memory the answer cache holds")
    hits: int
    misses: int


class JobStats(BaseModel):
    jobs: int = Field(description="jobs kept in memory (unfinished, then the newest finished)")
    queued: int
    running: int
    subscribers: int = Field(description="open event-stream subscriptions to jobs")
    workers: int
    max_concurrent: int
    max_queued: int


class DebugStats(BaseModel):
    threads: ThreadStats
    tasks: int = Field(description="asyncio tasks on the server's event loop (this request's included)")
    streams: StreamStats
    jobs: JobStats | None = Field(description="null while the job manager is not running")
    compute: ComputeStats = Field(description="the 2D service's worker pool and answer cache")
    rss_bytes: int | None = Field(description="resident memory of the process, where the OS tells")


# --- the book: the chapter's printed results ------------------------------------------------


class LocalText(BaseModel):
    en: str
    zh: str


class PrintedPoint(BaseModel):
    point: list[float] = Field(description="[x1, x2] after the steps, as the book prints them (6 decimals)")
    line: str = Field(description="the book's output line, verbatim")


class PrintedLoss(BaseModel):
    loss: float = Field(description="the final full-data loss, as the book prints it")
    sec_per_epoch: float = Field(description="the book's time of its last epoch (its loss evaluations included)")
    line: str = Field(description="the book's output line, verbatim")


class BookTrajectoryResult(BaseModel):
    kind: Literal["trajectory"]
    id: str
    section: str
    description: LocalText
    random: bool = Field(description="the book's generator was unseeded: compare with ours over `seeds` seeds")
    request: TrajectoryRequest = Field(description="POST it to /api/trajectories to reproduce the result")
    printed: PrintedPoint
    formulas: list[Formula] = Field(description="the objective, what g_t is, then the update rule")


class BookTrainingResult(BaseModel):
    kind: Literal["training"]
    id: str
    section: str
    description: LocalText
    random: bool = Field(description="always compared over `seeds` seeds: the book's run was unseeded")
    request: JobRequest = Field(
        description="POST it to /api/jobs to reproduce the result: one job over `seeds` seeds, their mean and sd"
    )
    printed: PrintedLoss
    formulas: list[Formula] = Field(description="what g_t is (the minibatch's gradient), then the update rule")


class BookSection(BaseModel):
    id: str = Field(description="the section's number, e.g. '7.2'")
    title: LocalText


class BookOmission(BaseModel):
    section: str
    description: LocalText
    line: str = Field(description="the book's output line, verbatim")
    reason: LocalText = Field(description="why the catalogue does not re-run it")


class BookOut(BaseModel):
    seeds: int = Field(
        description="ours for an unseeded result: seeds 0 … seeds−1 (a 2D request sent with each seed; a training "
        "request trains them all in one job)"
    )
    decimals: int = Field(description="a 2D result passes when ours equals the printed point to this many decimals")
    sigmas: float = Field(
        description="a random or training result passes when the printed value lies within our mean ± sigmas × sd"
    )
    sections: list[BookSection] = Field(description="the chapter's sections, in order, with their titles")
    results: list[Annotated[BookTrajectoryResult | BookTrainingResult, Field(discriminator="kind")]]
    omitted: list[BookOmission] = Field(description="printed results not re-run, each with its reason")
    loss: Formula = Field(description="the training results' loss, the mean over the data of (ŷ − y)²/2")
