"""A bounded pool of worker processes for CPU-bound work (2D comparisons, sweeps) on every core.

Processes, not threads: a comparison is a tight Python loop, and threads running such loops take
turns on the GIL, so a second thread adds no speed and only contention (``bench/bench_pool.py``
measures both side by side). Each worker is forked from a fork server that has imported torch and
warmed ``torch.optim`` once, so a worker starts in milliseconds, and runs torch with one thread,
scheduled as batch work (on Linux), below the server that hands it work.

API, on the event loop that owns the pool::

    pool = WorkerPool(workers=2)
    task = pool.submit(fn, *args)      # fn(ctx, *args) -> result: a module-level function
    async for message in task:         # what fn sent with ctx.emit(message), in order
        ...
    result = await task.result()       # fn's return value (raises Cancelled, or WorkerError)
    task.cancel()                      # queued: dropped; running: fn's next ctx.check() raises
    await pool.close()

Tasks wait in one queue and go to the first idle worker. A cancelled task that is running stops at
its next ``ctx.check()`` (call it between chunks), so a client that goes away frees its worker
within one chunk. A worker that dies fails its task with ``WorkerError`` and is replaced.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Any

from app.trajectory.channel import Channel

log = logging.getLogger(__name__)

_END = ("result", "error", "cancelled")


class Cancelled(Exception):
    """The task was cancelled before it finished."""


class WorkerError(RuntimeError):
    """The task raised in its worker (the message carries the worker's traceback) or the worker died."""


class WorkerContext:
    """What a task function gets as its first argument, in the worker process."""

    def __init__(self, conn: Connection, task_id: int) -> None:
        self._conn, self._task_id = conn, task_id
        self._cancelled = False
        self.closing = False

    def emit(self, message: Any) -> None:
        """Send ``message`` to the task's consumer now (chunks of a stream, progress)."""
        self._conn.send((self._task_id, "emit", message))

    def cancelled(self) -> bool:
        while not self._cancelled and self._conn.poll():
            order = self._conn.recv()  # only cancels (or the pool closing) arrive while a task runs
            if order is None:
                self.closing = True
            self._cancelled = order is None or order == ("cancel", self._task_id)
        return self._cancelled

    def check(self) -> None:
        """Raise :class:`Cancelled` if the task has been cancelled."""
        if self.cancelled():
            raise Cancelled


def _worker_main(conn: Connection, torch_threads: int) -> None:
    import torch

    torch.set_num_threads(torch_threads)
    # Batch work: a worker woken by an order no longer preempts the server that wrote it. As normal
    # work, the server's write of a sweep's first order took 0.7-2 ms (the worker ran first, on the
    # server's core), and the second worker's order waited for it; SCHED_BATCH is plain CFS otherwise.
    if hasattr(os, "SCHED_BATCH"):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    while True:
        try:
            order = conn.recv()
        except (EOFError, OSError):
            return
        if order is None:
            return
        if order[0] == "cancel":  # for a task that has already finished
            continue
        task_id, fn, args = order
        ctx = WorkerContext(conn, task_id)
        try:
            conn.send((task_id, "result", fn(ctx, *args)))
        except Cancelled:
            conn.send((task_id, "cancelled", None))
        except Exception:
            conn.send((task_id, "error", traceback.format_exc()))
        if ctx.closing:
            return


@dataclass(eq=False)
class Task:
    """One piece of work: iterate it for its messages, await ``result()`` for its value."""

    id: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    pool: WorkerPool
    worker: _Worker | None = None
    ended: bool = False  # its end (result, error, cancelled) has arrived
    _queue: asyncio.Queue[tuple[str, Any]] = field(default_factory=asyncio.Queue)
    _final: tuple[str, Any] | None = None  # its end, once the consumer has reached it

    def cancel(self) -> None:
        self.pool._cancel(self)

    def _deliver(self, kind: str, payload: Any) -> None:
        if not self.ended:
            self.ended = kind in _END
            self._queue.put_nowait((kind, payload))

    async def __aiter__(self) -> AsyncIterator[Any]:
        while self._final is None:
            kind, payload = await self._queue.get()
            if kind != "emit":
                self._final = (kind, payload)
                return
            yield payload

    async def result(self) -> Any:
        async for _ in self:
            pass
        assert self._final is not None
        kind, payload = self._final
        if kind == "cancelled":
            raise Cancelled
        if kind == "error":
            raise WorkerError(payload)
        return payload


class _Worker:
    def __init__(self, pool: WorkerPool, loop: asyncio.AbstractEventLoop) -> None:
        self.pool, self.loop = pool, loop
        mp = pool.context
        conn, child = mp.Pipe(duplex=True)
        self.process = mp.Process(target=_worker_main, args=(child, pool.torch_threads), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.channel = Channel(conn, loop, self._received, lambda: pool._died(self))

    def _received(self, message: tuple[int, str, Any]) -> None:
        task_id, kind, payload = message
        task = self.task
        if task is not None and task.id == task_id:
            task._deliver(kind, payload)
            if kind in _END:
                self.pool._finished(self)

    def send(self, order: Any) -> None:
        """Never waits for the worker; raises only if ``order`` does not pickle."""
        self.channel.send(order)

    def stop(self) -> None:
        """Ask the worker to exit once its task is done (the order goes out while the loop runs)."""
        self.channel.stop_reading()
        self.channel.send(None)


class WorkerPool:
    def __init__(self, workers: int, torch_threads: int = 1) -> None:
        self.size, self.torch_threads = workers, torch_threads
        self.context = _context()
        self.loop: asyncio.AbstractEventLoop | None = None  # the loop that started it
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._queue: deque[Task] = deque()
        self._ids = itertools.count(1)
        self.submitted = 0
        self._closed = False

    @property
    def started(self) -> bool:
        return bool(self._workers)

    def start(self) -> None:
        """Fork the workers now (else on the first submit), on the running loop."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        if not self._workers:
            self.loop = asyncio.get_running_loop()
            for _ in range(self.size):
                self._add_worker()

    def _add_worker(self) -> None:
        assert self.loop is not None
        worker = _Worker(self, self.loop)
        self._workers.append(worker)
        self._idle.append(worker)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Task:
        self.start()
        task = Task(next(self._ids), fn, args, self)
        self.submitted += 1
        self._queue.append(task)
        self._dispatch()
        return task

    def stats(self) -> dict[str, int]:
        busy = len(self._workers) - len(self._idle)
        return {"workers": len(self._workers), "busy": busy, "queued": len(self._queue), "tasks": self.submitted}

    def _dispatch(self) -> None:
        while self._idle and self._queue:
            worker, task = self._idle.popleft(), self._queue.popleft()
            worker.task, task.worker = task, worker
            try:
                worker.send((task.id, task.fn, task.args))
            except Exception as exc:  # e.g. the arguments do not pickle: the task fails, the worker stays
                worker.task = None
                self._idle.append(worker)
                task._deliver("error", f"could not send the task to a worker: {exc!r}")

    def _cancel(self, task: Task) -> None:
        if task.ended:
            return
        if task in self._queue:
            self._queue.remove(task)
            task._deliver("cancelled", None)
        elif task.worker is not None and task.worker.task is task:
            task.worker.send(("cancel", task.id))  # a worker gone is reported by its channel

    def _finished(self, worker: _Worker) -> None:
        worker.task = None
        self._idle.append(worker)
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        worker.channel.close()
        if worker in self._workers:
            self._workers.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        if worker.task is not None:
            worker.task._deliver("error", f"the worker process died (exit code {worker.process.exitcode})")
        if not self._closed:
            log.warning("a worker process died (exit code %s); starting another", worker.process.exitcode)
            self._add_worker()
            self._dispatch()

    async def close(self, timeout: float = 5.0) -> None:
        """Cancel what is queued, let the workers finish their chunk, and stop them."""
        self._closed = True
        while self._queue:
            self._queue.popleft()._deliver("cancelled", None)
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.task is not None:
                worker.task._deliver("cancelled", None)
            worker.stop()
        deadline = time.monotonic() + timeout
        for worker in workers:
            while worker.process.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # polled: joining would need a thread
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(timeout)
            worker.channel.close()


def _context() -> ForkServerContext | SpawnContext:
    """A fork server that has imported the numerical stack (forking a server with threads is not safe)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return SpawnContext()
    context = ForkServerContext()
    context.set_forkserver_preload(["app.trajectory.preload"])
    return context
