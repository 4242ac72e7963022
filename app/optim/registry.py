"""Name → optimizer: the book rule, its hyper-parameters and its ``torch.optim`` twin.

This is the single definition every path (2D trajectories, training, sweeps) looks up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from app.optim import rules

IMPLS = ("book", "torch")


class HyperParamError(ValueError):
    """A refused hyper-parameter; ``key`` is the name the caller used for it (perhaps an alias)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


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
    summary: str = ""

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
        aliases = [f"{alias} for {hp.name}" for hp in self.hyperparams for alias in hp.aliases]
        also = f" (or the aliases {', '.join(aliases)})" if aliases else ""
        raise HyperParamError(key, f"unknown hyper-parameter '{key}' for {self.name}; expected one of {accepted}{also}")

    def canonical(self, given: Mapping[str, float]) -> dict[str, float]:
        """``given`` under the canonical names, each value checked against its bounds; raises
        HyperParamError naming the key the caller used (a name given twice, via an alias, included)."""
        out: dict[str, float] = {}
        used: dict[str, str] = {}  # canonical name -> the key given for it
        for key, value in given.items():
            name = self.canonical_name(key)
            if name in used:
                first, second = sorted((used[name], key), key=lambda k: (k != name, k))
                what = f"'{second}' is an alias of '{name}'" if first == name else f"both are aliases of '{name}'"
                raise HyperParamError(key, f"give '{first}' or '{second}', not both: {what}")
            hp = self.param(name)
            if not hp.accepts(float(value)):
                called = name if key == name else f"{key} (alias of {name})"
                raise HyperParamError(key, f"{called} must be a finite number in {hp.bounds_text()}, got {value}")
            used[name] = key
            out[name] = float(value)
        return out

    def resolve(self, given: Mapping[str, float], impl: str = "book", context: str = "2d") -> dict[str, float]:
        """All hyper-parameters under their canonical names, defaults filled in (aliases accepted)."""
        return {**self.defaults(impl, context), **self.canonical(given)}


# --- hyper-parameters shared by several optimizers ---------------------------------------


def _eta(default: float) -> HyperParam:
    return HyperParam("eta", "η", default, 0.0, 100.0, "learning rate", low_inclusive=False, aliases=("lr",))


def _decay(name: str, symbol: str, default: float, what: str, aliases: tuple[str, ...] = ()) -> HyperParam:
    return HyperParam(name, symbol, default, 0.0, 1.0, what, high_inclusive=False, aliases=aliases)


def _eps(default: float) -> HyperParam:
    return HyperParam("eps", "ε", default, 0.0, 1.0, "keeps the denominator away from zero")


NOISE = HyperParam(
    "noise",
    "σ",
    1.0,
    0.0,
    100.0,
    "std of Gaussian noise added to each gradient coordinate (7.2's simulated stochastic gradient)",
)


# --- torch.optim effective rates ----------------------------------------------------------


def _constant_lr(
    x: Tensor,
    prev: Mapping[str, Tensor],
    cur: Mapping[str, Tensor],
    hp: Mapping[str, float],
    t: int,
) -> Tensor:
    return torch.full_like(x, hp["eta"])


def _adagrad_lr(
    x: Tensor,
    prev: Mapping[str, Tensor],
    cur: Mapping[str, Tensor],
    hp: Mapping[str, float],
    t: int,
) -> Tensor:
    return hp["eta"] / (torch.sqrt(cur["sum"]) + hp["eps"])


def _rmsprop_lr(
    x: Tensor,
    prev: Mapping[str, Tensor],
    cur: Mapping[str, Tensor],
    hp: Mapping[str, float],
    t: int,
) -> Tensor:
    return hp["eta"] / (torch.sqrt(cur["square_avg"]) + hp["eps"])


def _adadelta_lr(
    x: Tensor,
    prev: Mapping[str, Tensor],
    cur: Mapping[str, Tensor],
    hp: Mapping[str, float],
    t: int,
) -> Tensor:
    before = prev.get("acc_delta", torch.zeros_like(cur["acc_delta"]))
    return torch.sqrt(before + hp["eps"]) / torch.sqrt(cur["square_avg"] + hp["eps"])


def _adam_lr(
    x: Tensor,
    prev: Mapping[str, Tensor],
    cur: Mapping[str, Tensor],
    hp: Mapping[str, float],
    t: int,
) -> Tensor:
    s_hat = cur["exp_avg_sq"] / (1 - hp["beta2"] ** t)
    return hp["eta"] / (torch.sqrt(s_hat) + hp["eps"])


# --- the seven optimizers -----------------------------------------------------------------

_SGD_SAME = "torch.optim.SGD(lr=η): the same rule, x ← x − η g."

OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.name: spec
    for spec in (
        OptimizerSpec(
            name="gd",
            label="Gradient descent",
            section="7.2",
            summary="x ← x − η ∇f(x)",
            hyperparams=(_eta(0.4),),
            rule=rules.gd,
            training_defaults={"eta": 0.05},
            torch=TorchMapping(torch.optim.SGD, lambda hp: {"lr": hp["eta"]}, _constant_lr, _SGD_SAME),
        ),
        OptimizerSpec(
            name="sgd",
            label="Stochastic gradient descent",
            section="7.3",
            summary="x ← x − η (∇f(x) + noise); on real data the noise is the minibatch's",
            hyperparams=(_eta(0.1), NOISE),
            rule=rules.gd,
            training_defaults={"eta": 0.05, "noise": 0.0},
            torch=TorchMapping(
                torch.optim.SGD,
                lambda hp: {"lr": hp["eta"]},
                _constant_lr,
                _SGD_SAME + " The gradient noise is added before the step in both implementations.",
            ),
        ),
        OptimizerSpec(
            name="momentum",
            label="Momentum",
            section="7.4",
            summary="v ← γ v + η g, x ← x − v",
            hyperparams=(
                _eta(0.4),
                _decay(
                    "gamma",
                    "γ",
                    0.5,
                    "momentum: how much of the last velocity is kept",
                    aliases=("momentum", "beta"),  # torch.optim.SGD's name; the English edition's β
                ),
            ),
            rule=rules.momentum,
            training_defaults={"eta": 0.02, "gamma": 0.5},
            torch=TorchMapping(
                torch.optim.SGD,
                lambda hp: {"lr": hp["eta"], "momentum": hp["gamma"]},
                _constant_lr,
                "torch.optim.SGD(lr=η, momentum=γ) keeps b ← γ b + g and steps x ← x − η b; with a "
                "constant η this is the book's v = η b, so the paths agree up to rounding.",
            ),
        ),
        OptimizerSpec(
            name="adagrad",
            label="AdaGrad",
            section="7.5",
            summary="s ← s + g², x ← x − η/√(s+ε) · g",
            hyperparams=(_eta(0.4), _eps(1e-6)),
            rule=rules.adagrad,
            training_defaults={"eta": 0.1},
            torch=TorchMapping(
                torch.optim.Adagrad,
                lambda hp: {"lr": hp["eta"], "eps": hp["eps"]},
                _adagrad_lr,
                "torch.optim.Adagrad divides by √s + ε (ε outside the root) where the book divides by "
                "√(s+ε); PyTorch's default ε is 1e-10 (book 1e-6); lr_decay and "
                "initial_accumulator_value stay 0.",
                default_overrides={"eps": 1e-10},
            ),
        ),
        OptimizerSpec(
            name="rmsprop",
            label="RMSProp",
            section="7.6",
            summary="s ← γ s + (1−γ) g², x ← x − η/√(s+ε) · g",
            hyperparams=(
                _eta(0.4),
                _decay("gamma", "γ", 0.9, "decay of the squared-gradient average", aliases=("alpha",)),
                _eps(1e-6),
            ),
            rule=rules.rmsprop,
            training_defaults={"eta": 0.01, "gamma": 0.9},
            torch=TorchMapping(
                torch.optim.RMSprop,
                lambda hp: {"lr": hp["eta"], "alpha": hp["gamma"], "eps": hp["eps"]},
                _rmsprop_lr,
                "torch.optim.RMSprop(lr=η, alpha=γ) divides by √s + ε (ε outside the root) where the "
                "book divides by √(s+ε); PyTorch's default ε is 1e-8 (book 1e-6); momentum=0, "
                "centered=False. With ε=0 both are the same formula.",
                default_overrides={"eps": 1e-8},
            ),
        ),
        OptimizerSpec(
            name="adadelta",
            label="AdaDelta",
            section="7.7",
            summary="s ← ρ s + (1−ρ) g², g' ← √(Δx+ε)/√(s+ε) · g, x ← x − g', Δx ← ρ Δx + (1−ρ) g'²",
            hyperparams=(_decay("rho", "ρ", 0.9, "decay of both running averages"), _eps(1e-5)),
            rule=rules.adadelta,
            torch=TorchMapping(
                torch.optim.Adadelta,
                lambda hp: {"lr": 1.0, "rho": hp["rho"], "eps": hp["eps"]},
                _adadelta_lr,
                "torch.optim.Adadelta(lr=1, rho=ρ): the same formula (the book's AdaDelta has no "
                "learning rate, PyTorch multiplies the step by lr, fixed at 1 here); PyTorch's "
                "default ε is 1e-6 (book 1e-5).",
                default_overrides={"eps": 1e-6},
            ),
        ),
        OptimizerSpec(
            name="adam",
            label="Adam",
            section="7.8",
            summary="v, s: bias-corrected moments; x ← x − η v̂/(√ŝ + ε)",
            hyperparams=(
                _eta(0.4),
                _decay("beta1", "β₁", 0.9, "decay of the gradient average (momentum)"),
                _decay("beta2", "β₂", 0.999, "decay of the squared-gradient average"),
                _eps(1e-6),
            ),
            rule=rules.adam,
            training_defaults={"eta": 0.01},
            torch=TorchMapping(
                torch.optim.Adam,
                lambda hp: {"lr": hp["eta"], "betas": (hp["beta1"], hp["beta2"]), "eps": hp["eps"]},
                _adam_lr,
                "torch.optim.Adam(lr=η, betas=(β₁, β₂)): the same bias-corrected formula with ε outside "
                "the root; PyTorch's default ε is 1e-8 (book 1e-6); amsgrad=False.",
                default_overrides={"eps": 1e-8},
            ),
        ),
    )
}


def get_optimizer(name: str) -> OptimizerSpec:
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer '{name}'; expected one of {sorted(OPTIMIZERS)}") from None
