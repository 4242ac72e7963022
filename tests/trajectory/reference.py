"""The 2D runner as it was before the batched runner, kept verbatim in spirit as the reference the
new one must match to 1e-12: each run alone on a 2-element float64 tensor, one step at a time,
the book's rules written with in-place torch operations, ``torch.optim`` for ``impl="torch"``,
the noise drawn as ``torch.randn(2)`` per step, and a chunk cut at its first bad point.

Nothing here imports the new runner or the new rules: only the objectives (their torch form) and
the registry's ``torch.optim`` mapping, which are the problem and the library, not the runner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from app.optim.functions import Objective
from app.optim.registry import get_optimizer

DIVERGENCE_LIMIT = 1e6
DTYPE = torch.float64
State = dict[str, Tensor]
Hyper = Mapping[str, float]


def _gd(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    x.sub_(hp["eta"] * g)
    return torch.full_like(x, hp["eta"])


def _momentum(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    v = state["v"]
    v.mul_(hp["gamma"]).add_(hp["eta"] * g)
    x.sub_(v)
    return torch.full_like(x, hp["eta"])


def _adagrad(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    s = state["s"]
    s.add_(g * g)
    lr = hp["eta"] / torch.sqrt(s + hp["eps"])
    x.sub_(lr * g)
    return lr


def _rmsprop(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    s = state["s"]
    s.mul_(hp["gamma"]).add_((1 - hp["gamma"]) * g * g)
    lr = hp["eta"] / torch.sqrt(s + hp["eps"])
    x.sub_(lr * g)
    return lr


def _adadelta(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    s, delta = state["s"], state["delta"]
    rho, eps = hp["rho"], hp["eps"]
    s.mul_(rho).add_((1 - rho) * g * g)
    lr = torch.sqrt(delta + eps) / torch.sqrt(s + eps)
    g_rescaled = lr * g
    x.sub_(g_rescaled)
    delta.mul_(rho).add_((1 - rho) * g_rescaled * g_rescaled)
    return lr


def _adam(x: Tensor, g: Tensor, state: State, hp: Hyper, t: int) -> Tensor:
    v, s = state["v"], state["s"]
    beta1, beta2 = hp["beta1"], hp["beta2"]
    v.mul_(beta1).add_((1 - beta1) * g)
    s.mul_(beta2).add_((1 - beta2) * g * g)
    v_hat = v / (1 - beta1**t)
    s_hat = s / (1 - beta2**t)
    lr = hp["eta"] / (torch.sqrt(s_hat) + hp["eps"])
    x.sub_(lr * v_hat)
    return lr


RULES = {
    "gd": (_gd, ()),
    "sgd": (_gd, ()),
    "momentum": (_momentum, ("v",)),
    "adagrad": (_adagrad, ("s",)),
    "rmsprop": (_rmsprop, ("s",)),
    "adadelta": (_adadelta, ("s", "delta")),
    "adam": (_adam, ("v", "s")),
}


@dataclass
class Result:
    points: list[list[float]] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    lr_eff: list[list[float]] = field(default_factory=list)
    state: dict[str, list[list[float]]] = field(default_factory=dict)
    status: str = "ok"
    diverged_at: int | None = None


class _Run:
    def __init__(self, objective: Objective, start: Sequence[float], optimizer: str, impl: str, hp: Hyper, seed: int):
        self.objective, self.optimizer, self.impl, self.hp = objective, optimizer, impl, hp
        self.x = torch.tensor(list(start), dtype=DTYPE)
        self.generator = torch.Generator().manual_seed(seed)
        self.sigma = hp.get("noise", 0.0)
        self.t = 0
        if impl == "book":
            self.rule, names = RULES[optimizer]
            self.running = {name: torch.zeros_like(self.x) for name in names}
        else:
            mapping = get_optimizer(optimizer).torch
            self.mapping = mapping
            self.torch_optim = mapping.cls([self.x], **{**mapping.kwargs(hp), "foreach": False})

    def state(self) -> State:
        if self.impl == "book":
            return self.running
        state = self.torch_optim.state.get(self.x, {})
        return {k: v for k, v in state.items() if isinstance(v, Tensor) and v.shape == self.x.shape}

    def step(self) -> Tensor:
        self.t += 1
        g = self.objective.gradient(self.x)
        if self.sigma != 0.0:
            g = g + self.sigma * torch.randn(g.shape, generator=self.generator, dtype=DTYPE)
        if self.impl == "book":
            return self.rule(self.x, g, self.running, self.hp, self.t)
        prev = {k: v.clone() for k, v in self.state().items()}
        self.x.grad = g
        self.torch_optim.step()
        return self.mapping.lr_eff(self.x, prev, self.state(), self.hp, self.t)


def reference_run(
    objective: Objective,
    start: Sequence[float],
    steps: int,
    optimizer: str,
    impl: str,
    hp: Hyper,
    seed: int = 0,
) -> Result:
    """One run alone, the whole path at once, exactly as the old runner computed it."""
    run = _Run(objective, start, optimizer, impl, hp, seed)
    x0 = run.x.unsqueeze(0).clone()
    xs = torch.empty((steps, 2), dtype=DTYPE)
    rates = torch.empty((steps, 2), dtype=DTYPE)
    states: dict[str, list[Tensor]] = {}
    with torch.no_grad():
        for i in range(steps):
            rates[i] = run.step()
            xs[i] = run.x
            for key, value in run.state().items():
                states.setdefault(key, []).append(value.clone())
    result = Result()
    if _cut(objective, x0, torch.empty((0, 2), dtype=DTYPE), {}, 0, result):
        return result
    _cut(objective, xs, rates, {k: torch.stack(v) for k, v in states.items()}, 1, result)
    return result


def _cut(objective: Objective, xs: Tensor, rates: Tensor, states: dict[str, Tensor], first: int, out: Result) -> bool:
    """Append the chunk up to its first non-finite or runaway iterate (or value); True if it had one."""
    values = objective.value(xs[:, 0], xs[:, 1])
    bad = ~torch.isfinite(xs).all(dim=1) | (xs.abs() > DIVERGENCE_LIMIT).any(dim=1) | ~torch.isfinite(values)
    for series in (rates, *states.values()):
        if len(series) == len(xs):
            bad |= ~torch.isfinite(series).all(dim=1)
    k = int(bad.nonzero()[0, 0]) if bad.any() else len(xs)
    kept = k if first > 0 else 0
    out.points += xs[:k].tolist()
    out.values += values[:k].tolist()
    out.lr_eff += rates[:kept].tolist()
    for key, v in states.items():
        out.state.setdefault(key, []).extend(v[:kept].tolist())
    if k < len(xs):
        out.status, out.diverged_at = "diverged", first + k
        return True
    return False
