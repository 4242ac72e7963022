"""The worker pool: results and messages come back in order, cancellation stops a running task,
errors and dead workers are reported and the pool carries on."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.trajectory.pool import Cancelled, WorkerError, WorkerPool
from tests.trajectory import tasks

WAIT = 30.0  # a bound on waits, never a timing assertion


def with_pool(workers: int, scenario: Callable[[WorkerPool], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        pool = WorkerPool(workers)
        try:
            return await asyncio.wait_for(scenario(pool), WAIT)
        finally:
            await pool.close()

    return asyncio.run(run())


def test_results_and_messages_come_back_in_order() -> None:
    async def scenario(pool: WorkerPool) -> None:
        task = pool.submit(tasks.count, 50)
        assert [m async for m in task] == list(range(50))
        assert await task.result() == 50
        assert await pool.submit(tasks.echo, {"a": [1.5, None]}).result() == {"a": [1.5, None]}

    with_pool(1, scenario)


def test_tasks_beyond_the_workers_wait_and_run_on_every_worker() -> None:
    async def scenario(pool: WorkerPool) -> None:
        spinning = [pool.submit(tasks.spin, 0.2) for _ in range(2)]
        queued = pool.submit(tasks.pid)
        assert pool.stats()["busy"] == 2 and pool.stats()["queued"] == 1
        assert [await t.result() for t in spinning] == ["finished"] * 2
        pids = {await queued.result(), *[await pool.submit(tasks.pid).result() for _ in range(6)]}
        assert len(pids) == 2 and pool.stats() == {"workers": 2, "busy": 0, "queued": 0, "tasks": 9}

    with_pool(2, scenario)


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="SCHED_BATCH is Linux's")
def test_workers_run_as_batch_work_below_the_server() -> None:
    ours = os.sched_getscheduler(0)

    async def scenario(pool: WorkerPool) -> None:
        assert await pool.submit(tasks.policy).result() == os.SCHED_BATCH
        assert os.sched_getscheduler(0) == ours != os.SCHED_BATCH  # the server (here, the test) keeps its own

    with_pool(1, scenario)


def test_cancel_stops_a_running_task_and_drops_a_queued_one() -> None:
    async def scenario(pool: WorkerPool) -> None:
        running = pool.submit(tasks.spin, 60)
        queued = pool.submit(tasks.spin, 60)
        await asyncio.sleep(0.1)
        queued.cancel()
        running.cancel()
        for task in (running, queued):
            with pytest.raises(Cancelled):
                await task.result()
        assert await pool.submit(tasks.echo, "still working").result() == "still working"

    with_pool(1, scenario)


def test_an_error_in_a_task_comes_back_with_its_traceback() -> None:
    async def scenario(pool: WorkerPool) -> None:
        with pytest.raises(WorkerError, match="RuntimeError: no good"):
            await pool.submit(tasks.fail, "no good").result()
        assert await pool.submit(tasks.echo, 1).result() == 1

    with_pool(1, scenario)


def test_a_dead_worker_fails_its_task_and_is_replaced() -> None:
    async def scenario(pool: WorkerPool) -> None:
        before = await pool.submit(tasks.pid).result()
        with pytest.raises(WorkerError, match="died"):
            await pool.submit(tasks.die).result()
        after = await pool.submit(tasks.pid).result()
        assert after != before and pool.stats()["workers"] == 1

    with_pool(1, scenario)


def test_closing_cancels_what_is_left() -> None:
    async def run() -> None:
        pool = WorkerPool(1)
        running, queued = pool.submit(tasks.spin, 60), pool.submit(tasks.spin, 60)
        await asyncio.sleep(0.1)
        await pool.close()
        for task in (running, queued):
            with pytest.raises(Cancelled):
                await task.result()
        with pytest.raises(RuntimeError, match="closed"):
            pool.submit(tasks.pid)

    asyncio.run(asyncio.wait_for(run(), WAIT))
