"""Sweeps through the API against the book's loops over the same configurations, side by side.

    .venv/bin/python bench/bench_sweep.py        (or: make bench)

Prints figures and ratios; asserts nothing. A real server on 127.0.0.1 (the flags of ``make run``)
answers over one keep-alive connection; "through the API" is POST /api/sweeps, its event stream
to ``done``, and GET /api/sweeps/{id} with every cell, parsed: the whole round trip a client waits
for. The client is the standard library's ``http.client`` (as in ``bench_2d.py``) and the answer is
parsed with orjson, as quick as a browser's fetch and JSON.parse: httpx's own Python would add
about 4 ms to each 2D sweep (its two megabytes of rows), the stdlib's json about 10 ms.

1. A 128 × 128 (η, γ) RMSProp sweep on ``quadratic`` from (−5, −2), 200 steps, against the book's
   bare 2D loop (``train_2d`` with ``rmsprop_2d``, Python floats, the path kept as a list of
   points) looped over the same 16,384 configurations. Target: ≥ 50× faster.
2. A 32 × 32 (η, γ) RMSProp training sweep (airfoil, batch 10, 2 epochs) against the book-style
   loop of ``bench/bench_training.py`` (DataLoader, autograd, a per-step update, the full-data
   loss every 100 examples), per configuration. That loop takes tenths of a second per run, so it
   runs on a sample of the grid's configurations, spread over it, interleaved with the sweeps.
   Target: ≥ 1,000× faster per configuration.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.data.airfoil import FILENAME, load_airfoil  # noqa: E402
from bench.bench_training import evaluate_loss_at_once, evaluate_loss_by_batches, reference_job  # noqa: E402
from tests.utils import running_server  # noqa: E402

SIDE_2D, STEPS_2D = 128, 200
SIDE_TRAINING = 32
ETA_2D = {"param": "eta", "from": 0.01, "to": 2.0, "n": SIDE_2D, "scale": "log"}
GAMMA_2D = {"param": "gamma", "from": 0.0, "to": 0.99, "n": SIDE_2D, "scale": "linear"}
ETA_TRAINING = {"param": "eta", "from": 0.001, "to": 0.1, "n": SIDE_TRAINING, "scale": "log"}
GAMMA_TRAINING = {"param": "gamma", "from": 0.5, "to": 0.99, "n": SIDE_TRAINING, "scale": "linear"}


# --- the book's 2D loop (D2L 7.6), as printed: Python floats, the path kept ------------------------


def train_2d(trainer: Callable[..., tuple[float, float, float, float]], steps: int) -> list[tuple[float, float]]:
    x1, x2, s1, s2 = -5.0, -2.0, 0.0, 0.0
    results = [(x1, x2)]
    for _ in range(steps):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    return results


def rmsprop_2d_for(eta: float, gamma: float) -> Callable[..., tuple[float, float, float, float]]:
    def rmsprop_2d(x1: float, x2: float, s1: float, s2: float) -> tuple[float, float, float, float]:
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
        s1 = gamma * s1 + (1 - gamma) * g1**2
        s2 = gamma * s2 + (1 - gamma) * g2**2
        x1 -= eta / math.sqrt(s1 + eps) * g1
        x2 -= eta / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    return rmsprop_2d


def book_loop_2d(etas: list[float], gammas: list[float]) -> list[tuple[float, float]]:
    """The last point of every configuration, row by row as the sweep's cells."""
    return [train_2d(rmsprop_2d_for(eta, gamma), STEPS_2D)[-1] for gamma in gammas for eta in etas]


# --- through the API -----------------------------------------------------------------------------


def fetch(conn: http.client.HTTPConnection, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=None if body is None else orjson.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
    return data


def through_api(conn: http.client.HTTPConnection, body: dict[str, Any]) -> dict[str, Any]:
    sweep_id = orjson.loads(fetch(conn, "POST", "/api/sweeps", body))["id"]
    fetch(conn, "GET", f"/api/sweeps/{sweep_id}/events")  # ends after done
    state: dict[str, Any] = orjson.loads(fetch(conn, "GET", f"/api/sweeps/{sweep_id}"))
    if state["status"] != "done":
        raise RuntimeError(f"sweep {sweep_id} ended {state['status']}: {state['error']}")
    return state


def bench_2d(conn: http.client.HTTPConnection, repeats: int) -> None:
    body: dict[str, Any] = {"kind": "trajectory", "optimizer": "rmsprop", "function": "quadratic", "start": [-5, -2]}
    body.update(steps=STEPS_2D, axes=[ETA_2D, GAMMA_2D])
    warm = through_api(conn, body)  # warm-up: worker processes, imports; the axes' values as used
    etas, gammas = (axis["values"] for axis in warm["axes"])
    api: list[float] = []
    book: list[float] = []
    state: dict[str, Any] = {}
    finals: list[tuple[float, float]] = []
    for k in range(repeats):  # interleaved: drifts in machine load hit both alike
        began = time.perf_counter()
        state = through_api(conn, {**body, "seed": k})  # distinct requests
        api.append(time.perf_counter() - began)
        began = time.perf_counter()
        finals = book_loop_2d(etas, gammas)
        book.append(time.perf_counter() - began)
    agree = _agreement_2d(state, finals)
    cells = SIDE_2D * SIDE_2D
    print(f"\n1. {SIDE_2D} × {SIDE_2D} (η, γ) RMSProp sweep on quadratic, {STEPS_2D} steps ({cells:,} configurations):")
    print(f"   book's bare loop, looped      {statistics.median(book) * 1e3:9.1f} ms   (median of {repeats})")
    print(f"   POST + events + GET           {statistics.median(api) * 1e3:9.1f} ms   (median of {repeats})")
    ratio = statistics.median(book) / statistics.median(api)
    verdict = "meets" if ratio >= 50 else "MISSES"
    print(f"   sweep is {ratio:.1f}× faster (target ≥ 50×: {verdict}); final values agree to {agree:.1e} (relative)")


def _agreement_2d(state: dict[str, Any], finals: list[tuple[float, float]]) -> float:
    """Largest relative difference between the sweep's f(x_T) and the book loop's, over the cells."""
    worst = 0.0
    values = [v for row in state["cells"]["final_value"] for v in row]
    for value, (x1, x2) in zip(values, finals, strict=True):
        book = 0.1 * x1 * x1 + 2 * x2 * x2
        if value is not None and math.isfinite(book):
            worst = max(worst, abs(value - book) / max(abs(book), 1e-300))
    return worst


def bench_training(conn: http.client.HTTPConnection, repeats: int, sample: int) -> None:
    data = load_airfoil(Path(os.environ.get("OPTLAB_DATA_DIR", ROOT.parent / "shared" / "data")) / FILENAME)
    body: dict[str, Any] = {"kind": "training", "optimizer": "rmsprop", "dataset": "airfoil", "batch_size": 10}
    body["epochs"] = 2
    body.update(device="cpu", axes=[ETA_TRAINING, GAMMA_TRAINING])
    etas, gammas = (axis["values"] for axis in through_api(conn, body)["axes"])
    cells = [(r, c) for r in range(SIDE_TRAINING) for c in range(SIDE_TRAINING)]
    picked = cells[:: max(1, len(cells) // sample)][:sample]
    torch.set_num_threads(1)
    api: list[float] = []
    loader: list[float] = []
    product: list[float] = []
    for k in range(repeats):
        began = time.perf_counter()
        through_api(conn, {**body, "seed": k})
        api.append((time.perf_counter() - began) / len(cells))
        for r, c in picked[k::repeats] or picked[:1]:
            for evaluate, times in ((evaluate_loss_by_batches, loader), (evaluate_loss_at_once, product)):
                began = time.perf_counter()
                reference_job(data.X, data.y, k, evaluate, etas[c], gammas[r])
                times.append(time.perf_counter() - began)
    per_config = statistics.median(api)
    print(f"\n2. {SIDE_TRAINING} × {SIDE_TRAINING} (η, γ) RMSProp training sweep, airfoil, batch 10, 2 epochs:")
    print(f"   sweep, POST + events + GET    {per_config * 1e6:9.1f} µs per configuration (median of {repeats})")
    for name, times in (("evaluate_loss over the loader", loader), ("full-data loss in one product", product)):
        book = statistics.median(times)
        ratio = book / per_config
        verdict = "meets" if ratio >= 1000 else "MISSES"
        print(
            f"   book-style ({name}) {book * 1e3:7.1f} ms per run (median of {len(times)} sampled configurations): "
            f"sweep {ratio:,.0f}× faster per configuration (target ≥ 1,000×: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sample", type=int, default=10, help="book-style training runs timed")
    parser.add_argument("--parts", nargs="+", choices=("2d", "training"), default=["2d", "training"])
    args = parser.parse_args()
    env = {"OPTLAB_MAX_STREAMS_PER_CLIENT": "100"}
    with running_server(env) as (url, _):
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        print(f"server {url}; torch {torch.__version__}; {os.cpu_count()} cores")
        try:
            if "2d" in args.parts:
                bench_2d(conn, args.repeats)
            if "training" in args.parts:
                bench_training(conn, args.repeats, args.sample)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
