"""The run history: records listed and opened, the store's usage, a record's contours."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class RunBrief(BaseModel):
    """A record as the history lists it: without its config and series."""

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


class RunDetail(RunBrief):
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
    items: list[RunBrief]
    usage: HistoryUsage


class ContourOut(BaseModel):
    function: str
    expression: str | None
    box: list[float] = Field(description="[x1 min, x1 max, x2 min, x2 max]")
    log_contours: bool = Field(description="draw log10(1 + f): the function spans many orders of magnitude")
    x1: list[float]
    x2: list[float]
    z: list[list[float | None]] = Field(description="f at (x1[j], x2[i]) in row i, column j; null where not finite")
