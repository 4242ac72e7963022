"""The two axes of a sweep: which setting each one varies and the values it takes, in order.

An axis is a range (``from``, ``to``, ``n`` points, linear or log spaced, both ends exact) or an
explicit list of values. Rows of a sweep's cells follow the second axis (Y), columns the first (X).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Scale = Literal["linear", "log"]
MAX_POINTS = 256  # per axis: 256 × 256 cells at most
START_PARAMS = ("x1", "x2")  # a trajectory sweep may sweep the start point: the basin map


@dataclass(frozen=True)
class Axis:
    param: str
    values: tuple[float, ...]
    scale: Scale = "linear"

    @property
    def n(self) -> int:
        return len(self.values)

    def as_dict(self) -> dict[str, Any]:
        return {"param": self.param, "values": list(self.values), "scale": self.scale}


def spaced(low: float, high: float, n: int, scale: Scale) -> tuple[float, ...]:
    """``n`` values from ``low`` to ``high`` (both exact), evenly spaced or evenly spaced in log."""
    if scale == "log":
        a, b = math.log(low), math.log(high)
        inner = [math.exp(a + (b - a) * i / (n - 1)) for i in range(1, n - 1)]
    else:
        inner = [low + (high - low) * i / (n - 1) for i in range(1, n - 1)]
    return (float(low), *inner, float(high))
