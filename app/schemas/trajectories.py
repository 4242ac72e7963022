"""2D comparisons: the request (runs on one function) and the answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.i18n.text import Text, message_of
from app.optim import expression as ex
from app.optim import grammar as gr
from app.optim.functions import OBJECTIVES
from app.optim.registry import OPTIMIZERS, get_optimizer
from app.optim.spec import HyperParamError
from app.schemas.base import COORD_LIMIT, Impl, StrictModel


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
            choices = ", ".join(sorted(OPTIMIZERS))
            message = Text("unknown optimizer '{name}'; expected one of {choices}", name=name, choices=choices)
            raise PydanticCustomError(
                "unknown_optimizer", "{message}", {"message": message, "name": name, "choices": choices}
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
            raise PydanticCustomError("hyperparam", "{message}", {"message": exc.message, "name": exc.key}) from None


def _check_pair(value: list[float] | None) -> list[float] | None:
    if value is not None and any(abs(v) > COORD_LIMIT for v in value):
        limit = f"{COORD_LIMIT:g}"
        message = Text("coordinates must lie within ±{limit}", limit=limit)
        raise PydanticCustomError("out_of_range", "{message}", {"message": message, "limit": limit})
    return value


EXPRESSION_HELP = (
    f"f(x1, x2) as text, only with function='custom' (required then), e.g. '0.1*x1**2 + 2*x2**2'. "
    f"Allowed: numbers, names {', '.join((*gr.VARIABLES, *gr.CONSTANTS))}, operators {' '.join(gr.OPERATORS)}, "
    f"unary minus/plus, parentheses and the functions {', '.join(gr.FUNCTIONS)} (one argument each). "
    f"Limits: {gr.MAX_LENGTH} characters, {gr.MAX_NODES} terms, parentheses {gr.MAX_DEPTH} deep, constant "
    f"exponents with |p| ≤ {gr.MAX_EXPONENT:g}, steps × runs × terms ≤ {gr.MAX_WORK:,}; f and its gradient must "
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
    expression: str | None = Field(None, max_length=gr.MAX_LENGTH, validate_default=True, description=EXPRESSION_HELP)

    @field_validator("function")
    @classmethod
    def _known_function(cls, name: str) -> str:
        if name not in OBJECTIVES and name != "custom":
            choices = ", ".join([*sorted(OBJECTIVES), "custom"])
            message = Text("unknown function '{name}'; expected one of {choices}", name=name, choices=choices)
            raise PydanticCustomError(
                "unknown_function", "{message}", {"message": message, "name": name, "choices": choices}
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
                message = Text("expression is only used with function 'custom'")
                raise PydanticCustomError("expression", "{message}", {"message": message, "token": "function"})
            return None
        if text is None:
            message = Text("function 'custom' needs an expression")
            raise PydanticCustomError("expression", "{message}", {"message": message, "token": "missing"})
        if "start" not in info.data:  # a refused start says enough
            return text
        try:
            expression = ex.compile_expression(text)
            ex.custom_objective(expression, start=info.data["start"])  # refuses a non-finite f or ∇f at the start
            if "steps" in info.data and "runs" in info.data:
                ex.check_work(expression, info.data["steps"], len(info.data["runs"]))
        except gr.ExpressionError as exc:
            raise PydanticCustomError(
                "expression", "{message}", {"message": message_of(exc), "token": exc.token}
            ) from None
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
            message = Text("box must be [x1min, x1max, x2min, x2max] with min < max")
            raise PydanticCustomError("box_order", "{message}", {"message": message})
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
