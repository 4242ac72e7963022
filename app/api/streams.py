"""What the event streams of training jobs and sweeps share: where a client starts reading (after a
reconnect's Last-Event-ID, or ``?after=``) and the replay of an event log from there to its end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header, Query
from fastapi.sse import ServerSentEvent

from app import jsontext
from app.api.deps import Cleanup
from app.training.events import Subscription

RETRY_MS = 2000  # the EventSource reconnect delay we suggest, with the first event


class LoggedEvent(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


L = TypeVar("L", bound=LoggedEvent)
Encode = Callable[[LoggedEvent, int | None], ServerSentEvent]


async def start_after(
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=10**9)] = None,
    after: Annotated[int | None, Query(ge=0, le=10**9, description="start after this event id")] = None,
) -> int:
    """The id after which a subscriber starts: Last-Event-ID (a reconnect), else ?after=, else 0."""
    return last_event_id if last_event_id is not None else (after or 0)


StartAfter = Annotated[int, Depends(start_after)]


def as_json(event: LoggedEvent, retry: int | None) -> ServerSentEvent:
    """The event, its data written by FastAPI."""
    return ServerSentEvent(event=event.name, id=str(event.id), data=event.data, retry=retry)


def as_json_text(event: LoggedEvent, retry: int | None) -> ServerSentEvent:
    """The event, its data written by orjson with the JSON text in it embedded (a sweep's cells)."""
    data = jsontext.dumps(event.data).decode()
    return ServerSentEvent(event=event.name, id=str(event.id), raw_data=data, retry=retry)


async def replay(
    subscription: Subscription[L], cleanup: Cleanup, encode: Encode = as_json
) -> AsyncIterator[ServerSentEvent]:
    """The subscription's events from its cursor to the end of the log, then the stream ends."""
    cleanup.call(subscription.close)  # also when the client leaves while the stream is suspended
    try:
        retry: int | None = RETRY_MS
        while True:
            events, complete = subscription.take()
            for event in events:
                yield encode(event, retry)
                retry = None
            if complete:
                return
            await subscription.wait()
    finally:
        subscription.close()
