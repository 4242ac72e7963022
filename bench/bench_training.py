"""Speed of the training engine against a book-style loop, measured side by side.

    .venv/bin/python bench/bench_training.py        (or: make bench)

Prints figures and ratios; asserts nothing. The reference is written from the book's
description of ``train_ch11`` (D2L ch. 7): a shuffling DataLoader, autograd, a per-step update
function over [w, b], and the full-data loss every 100 examples computed as the book's
``evaluate_loss`` does (a pass over the data iterator). A second, lighter reference computes
that loss in one matrix product instead, so the ratio does not hinge on the evaluation alone.
The job: RMSProp (η=0.01, γ=0.9), airfoil, batch 10, 2 epochs, in one process, interleaved.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.data.airfoil import FILENAME, load_airfoil  # noqa: E402
from app.data.synthetic import make_synthetic  # noqa: E402
from app.optim.registry import get_optimizer  # noqa: E402
from app.training.engine import Trainer  # noqa: E402
from app.training.runs import RunConfig  # noqa: E402

REPEATS = 15
ETA, GAMMA, EPS = 0.01, 0.9, 1e-6


def book_rmsprop(params: list[Tensor], states: list[Tensor], hp: dict[str, float]) -> None:
    """The book's per-step update: s ← γ s + (1−γ) g², p ← p − η g / √(s+ε), then zero the grad."""
    for p, s in zip(params, states, strict=True):
        assert p.grad is not None
        with torch.no_grad():
            s[:] = hp["gamma"] * s + (1 - hp["gamma"]) * torch.square(p.grad)
            p[:] -= hp["lr"] * p.grad / torch.sqrt(s + EPS)
        p.grad.data.zero_()


def squared_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss_by_batches(
    net: Callable[[Tensor], Tensor], data_iter: DataLoader[tuple[Tensor, ...]], X: Tensor, y: Tensor
) -> float:
    """As the book's ``evaluate_loss``: sum the loss over a pass of the data iterator."""
    total, count = 0.0, 0
    for Xb, yb in data_iter:
        loss = squared_loss(net(Xb), yb)
        total += float(loss.detach().sum())
        count += loss.numel()
    return total / count


def evaluate_loss_at_once(
    net: Callable[[Tensor], Tensor], data_iter: DataLoader[tuple[Tensor, ...]], X: Tensor, y: Tensor
) -> float:
    with torch.no_grad():
        return float(squared_loss(net(X), y).mean())


def reference_job(
    X: Tensor, y: Tensor, seed: int, evaluate: Callable[..., float], eta: float = ETA, gamma: float = GAMMA
) -> list[float]:
    """The book-style loop, RMSProp, batch 10, 2 epochs, full-data loss every 100 examples."""
    torch.manual_seed(seed)
    data_iter = DataLoader(TensorDataset(X, y), batch_size=10, shuffle=True)
    w = torch.normal(0.0, 0.01, size=(X.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)

    def net(features: Tensor) -> Tensor:
        return features @ w + b

    states = [torch.zeros_like(w), torch.zeros_like(b)]
    hp = {"lr": eta, "gamma": gamma}
    losses = [evaluate(net, data_iter, X, y)]
    n = 0
    for _ in range(2):
        for Xb, yb in data_iter:
            loss = squared_loss(net(Xb), yb).mean()
            loss.backward()
            book_rmsprop([w, b], states, hp)
            n += Xb.shape[0]
            if n % 100 == 0:
                losses.append(evaluate(net, data_iter, X, y))
    return losses


def engine_job(X: Tensor, y: Tensor, seed: int, configs: list[RunConfig]) -> list[float]:
    runs = Trainer(X, y, configs, batch_size=10, epochs=2, seed=seed).run()
    return runs[0].losses


def seeded_job(X: Tensor, y: Tensor, configs: list[RunConfig], seeds: int) -> None:
    Trainer(X, y, configs, batch_size=10, epochs=2, seed=0, seeds=seeds).run()


def one_by_one(X: Tensor, y: Tensor, configs: list[RunConfig], seeds: int) -> None:
    for seed in range(seeds):
        engine_job(X, y, seed, configs)


def timed(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def grid(k: int) -> list[RunConfig]:
    """k RMSProp runs over an (η, γ) grid: η log-spaced in [1e-3, 1e-1], γ in [0.5, 0.99]."""
    spec = get_optimizer("rmsprop")
    side = max(1, round(k**0.5))
    etas = torch.logspace(-3, -1, side).tolist() if side > 1 else [ETA]
    gammas = torch.linspace(0.5, 0.99, max(1, k // side)).tolist() if k > 1 else [GAMMA]
    pairs = [(e, g) for e in etas for g in gammas][:k]
    return [RunConfig("rmsprop", "book", spec.resolve({"eta": e, "gamma": g}, "book", "training")) for e, g in pairs]


def main() -> None:
    torch.set_num_threads(1)
    data_dir = Path(os.environ.get("OPTLAB_DATA_DIR", ROOT.parent / "shared" / "data"))
    try:
        data = load_airfoil(data_dir / FILENAME)
    except ValueError as exc:
        print(f"airfoil unavailable ({exc}); using the synthetic set")
        data = make_synthetic()
    X, y = data.X, data.y
    print(f"data: {data.label}, {data.rows}×{data.features}; torch {torch.__version__}, 1 thread, cpu")

    single = [RunConfig("rmsprop", "book", get_optimizer("rmsprop").resolve({}, "book", "training"))]
    engine_job(X, y, 0, single)  # warm-up
    reference_job(X, y, 0, evaluate_loss_at_once)
    contenders: dict[str, Callable[[int], list[float]]] = {
        "book-style (evaluate_loss over the loader)": lambda s: reference_job(X, y, s, evaluate_loss_by_batches),
        "book-style (full-data loss in one product)": lambda s: reference_job(X, y, s, evaluate_loss_at_once),
        "engine": lambda s: engine_job(X, y, s, single),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    finals: dict[str, list[float]] = {name: [] for name in contenders}
    for seed in range(REPEATS):  # interleaved, so drifts in machine load hit every contender alike
        for name, job in contenders.items():
            start = time.perf_counter()
            losses = job(seed)
            times[name].append(time.perf_counter() - start)
            finals[name].append(losses[-1])

    print(f"\nRMSProp η={ETA}, γ={GAMMA}, batch 10, 2 epochs, 31 loss points; median of {REPEATS} seeds:")
    engine_median = statistics.median(times["engine"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:45s} {median * 1e3:8.2f} ms per job   mean final loss {statistics.mean(finals[name]):.6f}"
            + (f"   engine is {median / engine_median:5.1f}× faster" if name != "engine" else "")
        )

    print("\nvectorised RMSProp jobs over an (η, γ) grid (one BookStepper over K columns):")
    for k in (1, 64, 1024):
        configs = grid(k)
        engine_job(X, y, 0, configs)
        median = statistics.median(timed(engine_job, X, y, seed, configs) for seed in range(5))
        print(
            f"  K={k:5d}: {median * 1e3:8.2f} ms per job, {median / k * 1e3:8.4f} ms per run, "
            f"{median / k / 2 * 1e6:8.2f} µs per run per epoch"
        )

    print("\nseeds as columns: one job of S seeds vs S one-seed jobs, AdaGrad and RMSProp, side by side:")
    pair = [
        RunConfig(name, "book", get_optimizer(name).resolve({}, "book", "training")) for name in ("adagrad", "rmsprop")
    ]
    for seeds in (5, 32):
        together = statistics.median(timed(seeded_job, X, y, pair, seeds) for _ in range(5))
        apart = statistics.median(timed(one_by_one, X, y, pair, seeds) for _ in range(5))
        print(
            f"  S={seeds:3d}: {together * 1e3:8.2f} ms together, {apart * 1e3:8.2f} ms apart ({apart / together:5.1f}×)"
        )


if __name__ == "__main__":
    main()
