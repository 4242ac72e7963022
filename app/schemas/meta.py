"""The API's self-description: optimizers, functions, the expression grammar, health."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.base import ActiveJobStatus, FinishedJobStatus, Impl


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


class PageCatalogue(BaseModel):
    lang: str = Field(description="en or zh")
    messages: dict[str, str | list[str]] = Field(
        description="English message id → its translation (a list: the plural forms); English itself is empty"
    )
