"""The batched runner: K rows stepped together equal each row alone, on every kernel; per-row
hyper-parameters and starts; a diverging row stops alone; values-only recording; seeded noise."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from app.optim.expression import custom_objective
from app.optim.functions import get_objective
from app.optim.registry import get_optimizer
from app.trajectory import runner
from app.trajectory.compiled import CompiledStack
from app.trajectory.kernels import FloatRows, TorchRows
from app.trajectory.noise import NoiseStream
from app.trajectory.runner import Batch, Block, HyperColumns
from app.trajectory.stack import ArrayStack

ETAS = [0.01, 0.1, 0.4, 0.9]
GAMMAS = [0.0, 0.5, 0.9, 0.99]


def blocks(batch: Batch, steps: int, chunk: int) -> list[Block]:
    out = [batch.start()]
    while batch.t < steps:
        out.append(batch.advance(min(chunk, steps - batch.t)))
    return out


def path(blocks_: list[Block], row: int, series: str = "points") -> np.ndarray:
    parts = [getattr(b, series)[row, : b.kept[row]] for b in blocks_ if series != "lr" or b.first > 0]
    return np.concatenate(parts)


@pytest.fixture(params=["rows", "stack"])
def kernel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both book kernels: Python floats per row, and the numpy stack (forced for small K)."""
    if request.param == "stack":
        monkeypatch.setattr(runner, "STACK_FROM_ROWS", 1)
    return str(request.param)


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "rastrigin"])
def test_rows_together_equal_each_row_alone(kernel: str, function: str) -> None:
    spec, objective = get_optimizer("rmsprop"), get_objective(function)
    starts = [objective.start, (0.5, -0.5), (-1.0, 1.0), objective.start]
    together = Batch(spec, objective, starts, {"eta": ETAS, "gamma": GAMMAS, "eps": 1e-6})
    assert isinstance(together.kernel, FloatRows if kernel == "rows" else ArrayStack)
    joint = blocks(together, 300, chunk=70)
    for r, (start, eta, gamma) in enumerate(zip(starts, ETAS, GAMMAS, strict=True)):
        alone = blocks(Batch(spec, objective, [start], {"eta": eta, "gamma": gamma, "eps": 1e-6}), 300, chunk=300)
        for series in ("points", "values", "lr"):
            np.testing.assert_allclose(path(joint, r, series), path(alone, 0, series), rtol=1e-12, atol=0)
        assert together.diverged_at[r] == -1


def test_the_float_rows_and_the_numpy_stack_agree_to_the_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    spec, objective = get_optimizer("adam"), get_objective("rosenbrock")
    hp: HyperColumns = {"eta": ETAS, "beta1": 0.9, "beta2": [0.9, 0.99, 0.999, 0.9999], "eps": 1e-6}
    rows = blocks(Batch(spec, objective, [objective.start] * 4, hp), 500, chunk=50)
    monkeypatch.setattr(runner, "STACK_FROM_ROWS", 1)
    stack = blocks(Batch(spec, objective, [objective.start] * 4, hp), 500, chunk=50)
    for r in range(4):
        assert path(rows, r).tolist() == path(stack, r).tolist()
        assert path(rows, r, "lr").tolist() == path(stack, r, "lr").tolist()


def test_a_diverging_row_stops_at_its_step_and_the_others_go_on(kernel: str) -> None:
    # GD on 0.1·x1² + 2·x2²: x2 ← (1 − 4η)·x2, so η = 11 runs away (|x2| = 2·43^t > 1e6 at t = 4).
    batch = Batch(get_optimizer("gd"), get_objective("quadratic"), [(-5.0, -2.0)] * 3, {"eta": [0.1, 11.0, 0.4]})
    out = blocks(batch, 100, chunk=30)
    assert batch.diverged_at.tolist() == [-1, 4, -1]
    assert [len(path(out, r)) for r in range(3)] == [101, 4, 101]
    assert [b.kept[1] for b in out] == [1, 3, 0, 0, 0]
    np.testing.assert_array_equal(batch.x[1], path(out, 1)[-1])  # the last good point
    assert np.isfinite(path(out, 1)).all()
    np.testing.assert_allclose(path(out, 0)[-1, 0], -5 * 0.98**100, rtol=1e-12)


def test_a_bad_start_stops_the_row_at_step_zero(kernel: str) -> None:
    batch = Batch(get_optimizer("gd"), get_objective("quadratic"), [(0.0, 0.0), (2e6, 0.0)], {"eta": 0.1})
    first = batch.start()
    assert first.kept.tolist() == [1, 0] and batch.diverged_at.tolist() == [-1, 0]
    assert batch.advance(10).kept.tolist() == [10, 0]


def reached_from(blocks_: list[Block], f_star: float, tol: float) -> list[int]:
    """Per row, the first t with f(x_t) − f* ≤ tol among the recorded values (−1: never)."""
    out = []
    for r in range(blocks_[0].values.shape[0]):
        hits = [b.first + i for b in blocks_ for i, v in enumerate(b.values[r, : b.kept[r]]) if v - f_star <= tol]
        out.append(hits[0] if hits else -1)
    return out


@pytest.mark.parametrize("function", ["himmelblau", "custom"])
def test_summary_batches_keep_each_rows_end_and_when_it_reached_the_tolerance(function: str) -> None:
    """record=False (a sweep's batch): no series, but the same last point, value, divergence and
    first step within the tolerance as the recorded run, on the compiled kernel (built-in
    functions) and on the numpy stack (a custom expression)."""
    spec = get_optimizer("momentum")
    objective = get_objective("himmelblau") if function == "himmelblau" else custom_objective("x1**2 + 2*x2**2")
    starts = np.random.default_rng(3).uniform(-5, 5, size=(64, 2))
    hp: HyperColumns = {"eta": np.geomspace(0.001, 1.0, 64), "gamma": 0.9}
    full = Batch(spec, objective, starts, hp)
    light = Batch(spec, objective, starts, hp, record=False, tolerance=(0.0, 1e-3))
    assert isinstance(light.kernel, CompiledStack if function == "himmelblau" else ArrayStack)
    recorded, summary = blocks(full, 300, chunk=100), blocks(light, 300, chunk=100)
    assert all(b.values.shape[1] == 0 and b.points.shape[1] == 0 for b in summary[1:])
    assert [b.kept.tolist() for b in recorded] == [b.kept.tolist() for b in summary]
    np.testing.assert_array_equal(full.x, light.x)
    np.testing.assert_array_equal(full.value, light.value)
    np.testing.assert_array_equal(full.diverged_at, light.diverged_at)
    assert (full.diverged_at >= 0).any() and (full.diverged_at < 0).any()  # both kinds of row
    assert light.reached.tolist() == reached_from(recorded, 0.0, 1e-3)
    assert (light.reached > 0).any() and (light.reached < 0).any()


def test_without_a_tolerance_no_row_reaches_it() -> None:
    objective = get_objective("saddle")  # unbounded below: f − f* falls forever
    batch = Batch(get_optimizer("gd"), objective, [objective.start] * 3, {"eta": [0.1, 0.5, 2.0]}, record=False)
    blocks(batch, 200, chunk=50)
    assert batch.reached.tolist() == [-1, -1, -1] and (batch.diverged_at > 0).all()


@pytest.mark.parametrize("sizes", [[1, 1, 1, 5, 13, 2], [7, 7, 14], [30], [3, 40, 1]])
def test_the_noise_stream_is_the_one_draw_per_step_stream(sizes: list[int]) -> None:
    generator = torch.Generator().manual_seed(11)
    one_by_one = np.array(
        [torch.randn(2, generator=generator, dtype=torch.float64).tolist() for _ in range(sum(sizes))]
    )
    stream = NoiseStream(11)
    np.testing.assert_array_equal(np.concatenate([stream.take(n) for n in sizes]), one_by_one)


def test_noisy_rows_each_draw_what_they_would_draw_alone(kernel: str) -> None:
    spec, objective = get_optimizer("sgd"), get_objective("bowl")
    hp = {"eta": [0.05, 0.1, 0.2], "noise": [0.5, 1.0, 0.0]}
    together = blocks(Batch(spec, objective, [objective.start] * 3, hp, seed=5), 120, chunk=40)
    for r in range(3):
        one = {"eta": hp["eta"][r], "noise": hp["noise"][r]}
        alone = blocks(Batch(spec, objective, [objective.start], one, seed=5), 120, chunk=120)
        np.testing.assert_allclose(path(together, r), path(alone, 0), rtol=1e-12, atol=1e-300)
    assert (
        path(together, 2).tolist()
        == path(blocks(Batch(spec, objective, [objective.start], {"eta": 0.2}), 120, 120), 0).tolist()
    )


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
def test_torch_rows_are_torch_optim_run_directly(optimizer: str) -> None:
    spec, objective = get_optimizer(optimizer), get_objective("beale")
    rows = [spec.resolve({"eta": eta} if "eta" in spec.defaults() else {}, "torch") for eta in (0.001, 0.01)]
    hp = {name: [row[name] for row in rows] for name in rows[0]}
    batch = Batch(spec, objective, [objective.start] * 2, hp, impl="torch", seed=2)
    assert isinstance(batch.kernel, TorchRows)
    got = blocks(batch, 200, chunk=64)
    for r, row in enumerate(rows):
        x = torch.tensor(objective.start, dtype=torch.float64)
        optim = spec.torch.cls([x], **spec.torch.kwargs(row))
        generator = torch.Generator().manual_seed(2)
        want = [x.tolist()]
        for _ in range(200):
            g = objective.gradient(x.detach())
            if row.get("noise"):
                g = g + row["noise"] * torch.randn(2, generator=generator, dtype=torch.float64)
            x.grad = g
            optim.step()
            want.append(x.tolist())
        assert path(got, r).tolist() == want


def test_hyperparameter_columns_must_fit_the_rows() -> None:
    with pytest.raises(ValueError):
        Batch(get_optimizer("gd"), get_objective("quadratic"), [(0.0, 1.0)] * 3, {"eta": [0.1, 0.2]})
    with pytest.raises(ValueError, match="impl"):
        Batch(get_optimizer("gd"), get_objective("quadratic"), [(0.0, 1.0)], {"eta": 0.1}, impl="jax")
