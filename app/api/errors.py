"""The API's error bodies, made in one place.

- 422: ``{"detail": [{"loc", "field", "msg", "type", "ctx"?}, ...]}``, one item per refused field, the
  message prefixed with the field's name, never echoing a value JSON cannot carry (NaN, ±Inf); from
  pydantic's validation and from a service's ``Refused``. The message after the field's name is in
  the language of ``Accept-Language`` (English unless it asks for Chinese); field names, types and
  ctx stay as they are;
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
from app.i18n import N_, Gettext, Text, choose, gettext_for
from app.validation import Refused

# Validators on a whole mapping (hyper-parameters) name the offending key in ctx["name"].
_KEYED_ERRORS = {"hyperparam"}

# pydantic's own messages that a JSON body or a query can meet, by error type, as pydantic words them
# (tests/api/test_i18n.py holds them to pydantic_core's templates); translated like ours.
PYDANTIC_MESSAGES = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "json_invalid": N_("Invalid JSON: {error}"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "model_attributes_type": N_("Input should be a valid dictionary or object to extract fields from"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "multiple_of": N_("Input should be a multiple of {multiple_of}"),
    "finite_number": N_("Input should be a finite number"),
    "too_short": N_(
        "{field_type} should have at least {min_length} item{expected_plural} after validation, not {actual_length}"
    ),
    "too_long": N_(
        "{field_type} should have at most {max_length} item{expected_plural} after validation, not {actual_length}"
    ),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least {min_length} character{expected_plural}"),
    "string_too_long": N_("String should have at most {max_length} character{expected_plural}"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "enum": N_("Input should be {expected}"),
    "literal_error": N_("Input should be {expected}"),
    "dict_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_parsing_size": N_("Unable to parse input string as an integer, exceeded maximum size"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "union_tag_invalid": N_(
        "Input tag '{tag}' found using {discriminator} does not match any of the expected tags: {expected_tags}"
    ),
    "union_tag_not_found": N_("Unable to extract tag using discriminator {discriminator}"),
}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a Text too: ctx keeps the English


def field_path(loc: Sequence[str | int]) -> str:
    """('body', 'runs', 0, 'hyperparams', 'eta') → 'runs[0].hyperparams.eta'."""
    path = ""
    for part in loc[1:] if loc and loc[0] in {"body", "query", "path", "header"} else loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def request_lang(request: Request) -> str:
    """The answer's language: a page's ``?lang=`` (the switch in the header), else ``Accept-Language``."""
    return choose(request.query_params.get("lang"), request.headers.get("accept-language"))


def _english(message: str) -> str:
    return message


def human_message(error: dict[str, Any], gettext: Gettext = _english, text: str | Text | None = None) -> str:
    """What is wrong, in the language of ``gettext``: a ``Text`` of ours (given, or ctx["message"])
    or one of pydantic's messages; anything else (never marked) as it was written."""
    ctx = error.get("ctx") or {}
    message = text if text is not None else ctx.get("message")
    if isinstance(message, Text):
        return message.render(gettext)
    template = PYDANTIC_MESSAGES.get(str(error.get("type")))
    if template is not None and gettext is not _english:
        values = {key: str(value) for key, value in ctx.items()}
        if "expected" in values:  # "'book' or 'torch'": pydantic's own "or"
            values["expected"] = values["expected"].replace(" or ", gettext(" or "))
        try:
            return gettext(template).format(**values)
        except (KeyError, IndexError, ValueError):
            pass
    return str(message if message is not None else error.get("msg", "invalid"))


def describe(error: dict[str, Any], gettext: Gettext = _english, text: str | Text | None = None) -> dict[str, Any]:
    loc = list(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    if error.get("type") in _KEYED_ERRORS and "name" in ctx:
        loc.append(ctx["name"])
    field = "body" if error.get("type") == "json_invalid" else field_path(loc)
    human = human_message(error, gettext, text) if (text is not None or gettext is not _english) else None
    msg = f"{field}: {human if human is not None else error.get('msg', 'invalid')}"
    out = {"loc": loc, "field": field, "msg": msg, "type": error.get("type")}
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


def _refused_items(exc: Refused, gettext: Gettext) -> list[dict[str, Any]]:
    return [
        describe({"type": p.type, "loc": _location(p.field), "msg": str(p.message), "ctx": p.ctx}, gettext, p.message)
        for p in exc.problems
    ]


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    gettext = gettext_for(request_lang(request))
    return JSONResponse(status_code=422, content={"detail": [describe(e, gettext) for e in exc.errors()]})


async def refused_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return JSONResponse(status_code=422, content={"detail": _refused_items(exc, gettext_for(request_lang(request)))})


async def store_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    """The run history cannot be read or written: 503, saying why (read-only, corrupt, disk full...)."""
    return JSONResponse(status_code=503, content={"detail": str(exc)}, headers={"Retry-After": "30"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(Refused, refused_handler)
    app.add_exception_handler(StoreUnavailable, store_unavailable_handler)
