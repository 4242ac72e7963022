"""2D objective functions with analytic gradients, view boxes, starts and known minima.

Each function and gradient is written once, with arithmetic operators and an :class:`~app.optim.ops.Ops`
for sin and cos, so it runs on a coordinate pair of Python floats, on K points stacked in numpy
arrays, or on tensors (contour grids, autograd checks). Squares are written ``a * a``: that is what
torch computes for ``a ** 2``, so every backend rounds alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from app.optim.ops import TORCH, Ops

Pair = tuple[float, float]
Box = tuple[float, float, float, float]  # x1 min, x1 max, x2 min, x2 max
X = Any  # float | np.ndarray | Tensor, elementwise
ValueFn = Callable[[X, X, Ops], X]
GradFn = Callable[[X, X, Ops], tuple[X, X]]


@dataclass(frozen=True)
class Objective:
    name: str
    label: str
    latex: str
    f: ValueFn  # f(x1, x2) elementwise on the given backend
    df: GradFn  # ∇f(x1, x2), elementwise on the given backend
    box: Box
    start: Pair
    minima: tuple[Pair, ...]
    note: str = ""
    log_contours: bool = False

    def value(self, x1: Tensor, x2: Tensor) -> Tensor:
        """f on coordinate tensors of any (equal) shape."""
        out: Tensor = self.f(x1, x2, TORCH)
        return out

    def gradient(self, x: Tensor) -> Tensor:
        """∇f at a point ``x`` of shape (2,)."""
        g1, g2 = self.df(x[0], x[1], TORCH)
        return torch.stack((g1, g2))

    def at(self, x: Tensor) -> Tensor:
        return self.value(x[0], x[1])


def _sq(a: X) -> X:
    return a * a


def _beale(x1: X, x2: X, m: Ops) -> X:
    return _sq(1.5 - x1 + x1 * x2) + _sq(2.25 - x1 + x1 * (x2 * x2)) + _sq(2.625 - x1 + x1 * (x2 * x2 * x2))


def _beale_grad(x1: X, x2: X, m: Ops) -> tuple[X, X]:
    sq, cube = x2 * x2, x2 * x2 * x2
    a = 1.5 - x1 + x1 * x2
    b = 2.25 - x1 + x1 * sq
    c = 2.625 - x1 + x1 * cube
    g1 = 2 * a * (x2 - 1) + 2 * b * (sq - 1) + 2 * c * (cube - 1)
    g2 = 2 * a * x1 + 2 * b * 2 * x1 * x2 + 2 * c * 3 * x1 * sq
    return g1, g2


TWO_PI = 2 * math.pi

OBJECTIVES: dict[str, Objective] = {
    f.name: f
    for f in (
        Objective(
            "quadratic",
            "Ill-conditioned quadratic (7.4–7.6)",
            r"f(x) = 0.1x_1^2 + 2x_2^2",
            lambda x1, x2, m: 0.1 * (x1 * x1) + 2 * (x2 * x2),
            lambda x1, x2, m: (0.2 * x1, 4 * x2),
            (-5.5, 1.0, -3.0, 1.0),
            (-5.0, -2.0),
            ((0.0, 0.0),),
        ),
        Objective(
            "bowl",
            "Quadratic bowl (7.2)",
            r"f(x) = x_1^2 + 2x_2^2",
            lambda x1, x2, m: x1 * x1 + 2 * (x2 * x2),
            lambda x1, x2, m: (2 * x1, 4 * x2),
            (-5.5, 1.0, -3.0, 1.0),
            (-5.0, -2.0),
            ((0.0, 0.0),),
        ),
        Objective(
            "rosenbrock",
            "Rosenbrock",
            r"f(x) = (1-x_1)^2 + 100(x_2-x_1^2)^2",
            lambda x1, x2, m: _sq(1 - x1) + 100 * _sq(x2 - x1 * x1),
            lambda x1, x2, m: (-2 * (1 - x1) - 400 * x1 * (x2 - x1 * x1), 200 * (x2 - x1 * x1)),
            (-2.0, 2.0, -1.0, 3.0),
            (-1.5, 2.0),
            ((1.0, 1.0),),
            log_contours=True,
        ),
        Objective(
            "beale",
            "Beale",
            r"f(x) = (1.5 - x_1 + x_1x_2)^2 + (2.25 - x_1 + x_1x_2^2)^2 + (2.625 - x_1 + x_1x_2^3)^2",
            _beale,
            _beale_grad,
            (-4.5, 4.5, -4.5, 4.5),
            (1.0, 1.5),
            ((3.0, 0.5),),
            log_contours=True,
        ),
        Objective(
            "himmelblau",
            "Himmelblau",
            r"f(x) = (x_1^2 + x_2 - 11)^2 + (x_1 + x_2^2 - 7)^2",
            lambda x1, x2, m: _sq(x1 * x1 + x2 - 11) + _sq(x1 + x2 * x2 - 7),
            lambda x1, x2, m: (
                4 * x1 * (x1 * x1 + x2 - 11) + 2 * (x1 + x2 * x2 - 7),
                2 * (x1 * x1 + x2 - 11) + 4 * x2 * (x1 + x2 * x2 - 7),
            ),
            (-5.0, 5.0, -5.0, 5.0),
            (0.0, 0.0),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
            log_contours=True,
        ),
        Objective(
            "rastrigin",
            "Rastrigin",
            r"f(x) = 20 + x_1^2 - 10\cos(2\pi x_1) + x_2^2 - 10\cos(2\pi x_2)",
            lambda x1, x2, m: 20 + x1 * x1 - 10 * m.cos(TWO_PI * x1) + x2 * x2 - 10 * m.cos(TWO_PI * x2),
            lambda x1, x2, m: (
                2 * x1 + 10 * TWO_PI * m.sin(TWO_PI * x1),
                2 * x2 + 10 * TWO_PI * m.sin(TWO_PI * x2),
            ),
            (-5.12, 5.12, -5.12, 5.12),
            (-4.5, 4.0),
            ((0.0, 0.0),),
            note="many local minima; the global one is at the origin",
        ),
        Objective(
            "saddle",
            "Saddle",
            r"f(x) = x_1^2 - x_2^2",
            lambda x1, x2, m: x1 * x1 - x2 * x2,
            lambda x1, x2, m: (2 * x1, -2 * x2),
            (-2.0, 2.0, -2.0, 2.0),
            (-1.5, 0.01),
            (),
            note="no minimum: a saddle point at the origin, f is unbounded below along x2",
        ),
    )
}


def get_objective(name: str) -> Objective:
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise ValueError(f"unknown function '{name}'; expected one of {sorted(OBJECTIVES)}") from None


def contour_grid(objective: Objective, box: Box, n: int = 80) -> dict[str, list[Any]]:
    """f on an n×n grid over ``box``, rows along x2, for a contour plot."""
    x1 = torch.linspace(box[0], box[1], n, dtype=torch.float64)
    x2 = torch.linspace(box[2], box[3], n, dtype=torch.float64)
    g2, g1 = torch.meshgrid(x2, x1, indexing="ij")
    z = objective.value(g1, g2)
    z = torch.where(torch.isfinite(z), z, torch.full_like(z, float("nan")))
    return {"x1": x1.tolist(), "x2": x2.tolist(), "z": z.tolist()}
