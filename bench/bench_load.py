"""Load: 50 clients each stream a distinct 1,000-step two-run comparison, all at once, against the
same 50 one after another, from one real server (loopback only), measured side by side in one run.

Every request differs (its seed), so neither the cache nor the history answers. Prints both wall
times and their ratio (target: concurrent ≤ 1/1.2 of sequential), time to the first event (p50,
p95; target p95 ≤ 250 ms), events and points per second in aggregate, and any event lost or
duplicated (target 0: ids contiguous, meta first, done last, every run's 1,001 points). The client
is a few lines of asyncio on raw sockets (HTTP/1.1, chunked), so it leaves the cores to the server.

Run: ``.venv/bin/python bench/bench_load.py`` (``--clients N``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.utils import running_server

STEPS = 1000


def body(seed: int) -> bytes:
    runs = [
        {"optimizer": "adagrad", "hyperparams": {"eta": 0.4}},
        {"optimizer": "rmsprop", "hyperparams": {"eta": 0.4, "gamma": 0.9}},
    ]
    return orjson.dumps({"function": "quadratic", "steps": STEPS, "seed": seed, "runs": runs})


@dataclass
class Seen:
    first_event: float  # seconds from sending the request
    total: float
    events: int
    points: int
    problem: str = ""


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    """The rest of a chunked body, as it arrives, concatenated (the SSE parser takes whole events)."""
    size = int((await reader.readline()).split(b";")[0], 16)
    data = await reader.readexactly(size + 2)
    return data[:-2] if size else b""


async def one_client(host: str, port: int, seed: int) -> Seen:
    reader, writer = await asyncio.open_connection(host, port)
    payload = body(seed)
    head = f"POST /api/trajectories/stream HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    began = time.perf_counter()
    writer.write(f"{head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
    status = await reader.readline()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    if b" 200 " not in status:
        writer.close()
        return Seen(0, 0, 0, 0, status.decode().strip())
    first, ids, names, points, buffer = 0.0, [], [], [0, 0], b""
    while chunk := await _chunks(reader):
        buffer += chunk
        *events, buffer = buffer.split(b"\n\n")
        for event in events:
            fields = dict(line.split(b": ", 1) for line in event.split(b"\n") if line and not line.startswith(b":"))
            if b"event" not in fields:
                continue
            first = first or time.perf_counter() - began
            ids.append(int(fields[b"id"]))
            names.append(fields[b"event"])
            if fields[b"event"] == b"step":
                for i, run in enumerate(orjson.loads(fields[b"data"])["runs"]):
                    points[i] += len(run["points"])
    writer.close()
    ok = ids == list(range(len(ids))) and names[:1] == [b"meta"] and names[-1:] == [b"done"]
    ok = ok and points == [STEPS + 1] * 2
    problem = "" if ok else f"ids {ids[:3]}..{ids[-3:]}, points {points}"
    return Seen(first, time.perf_counter() - began, len(ids), sum(points), problem)


async def concurrently(host: str, port: int, seeds: range) -> list[Seen]:
    return list(await asyncio.gather(*(one_client(host, port, seed) for seed in seeds)))


async def one_by_one(host: str, port: int, seeds: range) -> list[Seen]:
    return [await one_client(host, port, seed) for seed in seeds]


def report(name: str, seen: list[Seen], wall: float) -> None:
    firsts = sorted(s.first_event for s in seen)
    events, points = sum(s.events for s in seen), sum(s.points for s in seen)
    lost = [s.problem for s in seen if s.problem]
    p95 = firsts[round(0.95 * (len(firsts) - 1))]
    print(
        f"{name:>12}: wall {wall:6.2f} s   first event p50 {statistics.median(firsts) * 1e3:5.0f} ms, "
        f"p95 {p95 * 1e3:5.0f} ms   {events / wall:8,.0f} events/s   {points / wall:9,.0f} points/s   "
        f"lost or duplicated: {len(lost)}" + (f" e.g. {lost[0]}" if lost else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    n = args.clients
    env = {"OPTLAB_MAX_STREAMS_PER_CLIENT": str(n + 10)}
    with running_server(env) as (url, _):
        host, port = url.removeprefix("http://").split(":")
        asyncio.run(one_by_one(host, int(port), range(10_000, 10_004)))  # warm
        began = time.perf_counter()
        sequential = asyncio.run(one_by_one(host, int(port), range(n)))
        wall_seq = time.perf_counter() - began
        began = time.perf_counter()
        parallel = asyncio.run(asyncio.wait_for(concurrently(host, int(port), range(n, 2 * n)), timeout=300))
        wall_par = time.perf_counter() - began
    print(f"{n} clients, each a distinct {STEPS}-step × 2-run stream")
    report("one by one", sequential, wall_seq)
    report("all at once", parallel, wall_par)
    print(f"concurrent / sequential wall: {wall_par / wall_seq:.2f} (target ≤ {1 / 1.2:.2f})")


if __name__ == "__main__":
    main()
