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
from app.sweep.state import RowBlock
from app.trajectory.pool import WorkerContext, WorkerPool
from app.trajectory.runner import Batch, runs_compiled

TOLERANCE = 1e-6  # steps_to_tol: the first t with f(x_t) − f* ≤ this
# Compiled, a block is about BLOCK_WORK cell-steps (a few ms) and a chunk between looks at the
# cancel flag CHUNK_WORK (about 2 ms); the numpy stack (a custom f) and torch.optim are hundreds to
# thousands of times slower per cell-step, and keep blocks of BLOCK_CELLS cells and chunks of
# CHUNK_STEPS steps. Big enough that a worker's fixed costs stay small, small enough for live rows.
BLOCK_WORK = 4_000_000
CHUNK_WORK = 1_000_000
BLOCK_CELLS = 2048
CHUNK_STEPS = 50
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


def rows_block(ctx: WorkerContext, plan: SweepPlan, first: int, rows: int) -> RowBlock:
    """Every cell of rows first…first+rows−1, run to the end: the metrics of a trajectory sweep,
    written as JSON here, in the worker."""
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
    fast = runs_compiled(objective, plan.impl)
    chunk = max(CHUNK_STEPS, CHUNK_WORK // len(starts)) if fast else CHUNK_STEPS
    while batch.t < problem.steps:
        ctx.check()
        batch.advance(min(chunk, problem.steps - batch.t))
    return RowBlock.of(first, _metrics(batch, problem, rows))


def _metrics(batch: Batch, problem: TrajectoryProblem, rows: int) -> dict[str, np.ndarray]:
    """Each metric as rows × columns: floats with NaN where missing, counts with −1 (see ``Grid``)."""
    diverged = batch.diverged_at >= 0
    k = len(diverged)
    metrics = {
        "final_value": np.where(diverged, np.nan, batch.value),
        "distance": np.full(k, np.nan),
        "steps_to_tol": batch.reached,  # −1 while never reached
        "diverged_at": batch.diverged_at,  # −1 while fine
        "minimum": np.full(k, -1, dtype=np.int64),
    }
    if problem.minima:
        minima = np.asarray(problem.minima, dtype=np.float64)
        gaps = np.linalg.norm(batch.x[:, None, :] - minima[None, :, :], axis=2)  # K × minima
        metrics["distance"] = np.where(diverged, np.nan, gaps.min(axis=1))
        metrics["minimum"] = np.where(diverged, -1, gaps.argmin(axis=1))
    return {name: metric.reshape(rows, -1) for name, metric in metrics.items()}


async def _on_pool(pool: WorkerPool, plan: SweepPlan, first: int, rows: int) -> RowBlock:
    task = pool.submit(rows_block, plan, first, rows)
    try:
        result: RowBlock = await task.result()
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
    problem = plan.problem
    assert isinstance(problem, TrajectoryProblem)
    if runs_compiled(problem.objective(), plan.impl):
        blocks = max(pool.size, -(-rows * cols * problem.steps // BLOCK_WORK))  # every worker has a share
        per_block = max(1, -(-rows // blocks))
    else:
        per_block = max(1, BLOCK_CELLS // cols)
    starts = deque(range(0, rows, per_block))
    flying: deque[concurrent.futures.Future[RowBlock]] = deque()
    try:
        while starts or flying:
            while starts and len(flying) < max(1, pool.size):
                first = starts.popleft()
                coroutine = _on_pool(pool, plan, first, min(per_block, rows - first))
                flying.append(asyncio.run_coroutine_threadsafe(coroutine, loop))
            future = flying[0]
            while True:
                if should_stop():
                    return
                try:
                    block = future.result(timeout=POLL_SECONDS)
                    break
                except concurrent.futures.TimeoutError:
                    continue
            flying.popleft()
            yield block
    finally:
        for future in flying:
            future.cancel()
