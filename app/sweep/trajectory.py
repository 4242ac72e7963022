"""Trajectory sweeps on the batched 2D runner, in the worker pool: blocks of whole rows, each block
one ``Batch`` of K = rows × columns cells (a row of the stack per cell, the swept hyper-parameters
as K × 1 columns, or the swept start points), every cell equal to its configuration run alone.

``rows_block`` runs in a worker process (plain data in, plain data out); ``trajectory_blocks``
runs in a sweep thread and keeps ``in_flight`` blocks in the pool at a time, so a big sweep uses
every worker and still leaves room between its blocks for the comparisons of the 2D lab.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from app.optim.registry import get_optimizer
from app.sweep.axes import START_PARAMS
from app.sweep.plan import SweepPlan, TrajectoryProblem
from app.sweep.state import Cell, RowBlock
from app.trajectory.pool import WorkerContext, WorkerPool
from app.trajectory.runner import Batch

TOLERANCE = 1e-6  # steps_to_tol: the first t with f(x_t) − f* ≤ this
# A block is about this many cell-steps (a few ms compiled, a second or so on the numpy stack): big
# enough that a worker's fixed costs stay small, small enough for live rows and a prompt cancel.
BLOCK_WORK = 4_000_000
CHUNK_STEPS = 50  # steps between looks at the cancel flag
POLL_SECONDS = 0.05  # how often a sweep thread waiting on the pool looks at its own cancel flag


def _block_inputs(plan: SweepPlan, first: int, rows: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Start points (K×2) and hyper-parameters (floats, or K-long columns) of rows first…first+rows−1."""
    problem = plan.problem
    assert isinstance(problem, TrajectoryProblem)
    x, y = plan.axes
    ys = np.repeat(np.asarray(y.values[first : first + rows], dtype=np.float64), x.n)
    xs = np.tile(np.asarray(x.values, dtype=np.float64), rows)
    starts = np.tile(np.asarray(problem.start, dtype=np.float64), (rows * x.n, 1))
    hyperparams: dict[str, Any] = dict(plan.hyperparams)
    for axis, column in ((x, xs), (y, ys)):
        if axis.param in START_PARAMS:
            starts[:, START_PARAMS.index(axis.param)] = column
        else:
            hyperparams[axis.param] = column
    return starts, hyperparams


def rows_block(ctx: WorkerContext, plan: SweepPlan, first: int, rows: int) -> dict[str, list[list[Cell]]]:
    """Every cell of rows first…first+rows−1, run to the end: the metrics of a trajectory sweep."""
    problem = plan.problem
    assert isinstance(problem, TrajectoryProblem)
    starts, hyperparams = _block_inputs(plan, first, rows)
    spec = get_optimizer(plan.optimizer)
    tolerance = (problem.f_star, TOLERANCE) if problem.f_star is not None else None
    objective = problem.objective()
    batch = Batch(
        spec, objective, starts, hyperparams, impl=plan.impl, seed=plan.seed, record=False, tolerance=tolerance
    )
    batch.start()
    while batch.t < problem.steps:
        ctx.check()
        batch.advance(min(CHUNK_STEPS, problem.steps - batch.t))
    return _metrics(batch, problem, rows)


def _metrics(batch: Batch, problem: TrajectoryProblem, rows: int) -> dict[str, list[list[Cell]]]:
    diverged = (batch.diverged_at >= 0).tolist()
    final: list[Cell] = [None if d else v for d, v in zip(diverged, batch.value.tolist(), strict=True)]
    if problem.minima:
        minima = np.asarray(problem.minima, dtype=np.float64)
        gaps = np.linalg.norm(batch.x[:, None, :] - minima[None, :, :], axis=2)  # K × minima
        distance: list[Cell] = [None if d else g for d, g in zip(diverged, gaps.min(axis=1).tolist(), strict=True)]
        minimum: list[Cell] = [None if d else m for d, m in zip(diverged, gaps.argmin(axis=1).tolist(), strict=True)]
    else:
        distance = minimum = [None] * len(final)
    steps: list[Cell] = [t if t >= 0 else None for t in batch.reached.tolist()]
    at: list[Cell] = [t if t >= 0 else None for t in batch.diverged_at.tolist()]
    cols = len(final) // rows

    def grid(values: list[Cell]) -> list[list[Cell]]:
        return [values[r * cols : (r + 1) * cols] for r in range(rows)]

    return {
        "final_value": grid(final),
        "distance": grid(distance),
        "steps_to_tol": grid(steps),
        "diverged_at": grid(at),
        "minimum": grid(minimum),
    }


async def _on_pool(pool: WorkerPool, plan: SweepPlan, first: int, rows: int) -> dict[str, list[list[Cell]]]:
    task = pool.submit(rows_block, plan, first, rows)
    try:
        result: dict[str, list[list[Cell]]] = await task.result()
        return result
    finally:
        task.cancel()  # a no-op once it has ended; else (this coroutine cancelled) it stops its worker


def trajectory_blocks(
    plan: SweepPlan,
    should_stop: Callable[[], bool],
    pool: WorkerPool,
    loop: asyncio.AbstractEventLoop,
) -> Iterator[RowBlock]:
    """The plan's rows in order, a block at a time, ``pool.size`` blocks computing at once."""
    rows, cols = plan.shape
    steps = plan.problem.steps
    blocks = max(pool.size, -(-rows * cols * steps // BLOCK_WORK))  # every worker has a share
    per_block = max(1, -(-rows // blocks))
    starts = deque(range(0, rows, per_block))
    flying: deque[tuple[int, concurrent.futures.Future[dict[str, list[list[Cell]]]]]] = deque()
    try:
        while starts or flying:
            while starts and len(flying) < max(1, pool.size):
                first = starts.popleft()
                coroutine = _on_pool(pool, plan, first, min(per_block, rows - first))
                flying.append((first, asyncio.run_coroutine_threadsafe(coroutine, loop)))
            first, future = flying[0]
            while True:
                if should_stop():
                    return
                try:
                    cells = future.result(timeout=POLL_SECONDS)
                    break
                except concurrent.futures.TimeoutError:
                    continue
            flying.popleft()
            yield RowBlock(first, cells)
    finally:
        for _, future in flying:
            future.cancel()
