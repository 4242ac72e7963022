"""The book's update rules (D2L ch. 7), one function per optimizer, written once for every path.

A rule takes the parameter ``x``, its gradient ``g``, the running ``state`` (a tuple, in the
order of :data:`STATE`), the hyper-parameters, the step number ``t`` (1 for the first step) and a
``sqrt``, and returns the new ``x``, the new state and the per-coordinate effective step size (the
quantity the chapter plots). It uses only arithmetic operators and that ``sqrt``, so the same
function moves one coordinate as a Python float (``math.sqrt``), K runs stacked as a K×2 numpy
array with hyper-parameters as K×1 columns (``np.sqrt``), or a model's weights as a tensor
(``torch.sqrt``). Nothing is updated in place: a float cannot be.

The effective rate may come back as a scalar or a column where it does not depend on the
coordinate (GD's η); callers broadcast it to ``x``'s shape when they record it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

X = Any  # float | np.ndarray | torch.Tensor: whatever the caller steps
Hyper = Mapping[str, Any]  # name → a float, or a column broadcasting against x
State = tuple[X, ...]
Sqrt = Callable[[X], X]
Rule = Callable[[X, X, State, Hyper, int, Sqrt], tuple[X, State, X]]


def gd(x: X, g: X, state: State, hp: Hyper, t: int, sqrt: Sqrt) -> tuple[X, State, X]:
    """x ← x − η g (7.2; SGD is the same rule fed a noisy gradient)."""
    return x - hp["eta"] * g, state, hp["eta"]


def momentum(x: X, g: X, state: State, hp: Hyper, t: int, sqrt: Sqrt) -> tuple[X, State, X]:
    """v ← γ v + η g, x ← x − v (7.4)."""
    (v,) = state
    v = v * hp["gamma"] + hp["eta"] * g
    return x - v, (v,), hp["eta"]


def adagrad(x: X, g: X, state: State, hp: Hyper, t: int, sqrt: Sqrt) -> tuple[X, State, X]:
    """s ← s + g², x ← x − η/√(s+ε) · g (7.5): the rate only ever falls."""
    (s,) = state
    s = s + g * g
    lr = hp["eta"] / sqrt(s + hp["eps"])
    return x - lr * g, (s,), lr


def rmsprop(x: X, g: X, state: State, hp: Hyper, t: int, sqrt: Sqrt) -> tuple[X, State, X]:
    """s ← γ s + (1−γ) g², x ← x − η/√(s+ε) · g (7.6): a leaky AdaGrad."""
    (s,) = state
    s = s * hp["gamma"] + (1 - hp["gamma"]) * g * g
    lr = hp["eta"] / sqrt(s + hp["eps"])
    return x - lr * g, (s,), lr


def adadelta(x: X, g: X, state: State, hp: Hyper, t: int, sqrt: Sqrt) -> tuple[X, State, X]:
    """s ← ρ s + (1−ρ) g², g' ← √(Δx+ε)/√(s+ε) · g, x ← x − g', Δx ← ρ Δx + (1−ρ) g'² (7.7)."""
    s, delta = state
    rho, eps = hp["rho"], hp["eps"]
    s = s * rho + (1 - rho) * g * g
    lr = sqrt(delta + eps) / sqrt(s + eps)
    g_rescaled = lr * g
    delta = delta * rho + (1 - rho) * g_rescaled * g_rescaled
    return x - g_rescaled, (s, delta), lr


def adam(x: X, g: X, state: State, hp: Hyper, t: int, sqrt: Sqrt) -> tuple[X, State, X]:
    """Bias-corrected moments, ε outside the root (7.8): x ← x − η v̂/(√ŝ + ε)."""
    v, s = state
    beta1, beta2 = hp["beta1"], hp["beta2"]
    v = v * beta1 + (1 - beta1) * g
    s = s * beta2 + (1 - beta2) * g * g
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    lr = hp["eta"] / (sqrt(s_hat) + hp["eps"])
    return x - lr * v_hat, (v, s), lr


# The running state of each rule, by name (what the API shows), in the order the rule takes it.
STATE: dict[Rule, tuple[str, ...]] = {
    gd: (),
    momentum: ("v",),
    adagrad: ("s",),
    rmsprop: ("s",),
    adadelta: ("s", "delta"),
    adam: ("v", "s"),
}
