"""The contour behind a stored 2D comparison, rebuilt from its record (the grid is not stored)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.history.store import RunRecord
from app.optim.expression import custom_objective
from app.optim.functions import Objective, contour_grid, get_objective


@dataclass(frozen=True, kw_only=True)
class Contour:
    function: str
    expression: str | None  # the typed f, for function 'custom'
    box: list[float]  # x1 min, x1 max, x2 min, x2 max
    log_contours: bool
    x1: list[float]
    x2: list[float]
    z: list[list[float | None]]  # f at (x1[j], x2[i]) in row i; None where not finite


class NoContour(ValueError):
    """The record is not a 2D comparison whose function can be rebuilt."""


def _objective(config: dict[str, Any]) -> Objective:
    function = config.get("function")
    if function == "custom":
        return custom_objective(str(config.get("expression") or ""), box=config.get("box"), start=config.get("start"))
    return get_objective(str(function))


def stored_contour(record: RunRecord, n: int = 80) -> Contour:
    """f on an n×n grid over the comparison's view box (non-finite values as None), for a contour plot."""
    if record.kind != "trajectory":
        raise NoContour(f"run '{record.id}' is a {record.kind} run: it has no 2D function")
    try:
        objective = _objective(record.config)
    except ValueError as exc:  # a record written by an older version, or edited by hand
        raise NoContour(f"the function of run '{record.id}' cannot be rebuilt: {exc}") from None
    box = record.config.get("box") or list(objective.box)
    grid = contour_grid(objective, (box[0], box[1], box[2], box[3]), n)
    z = [[v if math.isfinite(v) else None for v in row] for row in grid["z"]]
    return Contour(
        function=str(record.config.get("function")),
        expression=record.config.get("expression"),
        box=[float(v) for v in box],
        log_contours=objective.log_contours,
        x1=grid["x1"],
        x2=grid["x2"],
        z=z,
    )
