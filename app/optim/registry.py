"""Name → optimizer: the book rule, its hyper-parameters and its ``torch.optim`` twin.

This is the single definition every path (2D trajectories, training, sweeps) looks up.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor

from app.optim import rules
from app.optim.spec import HyperParam, OptimizerSpec, TorchMapping

IMPLS = ("book", "torch")


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
            formula="x ← x − η ∇f(x)",
            hyperparams=(_eta(0.4),),
            rule=rules.gd,
            training_defaults={"eta": 0.05},
            torch=TorchMapping(torch.optim.SGD, lambda hp: {"lr": hp["eta"]}, _constant_lr, _SGD_SAME),
        ),
        OptimizerSpec(
            name="sgd",
            label="Stochastic gradient descent",
            section="7.3",
            formula="x ← x − η (∇f(x) + noise); on real data the noise is the minibatch's",
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
            formula="v ← γ v + η g, x ← x − v",
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
            formula="s ← s + g², x ← x − η/√(s+ε) · g",
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
            formula="s ← γ s + (1−γ) g², x ← x − η/√(s+ε) · g",
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
            formula="s ← ρ s + (1−ρ) g², g' ← √(Δx+ε)/√(s+ε) · g, x ← x − g', Δx ← ρ Δx + (1−ρ) g'²",
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
            formula="v, s: bias-corrected moments; x ← x − η v̂/(√ŝ + ε)",
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
