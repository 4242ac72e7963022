"""Speed of POST /api/trajectories against the book's bare loop, measured side by side in one run.

A 2-run comparison (AdaGrad η=0.4, RMSProp η=0.4 γ=0.9 on the book's quadratic) at 20, 1,000 and
10,000 steps, through a real server on one keep-alive connection, every request distinct (its seed
changes, so neither the cache nor the history answers). Against it: the chapter's own loop on
Python floats (``adagrad_2d``/``rmsprop_2d`` closures stepped by ``train_2d``), recording the rows
the API returns (points, values, effective rates, state), then ``json.dumps`` of them. Targets:
the API ≤ 2× the bare loop at 1,000 and 10,000 steps, and at 20 steps ≤ 3× a GET /healthz round
trip on the same connection. Last, how long a computation runs on once its client has gone
(target ≤ 100 ms): a long one-shot request is dropped and the server's stats are watched.

Run: ``.venv/bin/python bench/bench_2d.py`` (``--repeat N`` for more samples).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.utils import running_server

STEPS = (20, 1000, 10_000)
ETA, GAMMA, EPS = 0.4, 0.9, 1e-6
Rows = dict[str, Any]
Trainer = Callable[[float, float, float, float], tuple[float, float, float, float, float, float]]


def adagrad_2d(x1: float, x2: float, s1: float, s2: float) -> tuple[float, float, float, float, float, float]:
    g1, g2 = 0.2 * x1, 4 * x2
    s1 += g1 * g1
    s2 += g2 * g2
    l1, l2 = ETA / math.sqrt(s1 + EPS), ETA / math.sqrt(s2 + EPS)
    return x1 - l1 * g1, x2 - l2 * g2, s1, s2, l1, l2


def rmsprop_2d(x1: float, x2: float, s1: float, s2: float) -> tuple[float, float, float, float, float, float]:
    g1, g2 = 0.2 * x1, 4 * x2
    s1 = GAMMA * s1 + (1 - GAMMA) * g1 * g1
    s2 = GAMMA * s2 + (1 - GAMMA) * g2 * g2
    l1, l2 = ETA / math.sqrt(s1 + EPS), ETA / math.sqrt(s2 + EPS)
    return x1 - l1 * g1, x2 - l2 * g2, s1, s2, l1, l2


def f_2d(x1: float, x2: float) -> float:
    return 0.1 * x1 * x1 + 2 * x2 * x2


def train_2d(trainer: Trainer, steps: int) -> Rows:
    """The book's train_2d, keeping every row the API answers with."""
    x1, x2, s1, s2 = -5.0, -2.0, 0.0, 0.0
    points, values, rates, state = [[x1, x2]], [f_2d(x1, x2)], [], []
    for _ in range(steps):
        x1, x2, s1, s2, l1, l2 = trainer(x1, x2, s1, s2)
        points.append([x1, x2])
        values.append(f_2d(x1, x2))
        rates.append([l1, l2])
        state.append([s1, s2])
    return {"points": points, "values": values, "lr_eff": rates, "state": {"s": state}}


def bare(steps: int) -> float:
    began = time.perf_counter()
    json.dumps({"runs": [train_2d(adagrad_2d, steps), train_2d(rmsprop_2d, steps)]})
    return time.perf_counter() - began


def request(steps: int, seed: int) -> bytes:
    runs = [
        {"optimizer": "adagrad", "hyperparams": {"eta": ETA}},
        {"optimizer": "rmsprop", "hyperparams": {"eta": ETA, "gamma": GAMMA}},
    ]
    return json.dumps({"function": "quadratic", "steps": steps, "seed": seed, "runs": runs}).encode()


def timed(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> float:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    began = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    took = time.perf_counter() - began
    assert response.status == 200, (response.status, data[:300])
    return took


def compare(url: str, repeat: int) -> None:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    seed = 1_000
    for steps in STEPS:  # warm: the first request of each size pays for nothing the others do not
        timed(conn, "POST", "/api/trajectories", request(steps, seed := seed + 1))
    health = statistics.median(timed(conn, "GET", "/healthz") for _ in range(200))
    print(f"GET /healthz round trip: {health * 1e3:.2f} ms (median of 200)")
    print(f"{'steps':>6}  {'bare loop + json':>17}  {'POST /api/trajectories':>22}  {'ratio':>6}  target")
    for steps in STEPS:
        ours, theirs = [], []
        for _ in range(repeat):  # interleaved, so both see the same machine
            theirs.append(bare(steps))
            ours.append(timed(conn, "POST", "/api/trajectories", request(steps, seed := seed + 1)))
        api, book = statistics.median(ours), statistics.median(theirs)
        target = f"≤ 3× healthz: {api / health:.2f}× healthz" if steps == STEPS[0] else "≤ 2×"
        print(f"{steps:>6}  {book * 1e3:>14.2f} ms  {api * 1e3:>19.2f} ms  {api / book:>5.2f}×  {target}")
    conn.close()


def stop_latency(url: str) -> None:
    """A request of several seconds (8 torch.optim runs × 6,000 steps), dropped after 0.3 s."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps(
        {"steps": 6000, "seed": 7, "runs": [{"optimizer": "adam", "impl": "torch", "hyperparams": {"eta": 0.01}}] * 8}
    ).encode()
    stats = http.client.HTTPConnection(host, int(port), timeout=30)

    def busy() -> int:
        stats.request("GET", "/api/debug/stats")
        return int(json.loads(stats.getresponse().read())["compute"]["busy"])

    with socket.create_connection((host, int(port))) as sock:
        head = f"POST /api/trajectories HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.3)
        assert busy() == 1, "the long request should be computing"
    gone = time.perf_counter()
    while busy():
        time.sleep(0.002)
    print(f"client gone → its computation stopped: {(time.perf_counter() - gone) * 1e3:.0f} ms (target ≤ 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with running_server() as (url, _):
        compare(url, args.repeat)
        stop_latency(url)


if __name__ == "__main__":
    main()
