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
BLOCK_CELLS = 2048  # rows per block: about this many cells (numpy's sweet spot for a K×2 stack)
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
    batch = Batch(spec, problem.objective(), starts, hyperparams, impl=plan.impl, seed=plan.seed, record=False)
    k = len(starts)
    reached = np.full(k, -1, dtype=np.int64)  # steps_to_tol, -1 while not yet
    f_star = problem.f_star
    _note_tolerance(reached, batch.start().values, 0, f_star)
    while batch.t < problem.steps:
        ctx.check()
        n = min(CHUNK_STEPS, problem.steps - batch.t)
        first_step = batch.t + 1
        _note_tolerance(reached, batch.advance(n).values, first_step, f_star)
    return _metrics(batch, reached, problem, rows)


def _note_tolerance(reached: np.ndarray, values: np.ndarray, first_step: int, f_star: float | None) -> None:
    if f_star is None or values.shape[1] == 0:
        return
    with np.errstate(invalid="ignore"):
        hit = values - f_star <= TOLERANCE  # NaN (a stopped row) never hits
    fresh = (reached < 0) & hit.any(axis=1)
    reached[fresh] = first_step + hit[fresh].argmax(axis=1)


def _metrics(batch: Batch, reached: np.ndarray, problem: TrajectoryProblem, rows: int) -> dict[str, list[list[Cell]]]:
    diverged = batch.diverged_at >= 0
    final: list[Cell] = [None if d else float(v) for d, v in zip(diverged, batch.value, strict=True)]
    if problem.minima:
        minima = np.asarray(problem.minima, dtype=np.float64)
        gaps = np.linalg.norm(batch.x[:, None, :] - minima[None, :, :], axis=2)  # K × minima
        nearest = gaps.argmin(axis=1)
        distance: list[Cell] = [None if d else float(g) for d, g in zip(diverged, gaps.min(axis=1), strict=True)]
        minimum: list[Cell] = [None if d else int(m) for d, m in zip(diverged, nearest, strict=True)]
    else:
        distance = minimum = [None] * len(final)
    steps: list[Cell] = [int(t) if t >= 0 else None for t in reached]
    at: list[Cell] = [int(t) if t >= 0 else None for t in batch.diverged_at]
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
    per_block = max(1, BLOCK_CELLS // cols)
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
