"""Two HTTP details the framework leaves out: HEAD wherever GET works, and a quiet end for a client
that leaves in the middle of a response.

FastAPI routes declared for GET answer HEAD with 405 (while ``Allow`` lists HEAD); static files
answer HEAD themselves. ``HeadMiddleware`` lets HEAD through as it is and, only when the answer is
405, asks again as GET and sends the head of that answer without its body; for an event stream
it ends the response after the head, which stops the stream as a client leaving would.

A client that goes away while its response streams makes the ASGI stack raise (the event-stream
machinery's memory streams break, ``send`` fails) after the response has started: nothing is wrong
and nothing can be answered any more, so :func:`client_left` tells those errors apart, and the
security middleware logs one DEBUG line instead of uvicorn's ERROR traceback.
"""

from __future__ import annotations

import anyio
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_GONE = (ClientDisconnect, OSError, anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream)


def client_left(exc: BaseException) -> bool:
    """An error that only says the peer has gone (alone or as every member of an exception group)."""
    if isinstance(exc, BaseExceptionGroup):
        return all(client_left(inner) for inner in exc.exceptions)
    return isinstance(exc, _GONE)


class HeadSent(OSError):
    """Raised from ``send`` once a HEAD answer's head is out: the app's body is not wanted."""


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        refused = False

        async def send_unless_405(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 405:
                refused = True
            if not refused:
                await send(message)

        await self.app(scope, receive, send_unless_405)
        if refused:
            await self._as_get(scope, receive, send)

    async def _as_get(self, scope: Scope, receive: Receive, send: Send) -> None:
        done = False

        async def head_only(message: Message) -> None:
            nonlocal done
            if done:
                raise HeadSent("the head of a HEAD answer is sent; its body is not wanted")
            if message["type"] == "http.response.start":
                await send(message)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                done = True

        async def gone_after_head() -> Message:
            return {"type": "http.disconnect"} if done else await receive()

        try:
            await self.app({**scope, "method": "GET"}, gone_after_head, head_only)
        except Exception as exc:
            if not (done and client_left(exc)):
                raise
