"""The training engine against the book: its figures, its semantics, and an autograd re-derivation."""

from __future__ import annotations

import math
import re
import statistics

import pytest
import torch

from app.data.airfoil import load_airfoil
from app.data.dataset import Dataset
from app.data.synthetic import make_synthetic
from app.optim.registry import get_optimizer
from app.training.device import resolve_device
from app.training.engine import Trainer
from app.training.runs import Point, RunConfig
from app.training.schedule import Schedule, batch_orders, record_interval
from tests.utils import airfoil_file

BOOK_TOLERANCE = 0.004


@pytest.fixture(scope="module")
def airfoil() -> Dataset:
    return load_airfoil(airfoil_file())


def run(optimizer: str, impl: str = "book", **hp: float) -> RunConfig:
    return RunConfig(optimizer, impl, get_optimizer(optimizer).resolve(hp, impl, context="training"))


def train(data: Dataset, runs: list[RunConfig], seed: int = 0, batch_size: int = 10, epochs: int = 2) -> Trainer:
    trainer = Trainer(data.X, data.y, runs, batch_size=batch_size, epochs=epochs, seed=seed)
    trainer.run()
    return trainer


# --- the schedule ---------------------------------------------------------------------------


def test_the_book_job_records_31_points_every_100_examples() -> None:
    schedule = Schedule.book(rows=1500, batch_size=10, epochs=2)
    assert schedule.record_every == 100
    assert schedule.steps == 300 and schedule.points == 31
    assert sum(schedule.records()[:10]) == 1 and schedule.records()[9]


def test_any_batch_size_gets_points_and_the_last_step_is_recorded() -> None:
    schedule = Schedule.book(rows=1500, batch_size=32, epochs=2)
    assert schedule.batches()[-1] == (1472, 28)  # the last minibatch of an epoch is short, as in a DataLoader
    seen, expected = 0, 0
    for _ in range(2):
        for _, size in schedule.batches():
            expected += (seen + size) // 100 > seen // 100
            seen += size
    assert schedule.points == 1 + expected == 31
    assert Schedule.book(rows=1500, batch_size=1500, epochs=2).points == 3


def test_long_jobs_stretch_the_interval_to_bound_the_curve() -> None:
    assert record_interval(1500, 100) == 100
    assert record_interval(200_000, 100) == 10_000
    assert Schedule.book(rows=200_000, batch_size=200_000, epochs=100).points <= 2001


# --- the book's figures -------------------------------------------------------------------


def test_book_figures_over_ten_seeds(airfoil: Dataset) -> None:
    """D2L ch. 7: mean final loss after 2 epochs at batch 10, book rules and torch.optim alike."""
    configs = {
        ("rmsprop", "book"): (run("rmsprop", eta=0.01, gamma=0.9), 0.243452),
        ("adagrad", "book"): (run("adagrad", eta=0.1), 0.243675),
        ("rmsprop", "torch"): (run("rmsprop", "torch", eta=0.01, gamma=0.9), 0.243676),
        ("adagrad", "torch"): (run("adagrad", "torch", eta=0.1), 0.243675),
    }
    finals: dict[tuple[str, str], list[float]] = {key: [] for key in configs}
    for seed in range(10):
        trainer = train(airfoil, [config for config, _ in configs.values()], seed=seed)
        for key, result in zip(configs, trainer.runs, strict=True):
            assert result.status == "done" and len(result.losses) == 31
            assert result.final_loss is not None
            finals[key].append(result.final_loss)
    for key, (_, book) in configs.items():
        mean = statistics.mean(finals[key])
        assert abs(mean - book) <= BOOK_TOLERANCE, f"{key}: mean final loss {mean:.6f}, book {book}"
        assert len(set(finals[key])) == 10  # the seeds really differ


def test_the_curve_falls_from_the_untrained_loss(airfoil: Dataset) -> None:
    result = train(airfoil, [run("rmsprop")]).runs[0]
    assert result.epochs[0] == 0.0 and result.epochs[-1] == 2.0
    assert result.epochs == pytest.approx([k / 15 for k in range(31)])
    # w ≈ 0, b = 0 predicts 0 for standardised targets: the loss starts near ½·E[y²] ≈ ½.
    assert 0.45 < result.losses[0] < 0.55
    assert result.losses[-1] < result.losses[0] / 1.8


# --- semantics ------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_curves(airfoil: Dataset) -> None:
    configs = [run("rmsprop"), run("adagrad"), run("rmsprop", "torch"), run("adam")]
    first = [(r.epochs, r.losses) for r in train(airfoil, configs, seed=3).runs]
    second = [(r.epochs, r.losses) for r in train(airfoil, configs, seed=3).runs]
    assert first == second
    other = [(r.epochs, r.losses) for r in train(airfoil, configs, seed=4).runs]
    assert other != first


def test_runs_of_a_job_share_initial_weights_and_minibatch_order(airfoil: Dataset) -> None:
    """The book rule and torch.optim's RMSprop agree once both put ε the same way (ε=0)."""
    trainer = train(airfoil, [run("rmsprop", eps=0.0), run("rmsprop", "torch", eps=0.0), run("adagrad")])
    book, torch_run, adagrad = trainer.runs
    assert book.losses[0] == torch_run.losses[0] == adagrad.losses[0]
    assert torch.allclose(torch.tensor(book.losses), torch.tensor(torch_run.losses), rtol=1e-4, atol=1e-6)


def test_divergence_stops_only_the_diverging_run(airfoil: Dataset) -> None:
    trainer = train(airfoil, [run("sgd", eta=5.0), run("rmsprop")])
    sgd, rmsprop = trainer.runs
    assert sgd.status == "diverged"
    assert sgd.diverged_at is not None and 0 < sgd.diverged_at < 2
    assert len(sgd.losses) < 31 and all(math.isfinite(v) for v in sgd.losses)
    assert sgd.final_loss is None and "diverged" in sgd.book_line()
    assert rmsprop.status == "done" and len(rmsprop.losses) == 31


def test_a_job_of_only_diverging_runs_ends_early(airfoil: Dataset) -> None:
    trainer = train(airfoil, [run("sgd", eta=5.0), run("gd", eta=10.0)])
    assert [r.status for r in trainer.runs] == ["diverged", "diverged"]
    assert trainer.steps_done < trainer.schedule.steps


def test_vectorised_runs_equal_the_same_runs_one_by_one(airfoil: Dataset) -> None:
    grid = [run("rmsprop", eta=eta, gamma=gamma) for eta in (0.003, 0.01, 0.03) for gamma in (0.5, 0.9, 0.99)]
    grid += [run("adam", eta=0.01), run("momentum", eta=0.01, gamma=0.9)]
    together = Trainer(airfoil.X, airfoil.y, grid, batch_size=10, epochs=2, seed=1)
    assert len(together.groups) == 3  # nine RMSProp runs are one stepper pair over 9 columns
    together.run()
    for config, result in zip(grid, together.runs, strict=True):
        alone = train(airfoil, [config], seed=1).runs[0]
        assert alone.epochs == result.epochs
        assert torch.allclose(torch.tensor(alone.losses), torch.tensor(result.losses), rtol=1e-5, atol=1e-7)


def test_a_run_is_bit_for_bit_the_same_whatever_shares_its_job(airfoil: Dataset) -> None:
    """The minibatch products are summed in float64, so the width of θ (how many runs share the job)
    cannot change a run's numbers, even where momentum is near the edge of divergence and amplifies
    every rounding difference (a float32 product differs there by 3e-5 after 300 steps)."""
    grid = [run("momentum", eta=eta, gamma=gamma) for gamma in (0.0, 0.5, 0.9) for eta in (0.05, 0.3, 0.95, 3.0)]
    together = Trainer(airfoil.X, airfoil.y, grid, batch_size=10, epochs=2, seed=3)
    together.run()
    statuses = set()
    for config, result in zip(grid, together.runs, strict=True):
        alone = train(airfoil, [config], seed=3).runs[0]
        assert (alone.status, alone.diverged_at, alone.losses) == (result.status, result.diverged_at, result.losses)
        statuses.add(result.status)
    assert statuses == {"done", "diverged"}


def test_without_curves_each_run_keeps_its_last_point(airfoil: Dataset) -> None:
    grid = [run("momentum", eta=eta, gamma=0.5) for eta in (0.05, 0.95, 3.0)]
    full = train(airfoil, grid, seed=4).runs
    light = Trainer(airfoil.X, airfoil.y, grid, batch_size=10, epochs=2, seed=4, curves=False)
    light.run()
    for a, b in zip(full, light.runs, strict=True):
        assert (b.status, b.diverged_at, b.final_loss) == (a.status, a.diverged_at, a.final_loss)
        kept = [] if a.status == "diverged" else a.losses[-1:]
        assert b.losses == kept and b.epochs == a.epochs[-1:] * len(kept)
    assert [r.status for r in light.runs] == ["done", "done", "diverged"]


def test_noisy_sgd_does_not_depend_on_its_neighbours(airfoil: Dataset) -> None:
    noisy = run("sgd", eta=0.01, noise=0.5)
    alone = train(airfoil, [noisy], seed=2).runs[0]
    crowded = train(airfoil, [run("sgd", eta=0.02, noise=0.1), noisy], seed=2).runs[1]
    # The same noise draws: equal up to the rounding of a wider matrix product.
    assert torch.allclose(torch.tensor(alone.losses), torch.tensor(crowded.losses), rtol=1e-5, atol=1e-7)
    quiet = train(airfoil, [run("sgd", eta=0.01)], seed=2).runs[0]
    assert max(abs(a - b) for a, b in zip(quiet.losses, alone.losses, strict=True)) > 1e-3  # noise is added


def test_engine_matches_an_autograd_rederivation(airfoil: Dataset) -> None:
    """Re-derive the book's loop by hand (autograd, the book's RMSProp rule written out, the loss
    summed directly over every row) on the engine's weights and minibatch order."""
    seed, batch, epochs, eta, gamma, eps = 5, 10, 1, 0.01, 0.9, 1e-6
    engine = train(airfoil, [run("rmsprop", eta=eta, gamma=gamma, eps=eps)], seed=seed, epochs=epochs).runs[0]

    X, y = airfoil.X, airfoil.y.reshape(-1, 1)
    generator = torch.Generator().manual_seed(seed)
    w = torch.normal(0.0, 0.01, (5, 1), generator=generator).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    states = [torch.zeros(5, 1), torch.zeros(1)]

    def full_loss() -> float:
        with torch.no_grad():
            return float(((X @ w + b - y) ** 2 / 2).double().mean())

    losses = [full_loss()]
    for order in batch_orders(1500, epochs, generator):
        for k in range(0, 1500, batch):
            idx = order[k : k + batch]
            loss = ((X[idx] @ w + b - y[idx]) ** 2 / 2).mean()
            loss.backward()
            with torch.no_grad():
                for p, s in zip((w, b), states, strict=True):
                    assert p.grad is not None
                    s.mul_(gamma).add_((1 - gamma) * p.grad**2)
                    p -= eta * p.grad / torch.sqrt(s + eps)
                    p.grad.zero_()
            if (k + batch) % 100 == 0:
                losses.append(full_loss())
    assert len(losses) == len(engine.losses) == 16
    assert torch.allclose(torch.tensor(engine.losses), torch.tensor(losses), rtol=2e-5, atol=1e-6)


def test_cancelling_stops_every_running_run() -> None:
    data = make_synthetic()
    trainer = Trainer(data.X, data.y, [run("rmsprop"), run("adagrad", "torch")], batch_size=1, epochs=5, seed=0)
    seen: list[Point] = []
    for point in trainer.points(should_stop=lambda: len(seen) >= 3):
        seen.append(point)
    assert [r.status for r in trainer.runs] == ["cancelled", "cancelled"]
    assert 0 < trainer.steps_done < trainer.schedule.steps
    assert len(trainer.runs[0].losses) == 3


def test_timings_and_the_book_style_summary(airfoil: Dataset) -> None:
    result = train(airfoil, [run("adagrad")]).runs[0]
    assert result.sec_per_epoch is not None and result.sec_per_epoch > 0
    assert re.fullmatch(r"loss: 0\.2\d{5}, \d+\.\d{6} sec per epoch", result.book_line())


def test_batch_size_is_bounded_by_the_data(airfoil: Dataset) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Trainer(airfoil.X, airfoil.y, [run("sgd")], batch_size=1501, epochs=1, seed=0)
    full = train(airfoil, [run("gd", eta=0.5)], batch_size=1500, epochs=3).runs[0]
    assert full.epochs == [0.0, 1.0, 2.0, 3.0]
    assert full.losses == sorted(full.losses, reverse=True)  # full-batch GD with a small step only descends


# --- devices --------------------------------------------------------------------------------


def test_devices_resolve_and_cuda_is_refused_without_cuda() -> None:
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_matches_cpu(airfoil: Dataset) -> None:
    configs = [run("rmsprop"), run("adagrad", "torch"), run("sgd", eta=0.05, noise=0.1)]
    cpu = train(airfoil, configs, seed=0)
    cuda = Trainer(airfoil.X, airfoil.y, configs, batch_size=10, epochs=2, seed=0, device="cuda")
    cuda.run()
    for a, b in zip(cpu.runs[:2], cuda.runs[:2], strict=True):
        assert torch.allclose(torch.tensor(a.losses), torch.tensor(b.losses), rtol=1e-4, atol=1e-6)
    assert cuda.runs[2].status == "done"


# --- seeds ----------------------------------------------------------------------------------


def test_each_seed_column_is_the_job_of_that_seed_alone() -> None:
    """Seeds seed … seed+S−1 as columns: each has its own weights and minibatch order, and its curve is
    the curve a one-seed job of that seed draws, for book and torch runs alike."""
    data = make_synthetic()
    configs = [run("rmsprop"), run("adagrad", "torch"), run("momentum", eta=0.01, gamma=0.9)]
    together = Trainer(data.X, data.y, configs, batch_size=10, epochs=2, seed=7, seeds=4)
    together.run()
    alone = [train(data, configs, seed=7 + k).runs for k in range(4)]
    for i, result in enumerate(together.runs):
        finals = [runs[i].losses[-1] for runs in alone]
        assert result.last == pytest.approx(finals, rel=1e-6)
        assert len(set(finals)) == 4  # the seeds really differ
        assert result.final_loss == pytest.approx(statistics.mean(finals), rel=1e-6)
        assert result.final_loss_sd == pytest.approx(statistics.stdev(finals), rel=1e-4)
        assert (result.final_loss_min, result.final_loss_max) == pytest.approx((min(finals), max(finals)), rel=1e-6)
        for t, epoch in enumerate(result.epochs):
            seeds = [runs[i].losses[t] for runs in alone]
            assert epoch == alone[0][i].epochs[t]
            assert result.losses[t] == pytest.approx(statistics.mean(seeds), rel=1e-6)
            assert result.losses_min[t] == pytest.approx(min(seeds), rel=1e-6)
            assert result.losses_max[t] == pytest.approx(max(seeds), rel=1e-6)


def test_one_seed_keeps_the_plain_figures() -> None:
    result = train(make_synthetic(), [run("adam")]).runs[0]
    assert result.losses_min == result.losses == result.losses_max
    assert result.final_loss_sd is None and result.final_loss_min == result.final_loss == result.final_loss_max


def test_a_run_diverges_when_any_of_its_seeds_does() -> None:
    data = make_synthetic()
    edge = run("sgd", eta=0.34)  # on batches of one, at the edge of stability: the order decides
    alone = [Trainer(data.X, data.y, [edge], batch_size=1, epochs=1, seed=s).run()[0] for s in (5, 6, 7)]
    assert [r.status for r in alone] == ["done", "done", "diverged"]
    trainer = Trainer(data.X, data.y, [edge, run("adagrad")], batch_size=1, epochs=1, seed=5, seeds=3)
    trainer.run()
    sgd, adagrad = trainer.runs
    assert sgd.status == "diverged" and sgd.diverged_at == alone[2].diverged_at
    assert sgd.final_loss is None and sgd.final_loss_sd is None
    assert adagrad.status == "done" and adagrad.final_loss_sd is not None


def test_each_point_carries_the_training_time_spent_so_far() -> None:
    trainer = train(make_synthetic(), [run("rmsprop"), run("adam", "torch")])
    for result in trainer.runs:
        assert result.elapsed[0] == 0.0 and len(result.elapsed) == len(result.losses) == 31
        assert all(a < b for a, b in zip(result.elapsed, result.elapsed[1:], strict=False))
        assert result.sec_per_epoch is not None
        assert result.elapsed[-1] == result.seconds == pytest.approx(result.sec_per_epoch * 2)


def test_seeds_must_be_positive() -> None:
    data = make_synthetic()
    with pytest.raises(ValueError, match="seeds"):
        Trainer(data.X, data.y, [run("gd")], batch_size=10, epochs=1, seed=0, seeds=0)
