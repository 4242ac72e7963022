"""The compiled kernel (a sweep's batch): every row equal, to the bit, to the same row run alone on
Python floats, for every optimizer (noise included), every built-in function, and rows that diverge."""

from __future__ import annotations

import numpy as np
import pytest

from app.optim.expression import custom_objective
from app.optim.functions import OBJECTIVES, get_objective
from app.optim.registry import OPTIMIZERS, get_optimizer
from app.trajectory import compiled
from app.trajectory.compiled import CompiledStack, supports
from app.trajectory.kernels import FloatRows
from app.trajectory.runner import Batch, HyperColumns
from tests.trajectory.test_runner import blocks, reached_from

ROWS = 20  # below the stack's threshold: the recorded batch runs each row on floats


def random_rows(optimizer: str, seed: int) -> HyperColumns:
    """Hyper-parameters spread over each one's bounds, large enough that some rows diverge."""
    rng = np.random.default_rng(seed)
    spec = get_optimizer(optimizer)
    out: dict[str, float | np.ndarray] = {}
    for h in spec.hyperparams:
        low, high = max(h.low, 1e-3), min(h.high, 2.5)
        out[h.name] = h.default if h.name == "eps" else rng.uniform(low, high, ROWS)
    return out


CASES = [(o, f) for o in OPTIMIZERS for f in ("quadratic", "rastrigin")]
CASES += [("adam", f) for f in OBJECTIVES if f not in ("quadratic", "rastrigin")]


@pytest.mark.parametrize(("optimizer", "function"), CASES)
def test_each_row_equals_its_run_on_floats(optimizer: str, function: str) -> None:
    spec, objective = get_optimizer(optimizer), get_objective(function)
    hp = random_rows(optimizer, seed=len(optimizer) * 7 + len(function))
    starts = np.random.default_rng(1).uniform(-3, 3, size=(ROWS, 2))
    alone = Batch(spec, objective, starts, hp, seed=4)
    compiled = Batch(spec, objective, starts, hp, seed=4, record=False, tolerance=(0.0, 1e-4))
    assert isinstance(alone.kernel, FloatRows) and isinstance(compiled.kernel, CompiledStack)
    recorded = blocks(alone, 150, chunk=60)
    blocks(compiled, 150, chunk=40)
    assert compiled.diverged_at.tolist() == alone.diverged_at.tolist()
    assert compiled.x.tobytes() == alone.x.tobytes()  # bit for bit, −0.0 and NaN included
    assert compiled.value.tobytes() == alone.value.tobytes()
    assert compiled.reached.tolist() == reached_from(recorded, 0.0, 1e-4)


def test_some_rows_diverge_and_some_reach_the_tolerance() -> None:
    """The cases above are not vacuous: rows of both kinds, and rows that stop at different steps."""
    spec, objective = get_optimizer("momentum"), get_objective("quadratic")
    batch = Batch(
        spec, objective, [objective.start] * ROWS, random_rows("momentum", 3), record=False, tolerance=(0.0, 1e-4)
    )
    blocks(batch, 150, chunk=50)
    assert 0 < (batch.diverged_at > 0).sum() < ROWS
    assert len(set(batch.diverged_at[batch.diverged_at > 0].tolist())) > 1
    assert (batch.reached > 0).any()


def test_only_built_in_functions_compile() -> None:
    """A custom expression's gradient is autograd on tensors: it stays on the numpy stack."""
    assert all(supports(f) for f in OBJECTIVES.values())
    assert not supports(custom_objective("x1**2 + x2**2"))


def test_the_order_of_the_hyperparameters_builds_no_second_loop() -> None:
    """A sweep of (γ, η) after one of (η, γ): the same numbers, and the loop numba built is reused."""
    spec, objective = get_optimizer("rmsprop"), get_objective("beale")
    hp = random_rows("rmsprop", seed=11)
    first = Batch(spec, objective, [objective.start] * ROWS, hp, record=False)
    blocks(first, 30, chunk=30)
    built = len(compiled._steps.signatures)
    backwards = dict(reversed(list(hp.items())))
    again = Batch(spec, objective, [objective.start] * ROWS, backwards, record=False)
    blocks(again, 30, chunk=30)
    assert len(compiled._steps.signatures) == built
    assert again.x.tobytes() == first.x.tobytes()
