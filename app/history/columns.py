"""The JSON text of a record's columns (config, series, summary, timings).

orjson writes a 10,000-step comparison's series in about 4 ms, the standard library in about 70
(and the lists of lists it needs first cost as much again): the store uses orjson wherever what
reads back is the same, and the standard library where it is not.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from app.jsontext import JsonText, embed, plain

# Dataclasses and datetimes go to the standard library too, which refuses them as it always has.
_ORJSON = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def column_json(value: Any) -> str:
    """The JSON text of a column, reading back (``json.loads``) to the values the standard library's
    text would: every double as the shortest text of the same double.

    orjson writes NaN and ±inf as ``null`` (they would read back as None, and a diverged training
    run's losses hold them): text with a ``null`` that is not a None of the value, and whatever
    orjson refuses (keys that are not strings, integers past 64 bits), is written by the standard
    library instead, which keeps them as ``NaN`` and ``Infinity``. Arrays of float64 (a
    comparison's series) are written as lists of their numbers, without building those lists
    first (float32 ones would come out as the shortest text of each float32, not of its double:
    convert them first).

    A ``JsonText`` (a sweep's cells) goes in as its text, whose every ``null`` is a missing value by
    its definition: the count is made on a probe that holds each one as a ``0``, so a megabyte of
    cells is copied and never searched."""
    texts: list[JsonText] = []

    def stub(obj: Any) -> Any:
        if isinstance(obj, JsonText):
            texts.append(obj)
            return 0
        return embed(obj)

    try:
        text = orjson.dumps(value, default=stub, option=_ORJSON)
    except TypeError:
        return json.dumps(value, default=plain)
    if b"null" in text and text.count(b"null") != _nones(value):
        return json.dumps(value, default=plain)
    if texts:
        text = orjson.dumps(value, default=embed, option=_ORJSON)
    return text.decode()


_CONTAINERS = (list, tuple, dict)


def _nones(value: Any) -> int:
    """How many None the value holds: each is one ``null`` in orjson's text, so a text with more
    ``null`` than that wrote a NaN or an inf as one (or holds the word in a string: the standard
    library then writes it, which is only slower). Lists are counted in C (``count``, ``map``); a
    ``JsonText`` is not looked into (it is a ``0`` in the probe)."""
    if value is None:
        return 1
    if isinstance(value, dict):
        return sum(_nones(v) for v in value.values())
    if isinstance(value, list | tuple):
        n = value.count(None)
        if any(kind in _CONTAINERS for kind in set(map(type, value))):
            n += sum(_nones(v) for v in value if isinstance(v, _CONTAINERS))
        return n
    return 0
