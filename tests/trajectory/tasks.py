"""Task functions for the worker-pool tests: module-level, so a worker process can import them."""

from __future__ import annotations

import os
import time

from app.trajectory.pool import WorkerContext


def echo(ctx: WorkerContext, value: object) -> object:
    return value


def count(ctx: WorkerContext, n: int) -> int:
    for i in range(n):
        ctx.emit(i)
    return n


def spin(ctx: WorkerContext, seconds: float) -> str:
    """Busy for ``seconds`` unless cancelled (checked every millisecond, as a runner checks per chunk)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ctx.check()
        time.sleep(0.001)
    return "finished"


def fail(ctx: WorkerContext, message: str) -> None:
    raise RuntimeError(message)


def die(ctx: WorkerContext) -> None:
    os._exit(3)


def pid(ctx: WorkerContext) -> int:
    return os.getpid()


def policy(ctx: WorkerContext) -> int:
    """The worker's scheduling policy (os.SCHED_*)."""
    return os.sched_getscheduler(0)
