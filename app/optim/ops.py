"""The three array backends a rule or an objective runs on: Python floats, numpy arrays, torch tensors.

A rule (``app.optim.rules``) or an objective (``app.optim.functions``) is written with arithmetic
operators and the few functions an :class:`Ops` carries, so one definition runs unchanged on a
single coordinate (a float), on K runs stacked as a K×2 array, or on a model's weights (a tensor).

The float backend mirrors torch where torch's scalar arithmetic is not the C library's: ``pow``
takes the same short cuts as torch's ``pow`` (x·x for p = 2, ...), so a 2D path computed on floats
matches one computed on 0-d float64 tensors, and never returns a complex number. A float function
raises (ValueError, OverflowError, ZeroDivisionError) where torch would return inf or nan; the
runner treats either as divergence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

Unary = Callable[[Any], Any]


def _pow_like_torch(sqrt: Unary, general: Callable[[Any, float], Any]) -> Callable[[Any, float], Any]:
    """x ** p with torch's short cuts, so floats and arrays round as tensors do."""

    def power(x: Any, p: float) -> Any:
        if p == 2:
            return x * x
        if p == 3:
            return x * x * x
        if p == -1:
            return 1.0 / x
        if p == -2:
            return 1.0 / (x * x)
        if p == -0.5:
            return 1.0 / sqrt(x)
        return general(x, p)

    return power


@dataclass(frozen=True)
class Ops:
    name: str
    sqrt: Unary
    sin: Unary
    cos: Unary
    tan: Unary
    exp: Unary
    log: Unary
    tanh: Unary
    abs: Unary
    pow: Callable[[Any, float], Any]
    fill: Callable[[Any, float], Any]  # a constant shaped like its first argument


FLOAT = Ops(
    "float",
    math.sqrt,
    math.sin,
    math.cos,
    math.tan,
    math.exp,
    math.log,
    math.tanh,
    abs,
    _pow_like_torch(math.sqrt, math.pow),  # math.pow raises for (-8) ** 0.5; ** would be complex
    lambda x, c: c,
)
NUMPY = Ops(
    "numpy",
    np.sqrt,
    np.sin,
    np.cos,
    np.tan,
    np.exp,
    np.log,
    np.tanh,
    np.abs,
    _pow_like_torch(np.sqrt, np.power),
    np.full_like,
)
TORCH = Ops(
    "torch",
    torch.sqrt,
    torch.sin,
    torch.cos,
    torch.tan,
    torch.exp,
    torch.log,
    torch.tanh,
    torch.abs,
    torch.pow,
    torch.full_like,
)
