"""Processes or threads for the 2D work: the same comparisons computed one after another, on a
pool of threads, and on the worker pool of processes, side by side in one run.

The work: 24 distinct 10,000-step comparisons of AdaGrad and RMSProp (the batched
runner on floats), without HTTP or storing. Threads take turns on the GIL, so they add nothing for
a Python loop; processes use every core. Prints the wall times and the speed-ups.

Run: ``.venv/bin/python bench/bench_pool.py`` (``--workers N``, default: the number of cores).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.config import cores
from app.optim.registry import get_optimizer
from app.trajectory import work
from app.trajectory.comparison import Plan, Problem, RunConfig
from app.trajectory.pool import WorkerPool

N = 24
STEPS = 10_000


class _Alone:
    """What a task function asks of its worker, for the in-process runs."""

    def check(self) -> None:
        pass

    def emit(self, message: object) -> None:
        pass


def plans() -> list[Plan]:
    runs = (
        RunConfig("adagrad", "book", get_optimizer("adagrad").resolve({"eta": 0.4})),
        RunConfig("rmsprop", "book", get_optimizer("rmsprop").resolve({"eta": 0.4, "gamma": 0.9})),
    )
    return [Plan(Problem("quadratic"), (-5.0 + i / 100, -2.0), STEPS, 0, runs) for i in range(N)]


def sequential(todo: list[Plan]) -> float:
    began = time.perf_counter()
    for plan in todo:
        work.compute(_Alone(), plan, False)  # type: ignore[arg-type]
    return time.perf_counter() - began


def threads(todo: list[Plan], workers: int) -> float:
    began = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda plan: work.compute(_Alone(), plan, False), todo))  # type: ignore[arg-type]
    return time.perf_counter() - began


async def processes(todo: list[Plan], workers: int) -> float:
    pool = WorkerPool(workers)
    pool.start()
    await asyncio.gather(*(pool.submit(work.compute, plan, False).result() for plan in todo[:workers]))  # warm
    began = time.perf_counter()
    await asyncio.gather(*(pool.submit(work.compute, plan, False).result() for plan in todo))
    took = time.perf_counter() - began
    await pool.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=cores())
    args = parser.parse_args()
    todo = plans()
    sequential(todo[:5])  # warm
    one = sequential(todo)
    by_threads = threads(todo, args.workers)
    by_processes = asyncio.run(processes(todo, args.workers))
    print(f"{N} comparisons of 2 runs × {STEPS:,} steps, {args.workers} workers")
    print(f"  one after another  {one * 1e3:7.1f} ms")
    print(f"  {args.workers} threads         {by_threads * 1e3:7.1f} ms   speed-up {one / by_threads:4.2f}×")
    print(f"  {args.workers} processes       {by_processes * 1e3:7.1f} ms   speed-up {one / by_processes:4.2f}×")


if __name__ == "__main__":
    main()
