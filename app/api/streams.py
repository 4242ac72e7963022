"""Request-scoped clean-up for event streams: what a stream holds is released when its response ends.

FastAPI iterates a streaming endpoint's generator from a producer task. When the client goes away
that task is cancelled and the generator is left suspended wherever it was; it is closed only when
the garbage collector finds it, which can be much later: the cancelled task's exception keeps the
producer's frame (and with it the generator) in a reference cycle. Measured on 20 dropped trajectory
streams: one or two stayed suspended, holding their results, until a full collection.

So a stream must not rely on its generator being finalised. ``StreamCleanup`` is a dependency with
``yield``: FastAPI runs its exit once the response is over, however it ended (done, error, client
gone), after the producer task has stopped. The stream hands it generators to close (``hold``) and
callbacks to run (``call``), e.g. dropping a job subscription.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Generator
from typing import Annotated, Any, TypeVar

from fastapi import Depends

log = logging.getLogger(__name__)

G = TypeVar("G", bound=Generator[Any, Any, Any])


class Cleanup:
    def __init__(self) -> None:
        self._generators: list[Generator[Any, Any, Any]] = []
        self._callbacks: list[Callable[[], None]] = []

    def hold(self, generator: G) -> G:
        """Close ``generator`` when the response ends (a no-op if it has finished by then)."""
        self._generators.append(generator)
        return generator

    def call(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the response ends (it must be safe to run twice)."""
        self._callbacks.append(callback)

    def run(self) -> None:
        for callback in reversed(self._callbacks):
            try:
                callback()
            except Exception:
                log.exception("stream clean-up callback failed")
        for generator in reversed(self._generators):
            # The producer has stopped, so the generator is suspended, not running; should it be
            # running after all (ValueError), the garbage collector closes it instead.
            try:
                generator.close()
            except ValueError:
                pass
            except Exception:
                log.exception("closing a stream's generator failed")


async def stream_cleanup() -> AsyncIterator[Cleanup]:
    cleanup = Cleanup()
    try:
        yield cleanup
    finally:
        cleanup.run()


StreamCleanup = Annotated[Cleanup, Depends(stream_cleanup)]
