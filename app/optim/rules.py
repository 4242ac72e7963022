"""The book's update rules (D2L ch. 7), one function pair per optimizer.

Every rule works elementwise on tensors of any shape, so the same code moves a 2D point,
the weights of a linear model, or K configurations at once (weights of shape 5×K with
hyper-parameters of shape 1×K). A rule updates ``x`` and its state in place and returns the
per-coordinate effective step size, the quantity the chapter plots.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import Tensor

Hyper = Mapping[str, float | Tensor]
State = dict[str, Tensor]
InitFn = Callable[[Tensor], State]
StepFn = Callable[[Tensor, Tensor, State, Hyper, int], Tensor]


def no_state(x: Tensor) -> State:
    return {}


def velocity_state(x: Tensor) -> State:
    return {"v": torch.zeros_like(x)}


def square_state(x: Tensor) -> State:
    return {"s": torch.zeros_like(x)}


def adadelta_state(x: Tensor) -> State:
    return {"s": torch.zeros_like(x), "delta": torch.zeros_like(x)}


def adam_state(x: Tensor) -> State:
    return {"v": torch.zeros_like(x), "s": torch.zeros_like(x)}


def _broadcast(value: float | Tensor, like: Tensor) -> Tensor:
    """The effective rate as a tensor shaped like ``x``, even for a constant rate."""
    return torch.as_tensor(value, dtype=like.dtype, device=like.device).expand_as(like).clone()


def gd_step(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    """x ← x − η g (7.2; SGD is the same rule fed a noisy gradient)."""
    x.sub_(hp["eta"] * g)
    return _broadcast(hp["eta"], x)


def momentum_step(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    """v ← γ v + η g, x ← x − v (7.4)."""
    v = state["v"]
    v.mul_(hp["gamma"]).add_(hp["eta"] * g)
    x.sub_(v)
    return _broadcast(hp["eta"], x)


def adagrad_step(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    """s ← s + g², x ← x − η/√(s+ε) · g (7.5): the rate only ever falls."""
    s = state["s"]
    s.add_(g * g)
    lr = hp["eta"] / torch.sqrt(s + hp["eps"])
    x.sub_(lr * g)
    return lr


def rmsprop_step(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    """s ← γ s + (1−γ) g², x ← x − η/√(s+ε) · g (7.6): a leaky AdaGrad."""
    s = state["s"]
    s.mul_(hp["gamma"]).add_((1 - hp["gamma"]) * g * g)
    lr = hp["eta"] / torch.sqrt(s + hp["eps"])
    x.sub_(lr * g)
    return lr


def adadelta_step(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    """s ← ρ s + (1−ρ) g², g' ← √(Δx+ε)/√(s+ε) · g, x ← x − g', Δx ← ρ Δx + (1−ρ) g'² (7.7)."""
    s, delta = state["s"], state["delta"]
    rho, eps = hp["rho"], hp["eps"]
    s.mul_(rho).add_((1 - rho) * g * g)
    lr = torch.sqrt(delta + eps) / torch.sqrt(s + eps)
    g_rescaled = lr * g
    x.sub_(g_rescaled)
    delta.mul_(rho).add_((1 - rho) * g_rescaled * g_rescaled)
    return lr


def adam_step(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    """Bias-corrected moments, ε outside the root (7.8): x ← x − η v̂/(√ŝ + ε)."""
    v, s = state["v"], state["s"]
    beta1, beta2 = hp["beta1"], hp["beta2"]
    v.mul_(beta1).add_((1 - beta1) * g)
    s.mul_(beta2).add_((1 - beta2) * g * g)
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    lr = hp["eta"] / (torch.sqrt(s_hat) + hp["eps"])
    x.sub_(lr * v_hat)
    return lr
