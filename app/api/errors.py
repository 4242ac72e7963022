"""The API's error bodies, made in one place.

- 422: ``{"detail": [{"loc", "field", "msg", "type", "ctx"?}, ...]}``, one item per refused field, the
  message prefixed with the field's name, never echoing a value JSON cannot carry (NaN, ±Inf); from
  pydantic's validation and from a service's ``Refused``;
- 403, 404, 409, 503: ``{"detail": "<message>"}`` (503: the run history cannot be read or written);
- 429: the same, with ``Retry-After`` (seconds) in the headers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.history.database import StoreUnavailable
from app.validation import Refused

# Validators on a whole mapping (hyper-parameters) name the offending key in ctx["name"].
_KEYED_ERRORS = {"hyperparam"}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def field_path(loc: Sequence[str | int]) -> str:
    """('body', 'runs', 0, 'hyperparams', 'eta') → 'runs[0].hyperparams.eta'."""
    path = ""
    for part in loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def describe(error: dict[str, Any]) -> dict[str, Any]:
    loc = list(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    if error.get("type") in _KEYED_ERRORS and "name" in ctx:
        loc.append(ctx["name"])
    field = "body" if error.get("type") == "json_invalid" else field_path(loc)
    out = {"loc": loc, "field": field, "msg": f"{field}: {error.get('msg', 'invalid')}", "type": error.get("type")}
    if ctx:
        out["ctx"] = _json_safe(ctx)
    return out


def field_error(field: str, message: str, location: str = "body", kind: str = "value_error") -> HTTPException:
    """A 422 naming one field, for a check a router makes on a query or path parameter."""
    item = {"loc": [location, *field.split(".")], "field": field, "msg": f"{field}: {message}", "type": kind}
    return HTTPException(422, [item])


def refused(status: int, message: str) -> HTTPException:
    """403, 404, 409, 503: one sentence that says what is wrong."""
    return HTTPException(status, message)


def too_many(message: str, retry_after: int) -> HTTPException:
    """429 with the seconds to wait."""
    return HTTPException(429, message, headers={"Retry-After": str(retry_after)})


DETAIL = {
    "application/json": {
        "schema": {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
    }
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "it belongs to another user (only its owner or the admin token may)", "content": DETAIL}
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "too many concurrent streams from this client; see Retry-After",
        "content": DETAIL,
        "headers": RETRY_AFTER,
    },
}
COMPUTE_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "this user already has max_compute_per_client computations running; see Retry-After",
        "content": DETAIL,
        "headers": RETRY_AFTER,
    },
}


def _location(field: str) -> list[str | int]:
    """'runs[0].hyperparams.eta' → ['body', 'runs', 0, 'hyperparams', 'eta'] (the inverse of field_path)."""
    parts = field.replace("[", ".").replace("]", "").split(".")
    return ["body", *(int(part) if part.isdigit() else part for part in parts if part)]


def _refused_items(exc: Refused) -> list[dict[str, Any]]:
    return [describe({"type": p.type, "loc": _location(p.field), "msg": p.message, "ctx": p.ctx}) for p in exc.problems]


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": [describe(e) for e in exc.errors()]})


async def refused_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return JSONResponse(status_code=422, content={"detail": _refused_items(exc)})


async def store_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    """The run history cannot be read or written: 503, saying why (read-only, corrupt, disk full...)."""
    return JSONResponse(status_code=503, content={"detail": str(exc)}, headers={"Retry-After": "30"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(Refused, refused_handler)
    app.add_exception_handler(StoreUnavailable, store_unavailable_handler)
