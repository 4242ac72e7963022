"""Load: N concurrent clients each stream a 1,000-step comparison from a real server (loopback only).

Prints events/s, points/s and p50/p95 time to first event, and checks that no event was lost or
duplicated (ids contiguous, every run's points complete). Bounded in clients, steps and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.utils import running_server

BODY = {
    "function": "quadratic",
    "steps": 1000,
    "runs": [
        {"optimizer": "adagrad", "hyperparams": {"eta": 0.4}},
        {"optimizer": "rmsprop", "hyperparams": {"eta": 0.4, "gamma": 0.9}},
    ],
}


@dataclass
class ClientResult:
    first_event: float
    total: float
    events: int
    points: int
    ok: bool
    problem: str = ""


async def one_client(client: httpx.AsyncClient, url: str) -> ClientResult:
    began = time.perf_counter()
    first = 0.0
    ids: list[int] = []
    points = [0, 0]
    names: list[str] = []
    async with client.stream("POST", url + "/api/trajectories/stream", json=BODY) as response:
        if response.status_code != 200:
            return ClientResult(0, 0, 0, 0, False, f"status {response.status_code}")
        event: dict[str, str] = {}
        async for line in response.aiter_lines():
            if not first:
                first = time.perf_counter() - began
            if line == "":
                if "event" in event:
                    ids.append(int(event["id"]))
                    names.append(event["event"])
                    if event["event"] == "step":
                        for i, run in enumerate(json.loads(event["data"])["runs"]):
                            points[i] += len(run["points"])
                event = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                event[key] = value
    ok = ids == list(range(len(ids))) and names[0] == "meta" and names[-1] == "done" and points == [1001, 1001]
    problem = "" if ok else f"ids {ids[:3]}..{ids[-3:]}, points {points}"
    return ClientResult(first, time.perf_counter() - began, len(ids), sum(points), ok, problem)


async def load(url: str, clients: int) -> list[ClientResult]:
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        return await asyncio.gather(*(one_client(client, url) for _ in range(clients)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    env = {"OPTLAB_MAX_STREAMS_PER_CLIENT": str(args.clients + 10)}
    with running_server(env) as (url, _):
        began = time.perf_counter()
        results = asyncio.run(asyncio.wait_for(load(url, args.clients), timeout=300))
        wall = time.perf_counter() - began
    firsts = sorted(r.first_event for r in results)
    events = sum(r.events for r in results)
    points = sum(r.points for r in results)
    bad = [r.problem for r in results if not r.ok]
    print(f"clients {args.clients}, 1000 steps × 2 runs each, wall {wall:.2f} s")
    print(f"events/s {events / wall:,.0f}   points/s {points / wall:,.0f}")
    print(
        f"time to first event p50 {statistics.median(firsts) * 1000:.0f} ms, "
        f"p95 {firsts[int(0.95 * (len(firsts) - 1))] * 1000:.0f} ms"
    )
    print(f"lost or duplicated: {len(bad)} clients" + (f" e.g. {bad[0]}" if bad else ""))


if __name__ == "__main__":
    main()
