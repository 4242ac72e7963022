"""How the book writes each optimizer: its update rule, its effective rate and its state, as LaTeX.

The symbols are the chapter's (x_t, g_t, s_t, v_t, Δx_t, η, γ, ρ, β₁, β₂, ε). A rule uses
``g_t``, the gradient of step t, which each context defines (``gradient``): ∇f(x_{t−1}) on a 2D
function (plus σ ξ_t, ξ_t standard normal, for SGD), the minibatch's mean gradient in training.
``torch.optim`` keeps the same quantities under its own names and, for AdaGrad and RMSProp, puts
ε outside the root: its notation says so. ``mathml`` turns any of it into MathML Core
(latex2mathml), which Chromium and Firefox render natively.

One equation per line: latex2mathml has no ``aligned`` environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from latex2mathml.converter import convert

CONTEXTS = ("2d", "training")
GRADIENT_2D = r"g_t \leftarrow \nabla f(x_{t-1})"
GRADIENT_TRAINING = r"g_t \leftarrow \frac{1}{|\mathcal{B}_t|} \sum_{i \in \mathcal{B}_t} \nabla \ell_i(x_{t-1})"


@dataclass(frozen=True)
class Notation:
    rule: tuple[str, ...]  # the update at step t, one LaTeX equation per line, in terms of g_t
    rate: str  # the effective per-coordinate rate the runners report as lr_eff
    state: Mapping[str, str]  # state key, as the runners name it → its symbol after step t
    gradient_2d: str = GRADIENT_2D  # what g_t is on a 2D function

    def gradient(self, context: str) -> str:
        """What g_t is in ``context`` ("2d" or "training")."""
        return self.gradient_2d if context == "2d" else GRADIENT_TRAINING


_X = r"x_t \leftarrow x_{t-1} - \eta g_t"
_ADAPTIVE_X = r"x_t \leftarrow x_{t-1} - \frac{\eta}{\sqrt{s_t + \epsilon}} \odot g_t"
_TORCH_ADAPTIVE_X = r"x_t \leftarrow x_{t-1} - \frac{\eta}{\sqrt{s_t} + \epsilon} \odot g_t"
_BOOK_RATE = r"\frac{\eta}{\sqrt{s_t + \epsilon}}"
_TORCH_RATE = r"\frac{\eta}{\sqrt{s_t} + \epsilon}"
_RMS = r"s_t \leftarrow \gamma s_{t-1} + (1 - \gamma) g_t \odot g_t"
_ADADELTA = (
    r"s_t \leftarrow \rho s_{t-1} + (1 - \rho) g_t \odot g_t",
    r"g'_t \leftarrow \sqrt{\frac{\Delta x_{t-1} + \epsilon}{s_t + \epsilon}} \odot g_t",
    r"x_t \leftarrow x_{t-1} - g'_t",
    r"\Delta x_t \leftarrow \rho \Delta x_{t-1} + (1 - \rho) g'_t \odot g'_t",
)
_ADADELTA_RATE = r"\sqrt{\frac{\Delta x_{t-1} + \epsilon}{s_t + \epsilon}}"
_ADAM = (
    r"v_t \leftarrow \beta_1 v_{t-1} + (1 - \beta_1) g_t",
    r"s_t \leftarrow \beta_2 s_{t-1} + (1 - \beta_2) g_t \odot g_t",
    r"\hat{v}_t \leftarrow \frac{v_t}{1 - \beta_1^t}, \quad \hat{s}_t \leftarrow \frac{s_t}{1 - \beta_2^t}",
    r"x_t \leftarrow x_{t-1} - \frac{\eta \hat{v}_t}{\sqrt{\hat{s}_t} + \epsilon}",
)
_ADAM_RATE = r"\frac{\eta}{\sqrt{\hat{s}_t} + \epsilon}"

GD = Notation((_X,), r"\eta", {})
SGD = Notation((_X,), r"\eta", {}, gradient_2d=r"g_t \leftarrow \nabla f(x_{t-1}) + \sigma \xi_t")

NOTATION: dict[str, dict[str, Notation]] = {
    "gd": {"book": GD, "torch": GD},
    "sgd": {"book": SGD, "torch": SGD},
    "momentum": {
        "book": Notation(
            (r"v_t \leftarrow \gamma v_{t-1} + \eta g_t", r"x_t \leftarrow x_{t-1} - v_t"), r"\eta", {"v": "v_t"}
        ),
        "torch": Notation(
            (r"b_t \leftarrow \gamma b_{t-1} + g_t", r"x_t \leftarrow x_{t-1} - \eta b_t"),
            r"\eta",
            {"momentum_buffer": "b_t"},
        ),
    },
    "adagrad": {
        "book": Notation((r"s_t \leftarrow s_{t-1} + g_t \odot g_t", _ADAPTIVE_X), _BOOK_RATE, {"s": "s_t"}),
        "torch": Notation((r"s_t \leftarrow s_{t-1} + g_t \odot g_t", _TORCH_ADAPTIVE_X), _TORCH_RATE, {"sum": "s_t"}),
    },
    "rmsprop": {
        "book": Notation((_RMS, _ADAPTIVE_X), _BOOK_RATE, {"s": "s_t"}),
        "torch": Notation((_RMS, _TORCH_ADAPTIVE_X), _TORCH_RATE, {"square_avg": "s_t"}),
    },
    "adadelta": {
        "book": Notation(_ADADELTA, _ADADELTA_RATE, {"s": "s_t", "delta": r"\Delta x_t"}),
        "torch": Notation(_ADADELTA, _ADADELTA_RATE, {"square_avg": "s_t", "acc_delta": r"\Delta x_t"}),
    },
    "adam": {
        "book": Notation(_ADAM, _ADAM_RATE, {"v": "v_t", "s": "s_t"}),
        "torch": Notation(_ADAM, _ADAM_RATE, {"exp_avg": "v_t", "exp_avg_sq": "s_t"}),
    },
}

# The training loss of ch. 7 (squared loss, halved).
LOSS = r"\ell(w, b) = \frac{1}{n} \sum_{i=1}^{n} \frac{1}{2} \left(x_i^\top w + b - y_i\right)^2"
# What every rule reads and writes at step t: the point before, the gradient used, the point after.
SYMBOLS = {"previous": r"x_{t-1}", "gradient": r"g_t", "point": r"x_t"}


def notation(optimizer: str, impl: str = "book") -> Notation:
    try:
        return NOTATION[optimizer][impl]
    except KeyError:
        raise ValueError(f"no notation for optimizer '{optimizer}' with impl '{impl}'") from None


@lru_cache(maxsize=1024)
def mathml(latex: str, display: str = "inline") -> str:
    """``<math>`` markup (MathML Core) for a LaTeX formula; ``display`` is inline or block."""
    return convert(latex, display=display)
