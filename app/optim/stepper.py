"""One interface over both implementations of an optimizer: the book rule or ``torch.optim``.

Runners (2D paths, training, sweeps) hand a stepper gradients and read back the effective
rate; they never know which implementation is behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import torch
from torch import Tensor

from app.optim.spec import OptimizerSpec


class Stepper(Protocol):
    def step(self, g: Tensor) -> Tensor:
        """Update the parameters in place with gradient ``g``; return the effective rate."""
        ...

    def state(self) -> dict[str, Tensor]:
        """The optimizer's running state (s, v, Δx, ... or torch's own names), for display."""
        ...


class _NoisyGradient:
    """The book's simulated stochastic gradient (7.2): g + N(0, σ²), seeded."""

    def __init__(self, hp: Mapping[str, float | Tensor], generator: torch.Generator | None) -> None:
        self.sigma = hp.get("noise", 0.0)
        self.generator = generator

    def __call__(self, g: Tensor) -> Tensor:
        if isinstance(self.sigma, float) and self.sigma == 0.0:
            return g
        noise = torch.randn(g.shape, generator=self.generator, dtype=g.dtype, device=g.device)
        return g + self.sigma * noise


class BookStepper:
    """The book rule on a tensor parameter, updated in place (training's weights are views of θ)."""

    def __init__(
        self,
        spec: OptimizerSpec,
        x: Tensor,
        hp: Mapping[str, float | Tensor],
        generator: torch.Generator | None = None,
    ) -> None:
        self.spec, self.x, self.hp = spec, x, hp
        self.running: tuple[Tensor, ...] = tuple(torch.zeros_like(x) for _ in spec.state)
        self.t = 0
        self.perturb = _NoisyGradient(hp, generator)

    def step(self, g: Tensor) -> Tensor:
        self.t += 1
        x, self.running, lr = self.spec.rule(self.x, self.perturb(g), self.running, self.hp, self.t, torch.sqrt)
        self.x.copy_(x)
        return torch.as_tensor(lr, dtype=x.dtype, device=x.device).expand_as(x)

    def state(self) -> dict[str, Tensor]:
        return dict(zip(self.spec.state, self.running, strict=True))


class TorchStepper:
    def __init__(
        self,
        spec: OptimizerSpec,
        x: Tensor,
        hp: Mapping[str, float],
        generator: torch.Generator | None = None,
    ) -> None:
        self.spec, self.x, self.hp = spec, x, hp
        self.mapping = spec.torch
        kwargs = {**self.mapping.kwargs(hp), "foreach": False}  # tiny tensors: the plain loop is faster
        self.optimizer = self.mapping.cls([x], **kwargs)
        self.t = 0
        self.perturb = _NoisyGradient(hp, generator)

    def state(self) -> dict[str, Tensor]:
        state = self.optimizer.state.get(self.x, {})
        return {k: v for k, v in state.items() if isinstance(v, Tensor) and v.shape == self.x.shape}

    def step(self, g: Tensor) -> Tensor:
        self.t += 1
        prev = {k: v.clone() for k, v in self.state().items()}
        self.x.grad = self.perturb(g)
        self.optimizer.step()
        return self.mapping.lr_eff(self.x, prev, self.state(), self.hp, self.t)


def make_stepper(
    spec: OptimizerSpec,
    impl: str,
    x: Tensor,
    hp: Mapping[str, float],
    generator: torch.Generator | None = None,
) -> Stepper:
    if impl == "book":
        return BookStepper(spec, x, hp, generator)
    if impl == "torch":
        return TorchStepper(spec, x, hp, generator)
    raise ValueError(f"unknown impl '{impl}'; expected 'book' or 'torch'")
