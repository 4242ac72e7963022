"""What an optimizer is, as data: its hyper-parameters with their bounds and aliases, its book rule,
its ``torch.optim`` twin, and the checks a request's hyper-parameters go through."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from app.i18n.text import Text
from app.optim import rules


class HyperParamError(ValueError):
    """A refused hyper-parameter; ``key`` is the name the caller used for it (perhaps an alias)."""

    def __init__(self, key: str, message: str | Text) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class HyperParam:
    name: str
    symbol: str
    default: float
    low: float
    high: float
    description: str
    low_inclusive: bool = True
    high_inclusive: bool = True
    aliases: tuple[str, ...] = ()  # other names a request may use: PyTorch's (lr, alpha, momentum), the book's

    def bounds_text(self) -> str:
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"{left}{self.low:g}, {self.high:g}{right}"

    def accepts(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        return above and below


LrEffFn = Callable[[Tensor, Mapping[str, Tensor], Mapping[str, Tensor], Mapping[str, float], int], Tensor]


@dataclass(frozen=True)
class TorchMapping:
    """How the book's hyper-parameters become ``torch.optim`` arguments, and where they differ."""

    cls: type[torch.optim.Optimizer]
    kwargs: Callable[[Mapping[str, float]], dict[str, Any]]
    # Effective per-coordinate rate from the parameter and the optimizer state before and after a step.
    lr_eff: LrEffFn
    notes: str
    default_overrides: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    label: str
    section: str
    hyperparams: tuple[HyperParam, ...]
    rule: rules.Rule
    torch: TorchMapping
    training_defaults: Mapping[str, float] = field(default_factory=dict)
    formula: str = ""  # the update rule in one line, plain text

    @property
    def state(self) -> tuple[str, ...]:
        """Names of the rule's running state, in the order the rule takes it (each starts at 0)."""
        return rules.STATE[self.rule]

    def param(self, name: str) -> HyperParam:
        for hp in self.hyperparams:
            if hp.name == name:
                return hp
        raise KeyError(name)

    def defaults(self, impl: str = "book", context: str = "2d") -> dict[str, float]:
        values = {hp.name: hp.default for hp in self.hyperparams}
        if context == "training":
            values.update(self.training_defaults)
        if impl == "torch":
            values.update(self.torch.default_overrides)
        return values

    def canonical_name(self, key: str) -> str:
        """The hyper-parameter's own name for a name or an alias."""
        for hp in self.hyperparams:
            if key == hp.name or key in hp.aliases:
                return hp.name
        accepted = [hp.name for hp in self.hyperparams]
        aliases = ", ".join(f"{alias} → {hp.name}" for hp in self.hyperparams for alias in hp.aliases)
        message = (
            Text(
                "unknown hyper-parameter '{key}' for {optimizer}; expected one of {accepted} "
                "(or the aliases {aliases})",
                key=key,
                optimizer=self.name,
                accepted=accepted,
                aliases=aliases,
            )
            if aliases
            else Text(
                "unknown hyper-parameter '{key}' for {optimizer}; expected one of {accepted}",
                key=key,
                optimizer=self.name,
                accepted=accepted,
            )
        )
        raise HyperParamError(key, message)

    def canonical(self, given: Mapping[str, float]) -> dict[str, float]:
        """``given`` under the canonical names, each value checked against its bounds; raises
        HyperParamError naming the key the caller used (a name given twice, via an alias, included)."""
        out: dict[str, float] = {}
        used: dict[str, str] = {}  # canonical name -> the key given for it
        for key, value in given.items():
            name = self.canonical_name(key)
            if name in used:
                first, second = sorted((used[name], key), key=lambda k: (k != name, k))
                what = (
                    Text("'{alias}' is an alias of '{name}'", alias=second, name=name)
                    if first == name
                    else Text("both are aliases of '{name}'", name=name)
                )
                message = Text("give '{first}' or '{second}', not both: {what}", first=first, second=second, what=what)
                raise HyperParamError(key, message)
            hp = self.param(name)
            if not hp.accepts(float(value)):
                called = name if key == name else Text("{key} (alias of {name})", key=key, name=name)
                bounds = hp.bounds_text()
                message = Text(
                    "{name} must be a finite number in {bounds}, got {value}", name=called, bounds=bounds, value=value
                )
                raise HyperParamError(key, message)
            used[name] = key
            out[name] = float(value)
        return out

    def resolve(self, given: Mapping[str, float], impl: str = "book", context: str = "2d") -> dict[str, float]:
        """All hyper-parameters under their canonical names, defaults filled in (aliases accepted)."""
        return {**self.defaults(impl, context), **self.canonical(given)}
