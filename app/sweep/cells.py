"""Which runner computes a sweep's cells: the batched 2D runner (in the worker pool) or the training
engine (in the sweep's own thread, as a training job runs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from app.sweep.plan import SweepPlan
from app.sweep.state import RowBlock
from app.sweep.training import training_blocks
from app.sweep.trajectory import trajectory_blocks
from app.trajectory.pool import WorkerPool


class SweepCells:
    """The ``Compute`` of the sweep manager; ``loop`` is the one that owns ``pool``."""

    def __init__(self, pool: WorkerPool, loop: asyncio.AbstractEventLoop) -> None:
        self.pool, self.loop = pool, loop

    def __call__(self, plan: SweepPlan, should_stop: Callable[[], bool]) -> Iterator[RowBlock]:
        if plan.kind == "training":
            return training_blocks(plan, should_stop)
        return trajectory_blocks(plan, should_stop, self.pool, self.loop)
