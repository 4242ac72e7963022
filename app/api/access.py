"""Who is asking, and from where: the Host and Origin checks, the owner cookie, the teacher's token.

There are no accounts. Each browser gets a random owner id in the cookie ``optlab_owner`` on the
first response that lacks it (API clients keep it like any cookie); what it creates records that
id, and only that owner, or the teacher with ``Authorization: Bearer <OPTLAB_ADMIN_TOKEN>``, may
cancel, delete or pin it. Reading stays open, so a run's link can be shared. The owner id is never
shown back (the API says ``mine: true``), so nobody can borrow someone else's.

Two checks guard a server that a browser can reach: a ``Host`` this server does not answer to is a
400 (a page on another name that resolves to it, DNS rebinding, gets nothing), and a state-changing
request whose ``Origin`` is neither this server's nor a configured one is a 403 (a form on another
site cannot post here with the student's cookie).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OWNER_COOKIE = "optlab_owner"
OWNER_MAX_AGE = 400 * 24 * 3600  # browsers cap a cookie's lifetime at 400 days
_OWNER_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Caller:
    """The owner behind a request, and whether it carries the teacher's token."""

    owner: str
    admin: bool = False
    loopback: bool = False
    token_refused: bool = False  # a bearer token came, but not the admin's

    def owns(self, owner: str | None) -> bool:
        return owner is not None and bool(self.owner) and hmac.compare_digest(owner.encode(), self.owner.encode())

    def may_change(self, owner: str | None) -> bool:
        """The owner of a thing, or the admin; a thing without an owner (from before owners) is the admin's."""
        return self.admin or self.owns(owner)

    def refusal(self, what: str) -> str:
        """The 403 message for changing ``what`` (e.g. "cancel job 'x'") that belongs to someone else."""
        hint = (
            "the admin token sent does not match OPTLAB_ADMIN_TOKEN"
            if self.token_refused
            else "only its owner (the browser that made it) or the teacher's admin token may"
        )
        return f"you may not {what}: it belongs to another user; {hint}"


def caller_of(request: Request) -> Caller:
    caller = request.scope.get("state", {}).get("caller")
    if isinstance(caller, Caller):
        return caller
    return Caller(owner="", loopback=is_loopback(request.scope))  # an app without the middleware (tests of parts)


def is_loopback(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


class HostPatterns:
    """``OPTLAB_ALLOWED_HOSTS``: exact names, ``*`` (any), ``*.example.org`` (its subdomains); ports ignored."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.any = "*" in patterns
        self.exact = {p.lower().strip("[]") for p in patterns if not p.startswith("*")}
        self.suffixes = tuple(p.lower()[1:] for p in patterns if p.startswith("*.") and len(p) > 2)

    def allows(self, host_header: str) -> bool:
        if self.any:
            return True
        name = _hostname(host_header)
        return name is not None and (name in self.exact or name.endswith(self.suffixes))


def _hostname(host_header: str) -> str | None:
    try:
        parts = urlsplit("//" + host_header)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    return parts.hostname or None


def same_origin(origin: str, host_header: str) -> bool:
    """Does the browser's ``Origin`` name the server the request reached (``Host``)?

    Only name and port are compared: behind a TLS proxy the app may see http while the page is
    https. A Host without a port (a proxy that drops it) matches the origin's name on any port.
    """
    try:
        page, server = urlsplit(origin), urlsplit("//" + host_header)
        page_port, server_port = page.port, server.port
    except ValueError:
        return False
    if page.scheme not in _DEFAULT_PORTS or not page.hostname or page.hostname != server.hostname:
        return False
    return server_port is None or server_port == (page_port or _DEFAULT_PORTS[page.scheme])


class AccessMiddleware:
    """Pure ASGI: checks Host and Origin, identifies the caller, gives a new browser its owner cookie."""

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: Sequence[str], cors_origins: Sequence[str], admin_token: str | None
    ) -> None:
        self.app = app
        self.hosts = HostPatterns(allowed_hosts)
        self.origins = frozenset(o.rstrip("/") for o in cors_origins)
        self.admin_token = admin_token.encode() if admin_token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not self.hosts.allows(host):
            shown = host[:100] or "(none)"
            detail = (
                f"this server does not answer to the host '{shown}'; its operator lists names in OPTLAB_ALLOWED_HOSTS"
            )
            await JSONResponse({"detail": detail}, 400)(scope, receive, send)
            return
        origin = headers.get("origin")
        if scope["method"] not in SAFE_METHODS and origin is not None and not self._origin_allowed(origin, host):
            detail = (
                f"requests that change something must come from this server's own pages; the origin "
                f"'{origin[:100]}' is not this server's and not in OPTLAB_CORS_ORIGINS"
            )
            await JSONResponse({"detail": detail}, 403)(scope, receive, send)
            return
        owner = cookie_parser(headers.get("cookie", "")).get(OWNER_COOKIE, "")
        fresh = _OWNER_ID.fullmatch(owner) is None
        if fresh:
            owner = secrets.token_urlsafe(18)
        admin, refused = self._token(headers.get("authorization", ""))
        caller = Caller(owner=owner, admin=admin, loopback=is_loopback(scope), token_refused=refused)
        scope.setdefault("state", {})["caller"] = caller
        if not fresh:
            await self.app(scope, receive, send)
            return
        cookie = _owner_cookie(owner, secure=scope.get("scheme") == "https")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _origin_allowed(self, origin: str, host: str) -> bool:
        return origin.rstrip("/") in self.origins or same_origin(origin, host)

    def _token(self, authorization: str) -> tuple[bool, bool]:
        """(admin, refused) for an ``Authorization`` header."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False, False
        if self.admin_token is None:
            return False, True
        ok = hmac.compare_digest(token.strip().encode(), self.admin_token)
        return ok, not ok


def _owner_cookie(owner: str, secure: bool) -> str:
    flags = f"Max-Age={OWNER_MAX_AGE}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
    return f"{OWNER_COOKIE}={owner}; {flags}"
