"""The update rules against the book's printed numbers and against PyTorch's optimizers."""

from __future__ import annotations

import math

import pytest
import torch
from numpy.typing import ArrayLike

from app.optim.functions import get_objective
from app.optim.registry import OPTIMIZERS, get_optimizer
from app.optim.stepper import BookStepper, make_stepper
from app.trajectory.comparison import RunConfig, RunResult, run_all


def run(
    optimizer: str,
    hp: dict[str, float],
    impl: str = "book",
    steps: int = 20,
    function: str = "quadratic",
    start: tuple[float, float] = (-5.0, -2.0),
) -> RunResult:
    spec = get_optimizer(optimizer)
    config = RunConfig(optimizer, impl, spec.resolve(hp, impl))
    return run_all(get_objective(function), start, steps, [config])[0]


def assert_close(got: ArrayLike, want: ArrayLike, rtol: float, atol: float) -> None:
    as64 = torch.float64
    torch.testing.assert_close(torch.tensor(got, dtype=as64), torch.tensor(want, dtype=as64), rtol=rtol, atol=atol)


def book_line(result: RunResult) -> str:
    x1, x2 = result.points[-1]
    return f"epoch {len(result.points) - 1}, x1 {x1:f}, x2 {x2 + 0.0:f}".replace("-0.000000", "0.000000")


def test_rmsprop_reproduces_the_book() -> None:
    assert book_line(run("rmsprop", {"eta": 0.4, "gamma": 0.9})) == "epoch 20, x1 -0.010599, x2 0.000000"


def test_adagrad_reproduces_the_book() -> None:
    assert book_line(run("adagrad", {"eta": 0.4})) == "epoch 20, x1 -2.382563, x2 -0.158591"


def test_2d_runs_compute_in_float64() -> None:
    # 0.1·x1² with η=0.4 on plain GD: x1 ← 0.92·x1; float32 would drift in the 8th digit after 20 steps.
    result = run("gd", {"eta": 0.4}, steps=20)
    assert result.points[-1][0] == pytest.approx(-5 * 0.92**20, rel=1e-14)


def scalar_reference(optimizer: str, hp: dict[str, float], grads: list[float]) -> list[float]:
    """Each rule written out on one Python float, straight from the chapter's equations."""
    x, s, v, delta, xs = 1.0, 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        if optimizer == "gd":
            x -= hp["eta"] * g
        elif optimizer == "momentum":
            v = hp["gamma"] * v + hp["eta"] * g
            x -= v
        elif optimizer == "adagrad":
            s += g * g
            x -= hp["eta"] / math.sqrt(s + hp["eps"]) * g
        elif optimizer == "rmsprop":
            s = hp["gamma"] * s + (1 - hp["gamma"]) * g * g
            x -= hp["eta"] / math.sqrt(s + hp["eps"]) * g
        elif optimizer == "adadelta":
            s = hp["rho"] * s + (1 - hp["rho"]) * g * g
            g2 = math.sqrt(delta + hp["eps"]) / math.sqrt(s + hp["eps"]) * g
            x -= g2
            delta = hp["rho"] * delta + (1 - hp["rho"]) * g2 * g2
        elif optimizer == "adam":
            v = hp["beta1"] * v + (1 - hp["beta1"]) * g
            s = hp["beta2"] * s + (1 - hp["beta2"]) * g * g
            v_hat, s_hat = v / (1 - hp["beta1"] ** t), s / (1 - hp["beta2"] ** t)
            x -= hp["eta"] * v_hat / (math.sqrt(s_hat) + hp["eps"])
        xs.append(x)
    return xs


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
def test_rules_follow_the_equations(optimizer: str) -> None:
    spec = get_optimizer(optimizer)
    hp = spec.defaults()
    grads = [0.5, -1.5, 2.0, 0.25, -0.75, 3.0]
    x = torch.ones(1, dtype=torch.float64)
    stepper = BookStepper(spec, x, hp)
    got = []
    for g in grads:
        stepper.step(torch.tensor([g], dtype=torch.float64))
        got.append(float(x))
    assert got == pytest.approx(scalar_reference(optimizer, hp, grads), rel=1e-12)


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "rastrigin"])
def test_adagrad_effective_rate_never_increases(function: str) -> None:
    objective = get_objective(function)
    result = run("adagrad", {"eta": 0.1}, steps=300, function=function, start=objective.start)
    rates = torch.tensor(result.lr_eff, dtype=torch.float64)
    assert len(rates) == 300
    assert (rates[1:] <= rates[:-1]).all()


def test_rmsprop_effective_rate_recovers_where_adagrad_does_not() -> None:
    # The chapter's point: on the quadratic the x2 gradient vanishes; RMSProp's rate rises again.
    rms = torch.tensor(run("rmsprop", {"eta": 0.4, "gamma": 0.9}, steps=60).lr_eff, dtype=torch.float64)
    ada = torch.tensor(run("adagrad", {"eta": 0.4}, steps=60).lr_eff, dtype=torch.float64)
    low = int(rms[:, 1].argmin())
    assert rms[low:, 1].max() > 10 * rms[low, 1]
    assert ada[-1, 1] == ada[:, 1].min()


def test_book_and_torch_rmsprop_coincide_when_eps_is_zero() -> None:
    book = run("rmsprop", {"eta": 0.4, "gamma": 0.9, "eps": 0.0}, "book", steps=50)
    torch_ = run("rmsprop", {"eta": 0.4, "gamma": 0.9, "eps": 0.0}, "torch", steps=50)
    assert_close(torch_.points, book.points, rtol=1e-12, atol=1e-15)
    assert_close(torch_.lr_eff, book.lr_eff, rtol=1e-12, atol=0)


@pytest.mark.parametrize("optimizer", ["rmsprop", "adagrad"])
def test_book_and_torch_differ_as_documented_eps_placement(optimizer: str) -> None:
    """Book: η/√(s+ε); torch: η/(√s+ε). One step from the same point shows exactly that."""
    spec = get_optimizer(optimizer)
    hp = spec.resolve({"eta": 0.4, "eps": 1e-2})
    g = torch.tensor([0.3, -0.05], dtype=torch.float64)
    x_book, x_torch = torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    make_stepper(spec, "book", x_book, hp).step(g.clone())
    make_stepper(spec, "torch", x_torch, hp).step(g.clone())
    s = g * g * (1 - hp.get("gamma", 0.0))
    assert x_book.tolist() == pytest.approx((-hp["eta"] * g / torch.sqrt(s + hp["eps"])).tolist(), rel=1e-12)
    assert x_torch.tolist() == pytest.approx((-hp["eta"] * g / (torch.sqrt(s) + hp["eps"])).tolist(), rel=1e-12)
    assert not torch.allclose(x_book, x_torch)
    assert "outside the root" in spec.torch.notes


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adadelta", "adam"])
def test_book_and_torch_agree_where_the_formulas_are_the_same(optimizer: str) -> None:
    hp = get_optimizer(optimizer).defaults()  # the same ε for both
    for name, value in {"eta": 0.1}.items():
        if name in hp:
            hp[name] = value
    book = run(optimizer, hp, "book", steps=40)
    torch_ = run(optimizer, hp, "torch", steps=40)
    assert_close(torch_.points, book.points, rtol=1e-9, atol=1e-12)
    assert_close(torch_.lr_eff, book.lr_eff, rtol=1e-9, atol=0)


def test_torch_impl_defaults_follow_pytorch() -> None:
    assert get_optimizer("rmsprop").defaults("torch")["eps"] == torch.optim.RMSprop([torch.zeros(1)]).defaults["eps"]
    assert get_optimizer("adagrad").defaults("torch")["eps"] == torch.optim.Adagrad([torch.zeros(1)]).defaults["eps"]
    assert get_optimizer("adam").defaults("torch")["eps"] == torch.optim.Adam([torch.zeros(1)]).defaults["eps"]


def test_vectorised_hyperparameters_equal_separate_runs() -> None:
    """K configurations in one update (columns) give what K separate runs give."""
    spec = get_optimizer("rmsprop")
    etas, gammas = [0.01, 0.1, 0.4], [0.0, 0.5, 0.9]
    grads = torch.randn(10, 5, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    w = torch.ones(5, 3, dtype=torch.float64)
    hp: dict[str, float | torch.Tensor] = {
        "eta": torch.tensor([etas], dtype=torch.float64),
        "gamma": torch.tensor([gammas], dtype=torch.float64),
        "eps": 1e-6,
    }
    together = BookStepper(spec, w, hp)
    for g in grads:
        together.step(g.expand(5, 3).clone())
    for k in range(3):
        wk = torch.ones(5, 1, dtype=torch.float64)
        alone = BookStepper(spec, wk, {"eta": etas[k], "gamma": gammas[k], "eps": 1e-6})
        for g in grads:
            alone.step(g.clone())
        assert w[:, k].tolist() == pytest.approx(wk[:, 0].tolist(), rel=1e-12)


def test_sgd_noise_is_seeded_and_shared_by_both_impls() -> None:
    a = run("sgd", {"eta": 0.1, "noise": 1.0}, "book", steps=30, function="bowl")
    b = run("sgd", {"eta": 0.1, "noise": 1.0}, "book", steps=30, function="bowl")
    c = run("sgd", {"eta": 0.1, "noise": 1.0}, "torch", steps=30, function="bowl")
    plain = run("sgd", {"eta": 0.1, "noise": 0.0}, "book", steps=30, function="bowl")
    assert a.points.tolist() == b.points.tolist()
    assert_close(c.points, a.points, rtol=1e-12, atol=1e-15)
    assert a.points.tolist() != plain.points.tolist()


def test_divergence_stops_the_run_at_the_step_it_happens() -> None:
    # GD with η=11 on 0.1x1²+2x2²: x2 ← −43·x2, so |x2| = 2·43^t passes 1e6 at t = 4.
    result = run("gd", {"eta": 11.0}, steps=100)
    assert result.status == "diverged" and result.diverged_at == 4
    assert len(result.points) == 4 and len(result.lr_eff) == 3
    assert all(math.isfinite(v) for p in result.points for v in p)


def test_non_finite_iterate_is_divergence() -> None:
    # At the minimum with ε=0, RMSProp divides 0 by 0 on the first step.
    result = run("rmsprop", {"eps": 0.0}, steps=5, start=(0.0, 0.0))
    assert result.status == "diverged" and result.diverged_at == 1
    assert result.points.tolist() == [[0.0, 0.0]]


def test_every_optimizer_resolves_its_defaults_in_bounds() -> None:
    for spec in OPTIMIZERS.values():
        for impl in ("book", "torch"):
            for context in ("2d", "training"):
                values = spec.defaults(impl, context)
                assert all(spec.param(k).accepts(v) for k, v in values.items()), (spec.name, impl, context)


def test_resolve_names_the_bad_hyperparameter() -> None:
    spec = get_optimizer("rmsprop")
    with pytest.raises(ValueError, match="gamma"):
        spec.resolve({"gamma": 1.0})
    with pytest.raises(ValueError, match="unknown hyper-parameter 'beta'"):
        spec.resolve({"beta": 0.5})


def test_runs_expose_the_optimizer_state_at_every_step() -> None:
    result = run("rmsprop", {"eta": 0.4, "gamma": 0.9}, steps=20)
    s = torch.tensor(result.state["s"], dtype=torch.float64)
    assert s.shape == (20, 2)
    # lr_eff is η/√(s+ε) of that same state, step by step.
    rates = torch.tensor(result.lr_eff, dtype=torch.float64)
    torch.testing.assert_close(rates, 0.4 / torch.sqrt(s + 1e-6), rtol=1e-12, atol=0)
    torch_result = run("adam", {}, "torch", steps=5)
    assert set(torch_result.state) == {"exp_avg", "exp_avg_sq"}
