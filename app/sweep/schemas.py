"""Request and response models of ``/api/sweeps``.

One flat body for both kinds, so that every refusal names the field as the client wrote it
(``axes[1].to``, ``epochs``); a field of the other kind is refused by name. Checks that need the
optimizer, the function or the server (bounds, the work bound, the data set) are the plan's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from app.optim import grammar
from app.optim.functions import OBJECTIVES
from app.optim.registry import OPTIMIZERS
from app.schemas.base import COORD_LIMIT, Impl, JobStatus, StrictModel
from app.schemas.jobs import Device
from app.sweep.axes import MAX_POINTS

SweepKind = Literal["trajectory", "training"]
TRAJECTORY_METRICS = ("final_value", "distance", "steps_to_tol", "diverged_at", "minimum")
TRAINING_METRICS = ("final_loss", "diverged_at")


class AxisSpec(StrictModel):
    """A range (``from``, ``to``, ``n``, ``scale``) or a list of ``values``; not both."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, populate_by_name=True)

    param: str = Field(
        min_length=1,
        max_length=32,
        description="a hyper-parameter of the optimizer (GET /api/optimizers), or x1 / x2 (the start point, "
        "trajectory sweeps only)",
    )
    from_: float | None = Field(None, alias="from", description="first value of a range")
    to: float | None = Field(None, description="last value of a range, > from")
    n: int | None = Field(None, ge=2, le=MAX_POINTS, description="values in the range, both ends included")
    scale: Literal["linear", "log"] = Field("linear", description="log: evenly spaced in log (from > 0)")
    values: list[float] | None = Field(None, min_length=1, max_length=MAX_POINTS, description="the values, in order")


class SweepRequest(StrictModel):
    kind: SweepKind
    optimizer: str = Field(description="one of GET /api/optimizers", json_schema_extra={"enum": list(OPTIMIZERS)})
    impl: Impl = "book"
    hyperparams: dict[str, float] = Field(
        default_factory=dict,
        max_length=8,
        description="the hyper-parameters that stay fixed; the rest take their defaults (2D or training)",
    )
    axes: list[AxisSpec] = Field(
        min_length=2,
        max_length=2,
        description="[X, Y]: cells are len(Y) rows × len(X) columns",
    )
    seed: int = Field(0, ge=0, le=2**31 - 1, description="SGD's gradient noise; training: weights and batch order")
    # --- kind "trajectory": the fields of POST /api/trajectories ---
    function: str | None = Field(
        None,
        description="default quadratic; one of GET /api/functions ('custom' needs an expression)",
        json_schema_extra={"enum": [*OBJECTIVES, "custom"]},
    )
    expression: str | None = Field(None, max_length=grammar.MAX_LENGTH, description="f(x1, x2) with function 'custom'")
    start: list[float] | None = Field(None, min_length=2, max_length=2, description="default: the function's")
    steps: int | None = Field(None, ge=1, le=10_000, description="default 20")
    box: list[float] | None = Field(None, min_length=4, max_length=4, description="view [x1min, x1max, x2min, x2max]")
    # --- kind "training": the fields of POST /api/jobs ---
    dataset: str | None = Field(None, min_length=1, max_length=64, description="default airfoil")
    batch_size: int | None = Field(None, ge=1, le=200_000, description="default 10")
    epochs: int | None = Field(None, ge=1, le=100, description="default 2")
    device: Device | None = Field(None, description="default auto")

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

    @field_validator("function")
    @classmethod
    def _known_function(cls, name: str | None) -> str | None:
        if name is not None and name not in OBJECTIVES and name != "custom":
            raise PydanticCustomError(
                "unknown_function",
                "unknown function '{name}'; expected one of {choices}",
                {"name": name, "choices": ", ".join([*sorted(OBJECTIVES), "custom"])},
            )
        return name

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and any(abs(v) > COORD_LIMIT for v in value):
            raise PydanticCustomError("out_of_range", "coordinates must lie within ±{limit}", {"limit": COORD_LIMIT})
        return value

    @field_validator("box")
    @classmethod
    def _box_ordered(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and not (value[0] < value[1] and value[2] < value[3]):
            raise PydanticCustomError("box_order", "box must be [x1min, x1max, x2min, x2max] with min < max")
        if value is not None and any(abs(v) > COORD_LIMIT for v in value):
            raise PydanticCustomError("out_of_range", "coordinates must lie within ±{limit}", {"limit": COORD_LIMIT})
        return value


# --- answers ------------------------------------------------------------------------------


class SweepCreated(BaseModel):
    id: str
    status: JobStatus
    url: str = Field(description="GET it for the sweep and its cells")
    events: str = Field(description="its event stream (SSE): meta, progress…, done")


class AxisOut(BaseModel):
    param: str
    values: list[float] = Field(description="the values as used, in order")
    scale: Literal["linear", "log"]


class BestOut(BaseModel):
    value: float = Field(description="its final value f(x_T) (trajectory) or final loss (training)")
    row: int = Field(description="its row: Y = axes[1].values[row]")
    col: int = Field(description="its column: X = axes[0].values[col]")


class SweepSummary(BaseModel):
    id: str
    kind: SweepKind
    status: JobStatus
    created_at: float
    started_at: float | None
    finished_at: float | None
    seconds: float = Field(description="running time so far (or in total)")
    progress: float = Field(description="fraction of the cells finished, 0–1")
    rows_done: int = Field(description="rows (values of Y) whose cells are all finished")
    optimizer: str
    impl: Impl
    hyperparams: dict[str, float] = Field(description="the fixed hyper-parameters, defaults filled in")
    problem: dict[str, object] = Field(
        description="trajectory: function, expression, start, steps, seed, box, minima; training: dataset, "
        "batch_size, epochs, seed, device"
    )
    axes: list[AxisOut] = Field(description="[X, Y]")
    metrics: list[str] = Field(description="the names in cells")
    error: str | None
    cancel_requested: bool
    last_event_id: int
    run_id: str | None = Field(description="its record in the run history (GET /api/runs/{run_id}), once ended")
    best: BestOut | None = Field(description="the finished cell with the least finite final value or loss")
    diverged: int = Field(description="finished cells that diverged")
    mine: bool = Field(description="whether this browser submitted it (and may cancel it)")


class SweepOut(SweepSummary):
    cells: dict[str, list[list[float | None]]] = Field(
        description="per metric a len(Y) × len(X) array (row i: Y = values[i]); null where not finished or not "
        "defined. Trajectory: final_value f(x_T), distance to the nearest known minimum, steps_to_tol (first t with "
        "f(x_t) − f* ≤ 1e-6), diverged_at (step), minimum (index into problem.minima); training: final_loss, "
        "diverged_at (epoch)"
    )
