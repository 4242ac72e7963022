"""Every known minimum of a built-in function, as a sweep's basin map needs them.

Most functions list their minima in ``app.optim.functions``; Rastrigin lists only its global one,
at the origin, though every integer lattice point of its box has a local minimum nearby (where a
run from a wrong start gets stuck). Those are found here by Newton's method on the separable
1D part r(x) = x² − 10 cos 2πx, whose minima lie just inside the integers.
"""

from __future__ import annotations

import math
from functools import cache

import torch

from app.optim.functions import Objective, Pair

_TWO_PI = 2 * math.pi


def _rastrigin_1d_minimum(k: int) -> float:
    """The local minimum of r near the integer k: r'(x) = 2x + 20π sin 2πx = 0."""
    x = float(k)
    for _ in range(50):
        step = (2 * x + 10 * _TWO_PI * math.sin(_TWO_PI * x)) / (2 + 10 * _TWO_PI**2 * math.cos(_TWO_PI * x))
        x -= step
        if abs(step) < 1e-15:
            break
    return x


@cache
def _rastrigin_minima(low: float, high: float) -> tuple[Pair, ...]:
    ones = [_rastrigin_1d_minimum(k) for k in range(math.ceil(low), math.floor(high) + 1)]
    pairs = [(a, b) for a in ones for b in ones]
    # The global minimum first, then by height: index 0 is where every good run should end.
    return tuple(sorted(pairs, key=lambda p: (p[0] ** 2 + p[1] ** 2, p)))


def known_minima(objective: Objective) -> tuple[Pair, ...]:
    """The function's global minima, and for Rastrigin every local minimum in its box as well."""
    if objective.name == "rastrigin":
        low, high, _, _ = objective.box
        return _rastrigin_minima(low, high)
    return tuple(objective.minima)


def lowest_value(objective: Objective) -> float | None:
    """f* (the least f over the listed global minima), or None where no minimum is known."""
    if not objective.minima:
        return None
    x1 = torch.tensor([p[0] for p in objective.minima], dtype=torch.float64)
    x2 = torch.tensor([p[1] for p in objective.minima], dtype=torch.float64)
    return float(objective.value(x1, x2).min())
