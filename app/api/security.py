"""Security basics: response headers, a request body cap, CORS (closed unless configured), the
Host/Origin checks and the owner cookie (app/api/access.py), HEAD (app/api/protocol.py), and the
counters behind the per-client caps: open event streams per address, one-shot computations per owner.

``install(app, settings)`` wires all of it; routers that stream take ``StreamSlot``, routers that
compute in the request ``ComputeSlot`` (app/api/deps.py).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import docs
from app.api.access import AccessMiddleware
from app.api.protocol import HeadMiddleware, client_left
from app.config import Settings

log = logging.getLogger(__name__)

# Checked in headless Chromium with Plotly.newPlot and Plotly.toImage (tests/e2e/test_csp.py repeats it):
# - plotly.js injects a <style> element at load time and writes style attributes, which `style-src 'self'`
#   refuses (style-src-attr alone is not enough: the <style> element needs style-src-elem too), so styles
#   also allow 'unsafe-inline';
# - heatmaps (and contours coloured as heatmaps) are drawn as data: PNG <image>s, and Plotly.toImage
#   (PNG/SVG download) goes through a blob: image, so img-src adds data: and blob:.
# Scripts stay 'self' only: no inline scripts, no eval.
CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# /docs (app/api/docs.py) starts Swagger UI with an inline script; its assets come from this
# server. It shows no user content; it alone gets this wider policy.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: an HTTPException so FastAPI's body reader re-raises it unchanged (→ 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")


class _HeadedSend:
    """``send`` with the security headers added to the response's start; knows whether it started."""

    def __init__(self, scope: Scope, send: Send, csp: str) -> None:
        self.scope, self.send, self.csp = scope, send, csp
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = MutableHeaders(scope=message)
            if message["status"] == 405:
                _complete_allow(self.scope, headers)
            headers.setdefault("Content-Security-Policy", self.csp)
            for name, value in SECURITY_HEADERS.items():
                headers.setdefault(name, value)
        await self.send(message)


def _counted(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises BodyTooLarge as soon as the body received passes ``limit`` bytes."""
    received = 0

    async def counted_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return counted_receive


class SecurityMiddleware:
    """Pure ASGI (streams pass through untouched): adds the headers and caps request bodies.

    The cap holds for a declared Content-Length (refused before the app runs) and for the bytes
    actually received (a chunked body is cut off as soon as it passes the limit).
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, docs_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headed = _HeadedSend(scope, send, DOCS_CSP if scope["path"] in self.docs_paths else CSP)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(headed)
            return
        try:
            await self.app(scope, _counted(receive, self.max_body_bytes), headed)
        except BodyTooLarge:
            if headed.started:  # nothing sensible left to say: the response is already under way
                raise
            await self._refuse(headed)
        except Exception as exc:
            if not (headed.started and client_left(exc)):
                raise
            log.debug("%s %s: the client left before the response ended", scope["method"], scope["path"])

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse({"detail": f"request body exceeds the limit of {self.max_body_bytes} bytes"}, 413)
        await response({"type": "http"}, _no_body, send)


def _complete_allow(scope: Scope, headers: MutableHeaders) -> None:
    """A 405 lists only the methods of the first route that matched the path; list every method the
    API documents for it (GET /api/runs/{id} and DELETE /api/runs/{id} are two routes)."""
    app = scope.get("app")
    if not isinstance(app, FastAPI):
        return
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if re.fullmatch(_path_pattern(template), scope["path"]):
            methods |= {m.upper() for m in operations if m.upper() in _HTTP_METHODS}
    if methods:
        headers["Allow"] = ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))


_HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}


def _path_pattern(template: str) -> str:
    """'/api/runs/{run_id}' → a regex for concrete paths ('{p:path}' spans slashes)."""
    parts = re.split(r"(\{[^}]*\})", template)
    return "".join(
        (".+" if part.endswith(":path}") else "[^/]+") if part.startswith("{") else re.escape(part) for part in parts
    )


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class SlotLimiter:
    """At most ``per_client`` things at once per key (a client address, an owner); a lock because
    sync dependencies run in the thread pool."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> bool:
        with self._lock:
            if self._open.get(client, 0) >= self.per_client:
                return False
            self._open[client] = self._open.get(client, 0) + 1
            return True

    def release(self, client: str) -> None:
        with self._lock:
            left = self._open.get(client, 0) - 1
            if left > 0:
                self._open[client] = left
            else:
                self._open.pop(client, None)

    def open_streams(self, client: str | None = None) -> int:
        with self._lock:
            return sum(self._open.values()) if client is None else self._open.get(client, 0)


def client_key(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers so this is the real client)."""
    return request.client.host if request.client else "unknown"


_DETAIL = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
}
BODY_RESPONSES: dict[str, dict[str, Any]] = {
    "400": {"description": "the body could not be read at all (not UTF-8, broken multipart)", "content": _DETAIL},
    "413": {"description": "the body is larger than max_body_bytes", "content": _DETAIL},
}


def _document_body_errors(app: FastAPI) -> None:
    """Every operation that takes a body can also answer 400 (FastAPI/Starlette, unreadable body) and
    413 (this module's cap): say so in the OpenAPI document, once, for every router."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for item in build().get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        responses = operation.setdefault("responses", {})
                        for status, response in BODY_RESPONSES.items():
                            responses.setdefault(status, response)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, settings: Settings) -> None:
    """From the outside in: the security middleware (so every answer, static files, 404s, 400s, 403s,
    413s and CORS preflights included, carries the headers), HEAD, the Host/Origin checks and the
    owner cookie, then CORS (only when origins are configured)."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Last-Event-ID", "Authorization"],
            allow_credentials=True,
        )
    token = settings.admin_token.get_secret_value() if settings.admin_token is not None else None
    app.add_middleware(
        AccessMiddleware, allowed_hosts=settings.allowed_hosts, cors_origins=settings.cors_origins, admin_token=token
    )
    app.add_middleware(HeadMiddleware)
    app.add_middleware(SecurityMiddleware, max_body_bytes=settings.max_body_bytes, docs_paths=docs.DOCS_PATHS)
    app.state.stream_limiter = SlotLimiter(settings.max_streams_per_client)
    app.state.compute_limiter = SlotLimiter(settings.max_compute_per_client)
    _document_body_errors(app)
