"""The 2D service: a request → its plan → the cache, the history or the worker pool → the answer.

Used by the router for ``POST /api/trajectories`` (:meth:`TrajectoryService.answer`: the JSON body
as bytes) and ``POST /api/trajectories/stream`` (:meth:`TrajectoryService.stream`: events). A
request is answered, in this order, from the in-memory cache, from the identical request being
computed right now (a :class:`~app.trajectory.flight.Flight`), or by a worker process, which
looks in the history first (the record under the request's run id) and else computes. The history
keeps one record per distinct request: a one-shot stores before it answers, a stream once its
client has every step; a client that goes away stores nothing, and its computation stops as soon
as nobody else follows it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from anyio import to_thread

from app.schemas.trajectories import TrajectoryRequest
from app.trajectory import cache, work
from app.trajectory.answers import Event, Prepared, answer_json, done_json, meta_json, prepare
from app.trajectory.comparison import RunResult, replay
from app.trajectory.flight import Flight
from app.trajectory.pool import WorkerPool
from app.trajectory.work import History
from app.validation import FieldProblem, Refused

# Below this many run-steps (on floats, built-in functions) a comparison takes less time than
# sending it to a worker and back (~0.5 ms): it is looked up and computed here, and written to the
# history from a thread (a write may wait for another one; the event loop must not).
INLINE_RUN_STEPS = 500
HELD_IDS = 100_000  # run ids remembered as stored (each saves a look at the history on a repeat)
T = TypeVar("T")


class ClientGone(Exception):
    """The client disconnected before its answer was ready."""


class TrajectoryService:
    def __init__(self, *, history: History, pool: WorkerPool, cache_bytes: int, max_response_points: int) -> None:
        self.history, self.pool = history, pool
        self.cache = cache.ResultCache(cache_bytes)
        self.max_response_points = max_response_points
        self.open_streams = 0
        self.computed = 0  # comparisons computed (or looked up in the history) since start-up
        self._flights: dict[str, Flight] = {}
        self._saving: dict[str, asyncio.Future[str | None]] = {}  # run id → its write
        self._held: OrderedDict[str, None] = OrderedDict()  # run ids the history holds, as far as known

    def check_points(self, req: TrajectoryRequest) -> None:
        """One JSON answer carries every point: bound it (a stream sends chunks and has no such bound)."""
        limit = self.max_response_points
        if req.steps * len(req.runs) > limit:
            msg = (
                f"{req.steps} steps × {len(req.runs)} runs exceed the {limit:,} points one response may carry; "
                "use fewer steps or runs, or POST /api/trajectories/stream"
            )
            raise Refused([FieldProblem("steps", msg, type="too_many_points", ctx={"limit": limit})])

    async def answer(
        self, req: TrajectoryRequest, gone: asyncio.Event | None = None, owner: str | None = None, *, store: bool = True
    ) -> bytes:
        """The whole comparison as the JSON body of a TrajectoryResponse; ClientGone if the client left.

        ``store=False`` (a preview) answers with ``run_id`` null and keeps nothing in the history."""
        self.check_points(req)
        p = prepare(req, self.history, owner)
        entry, known = self.cache.get(p.key), True
        if entry is None and _small(p):
            entry, known = self._here(p), False
        if entry is None:
            flight = self._flight(p, whole=True)
            flight.join()
            try:
                await _unless_gone(flight.outcome(), gone)
            finally:
                flight.leave()
            entry, known = self._entry(p, flight), False
        if not store:
            return answer_json(p, entry, None, stored=False)
        return answer_json(p, entry, await self.stored(p, entry, verify=known))

    def stream(self, req: TrajectoryRequest, owner: str | None = None) -> ComparisonStream:
        return ComparisonStream(self, prepare(req, self.history, owner))

    def stats(self) -> dict[str, int]:
        return {**self.pool.stats(), **self.cache.stats(), "computed": self.computed}

    # --- flights, storing ------------------------------------------------------------------

    def _flight(self, p: Prepared, *, whole: bool) -> Flight:
        flight = self._flights.get(p.key)
        if flight is None or flight.done or flight.abandoned:  # a request arriving just after the last left
            flight = Flight(self.pool, p.plan, p.dest, whole=whole, landed=lambda f: self._land(p, f))
            self.computed += 1
            self._flights[p.key] = flight
        return flight

    def _land(self, p: Prepared, flight: Flight) -> None:
        if self._flights.get(p.key) is flight:
            del self._flights[p.key]
        if flight.results is not None:
            self._entry(p, flight)

    def _entry(self, p: Prepared, flight: Flight) -> cache.Entry:
        """The finished flight's answer, cached (the same object for all of its followers)."""
        assert flight.results is not None
        if flight.stored:
            self._hold(flight.dest.run_id)
        entry = self.cache.get(p.key)
        if entry is None or entry.results is not flight.results:
            entry = self._put(p, flight.results)
        return entry

    def _here(self, p: Prepared) -> cache.Entry:
        """A small comparison, from the history or computed in this process (not stored yet)."""
        self.computed += 1
        found = work.lookup(p.dest)
        if found is not None:
            self._hold(p.dest.run_id)
            return self._put(p, found)
        return self._put(p, work.compute(work.InProcess(), p.plan, stream=False))

    def _put(self, p: Prepared, results: list[RunResult]) -> cache.Entry:
        entry = cache.Entry(results)
        self.cache.put(p.key, entry)
        return entry

    def _hold(self, run_id: str) -> None:
        self._held[run_id] = None
        self._held.move_to_end(run_id)
        while len(self._held) > HELD_IDS:
            self._held.popitem(last=False)

    async def stored(self, p: Prepared, entry: cache.Entry, seconds: float = 0.0, *, verify: bool) -> str | None:
        """Make sure the history holds this owner's record of the answer; why it cannot, or None.

        ``verify``: the answer came from the cache, and a record known to be stored may have gone
        since (deleted, pruned, the file lost): look, and store it again if so. One write at a time
        per record, however many requests ask.
        """
        run_id = p.dest.run_id
        if run_id in self._held:
            if not verify:
                return None
            problem = await self._run(p, work.check, p.dest)
            if problem is None:
                return None
            if problem != "missing":
                return str(problem)
            self._held.pop(run_id, None)
        saving = self._saving.get(run_id)
        if saving is None:
            saving = asyncio.ensure_future(self._run(p, work.save, p.dest, entry.results, seconds))
            self._saving[run_id] = saving
            saving.add_done_callback(lambda _: self._saving.pop(run_id, None))
        error: str | None = await asyncio.shield(saving)
        if error is None:
            self._hold(run_id)
        return error

    async def _run(self, p: Prepared, fn: Callable[..., Any], *args: Any) -> Any:
        """History work: from a thread for a small comparison (a write may wait on another; the
        event loop must not), else in a worker (a large record's JSON is work)."""
        if _small(p):
            return await to_thread.run_sync(fn, work.InProcess(), *args)
        return await self.pool.submit(fn, *args).result()


def _small(p: Prepared) -> bool:
    plan = p.plan
    floats = plan.problem.function != "custom" and all(run.impl == "book" for run in plan.runs)
    return floats and plan.steps * len(plan.runs) <= INLINE_RUN_STEPS


async def _unless_gone(work_: Awaitable[T], gone: asyncio.Event | None) -> T:
    """``work_``'s result, unless the client goes first (then ClientGone, and ``work_`` is dropped)."""
    result = asyncio.ensure_future(work_)
    if gone is None:
        return await result
    watcher = asyncio.ensure_future(gone.wait())
    try:
        done, _ = await asyncio.wait({result, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not result.done():
            result.cancel()
    if result not in done:
        raise ClientGone
    return result.result()


class ComparisonStream:
    """``meta``, then ``step`` events (every run, a chunk of steps each), then ``done``."""

    def __init__(self, service: TrajectoryService, prepared: Prepared) -> None:
        self.service, self.p = service, prepared
        self.flight: Flight | None = None
        self.closed = False
        self.began = time.perf_counter()
        service.open_streams += 1

    def close(self) -> None:
        """The response has ended (done, error or client gone): stop following the computation."""
        self._leave()
        if not self.closed:
            self.closed = True
            self.service.open_streams -= 1

    def _leave(self) -> None:
        if self.flight is not None:
            self.flight.leave()
            self.flight = None

    async def __aiter__(self) -> AsyncIterator[Event]:
        service, p = self.service, self.p
        try:
            yield Event("meta", 0, meta_json(p))
            seq = 0
            entry, known = service.cache.get(p.key), True
            if entry is None and _small(p):
                entry, known = service._here(p), False
            if entry is None:
                known = False
                flight = self.flight = service._flight(p, whole=False)
                flight.join()
                async for step in flight.follow():
                    seq += 1
                    yield Event("step", seq, step)
                await flight.outcome()
                self._leave()
                entry = service._entry(p, flight)
            if seq == 0:  # cached, stored, or computed whole for a one-shot: cut into the same chunks
                for seq, chunk in enumerate(replay(entry.results, p.plan.steps), start=1):
                    yield Event("step", seq, chunk.json())
            error = await service.stored(p, entry, time.perf_counter() - self.began, verify=known)
            yield Event("done", seq + 1, done_json(p, entry, error))
        finally:
            self.close()
