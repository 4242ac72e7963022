"""A comparison being computed, shared by every request for it that arrives meanwhile.

The first request for a comparison that is neither cached nor stored starts a :class:`Flight`: a
worker computes it (looking in the history first) while the flight collects its chunks in the
background, whatever pace its clients read at. Each client follows the flight (chunks as they come,
then the whole runs); a client that goes away stops following, and when nobody follows any more
the worker's task is cancelled. A finished flight lands in the cache; storing it is up to the
requests (a stream stores once its client has every step, a one-shot before it answers).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from app.trajectory import work
from app.trajectory.comparison import Plan, RunResult
from app.trajectory.pool import Cancelled, Task, WorkerPool
from app.trajectory.work import Destination, Outcome


class Flight:
    def __init__(
        self, pool: WorkerPool, plan: Plan, dest: Destination, *, whole: bool, landed: Callable[[Flight], None]
    ) -> None:
        """``whole``: the worker computes and stores in one go (a one-shot leads); else it sends chunks.
        ``landed`` is called once it has finished, well or not."""
        self.plan, self.dest = plan, dest
        self.chunks: list[str] = []  # the step events' JSON, as the worker made them
        self.results: list[RunResult] | None = None
        self.stored = False  # the history holds it (found there, or stored by a ``whole`` worker)
        self.store_error: str | None = None  # why a ``whole`` worker could not store it
        self.error: BaseException | None = None
        self.followers = 0
        self.abandoned = False  # every follower left and the computation was cancelled: join a new one
        self._changed = asyncio.Event()
        self._task: Task = pool.submit(work.answer if whole else work.stream, plan, dest)
        self._runner = asyncio.get_running_loop().create_task(self._collect(whole))
        self._runner.add_done_callback(lambda _: landed(self))

    @property
    def done(self) -> bool:
        return self.results is not None or self.error is not None

    async def _collect(self, whole: bool) -> None:
        try:
            async for chunk in self._task:
                self.chunks.append(chunk)
                self._wake()
            outcome: Outcome = await self._task.result()
            self.results, self.stored, self.store_error = outcome.results, outcome.stored, outcome.store_error
        except BaseException as exc:  # Cancelled, WorkerError, or this task cancelled at shutdown
            self.error = exc
        finally:
            self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def join(self) -> None:
        self.followers += 1

    def leave(self) -> None:
        """A follower is gone; the last one to go cancels an unfinished computation."""
        self.followers -= 1
        if self.followers <= 0 and not self.done:
            self.abandoned = True
            self._task.cancel()

    async def follow(self) -> AsyncIterator[str]:
        """The chunks as they come (none if the worker computes the whole at once or finds it stored)."""
        i = 0
        while True:
            if i < len(self.chunks):
                i += 1
                yield self.chunks[i - 1]
                continue
            if self.done:
                return
            await self._changed.wait()

    async def outcome(self) -> list[RunResult]:
        """The whole runs; raises Cancelled when the computation was cancelled or failed."""
        while not self.done:
            await self._changed.wait()
        if self.results is None:
            raise self.error if isinstance(self.error, Exception) else Cancelled()
        return self.results
