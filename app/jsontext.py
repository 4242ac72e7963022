"""JSON text written once and embedded as it is wherever it goes.

A sweep's cells are tens of thousands of numbers that travel three ways (the event stream, the run
history, ``GET /api/sweeps/{id}``). Each block of them is written once, in the worker process that
computed it, and every later writer copies the bytes instead of walking the numbers again.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import orjson


class JsonText:
    """The JSON text of a value. Every ``null`` in it is a missing value: a None, or a NaN or an
    infinity written as orjson writes them."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text

    @classmethod
    def of(cls, value: Any) -> JsonText:
        """orjson's text of ``value`` (numpy arrays included, except those of dtype object)."""
        return cls(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))

    def value(self) -> Any:
        return orjson.loads(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonText) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"JsonText({self.text[:60]!r}{'…' if len(self.text) > 60 else ''})"


def embed(value: Any) -> Any:
    """orjson's ``default``: a ``JsonText`` goes in as its text."""
    if isinstance(value, JsonText):
        return orjson.Fragment(value.text)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def plain(value: Any) -> Any:
    """The standard library's ``default``: a ``JsonText`` as its value, numpy as lists."""
    if isinstance(value, JsonText):
        return json.loads(value.text)
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """orjson's text of ``value``, with every ``JsonText`` in it embedded."""
    return orjson.dumps(value, default=embed)
