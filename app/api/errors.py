"""422 answers that name the field and never echo a value JSON cannot carry (NaN, ±Inf)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": [describe(e) for e in exc.errors()]})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
