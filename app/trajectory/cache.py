"""A 2D request, canonicalised and hashed, and a bounded in-memory cache of finished comparisons.

A comparison is deterministic (SGD's noise is seeded), so the filled-in request (defaults
applied, numbers as floats, a custom expression in one spelling) names its result: its SHA-256
digest is the cache key, shared by everyone. The history keeps one record per distinct request,
whoever asks (owned by the first to ask), under a run id derived from the digest: a repeat finds
its record by id, and gets the same run id.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from app.trajectory.comparison import RunConfig, RunResult

# Part of every digest: bump it when a change makes the same request produce other numbers, so
# no earlier record answers for the new code.
ENGINE_VERSION = 2


def canonical_expression(text: str | None) -> str | None:
    """One spelling per expression: '0.1*x1**2' and ' 0.1 * x1 ** 2' hash alike."""
    return None if text is None else ast.unparse(ast.parse(text.strip(), mode="eval"))


def canonical(
    *,
    function: str,
    expression: str | None,
    start: Sequence[float],
    box: Sequence[float],
    steps: int,
    seed: int,
    runs: Sequence[RunConfig],
) -> dict[str, Any]:
    return {
        "engine": ENGINE_VERSION,
        "function": function,
        "expression": canonical_expression(expression),
        "start": [float(v) for v in start],
        "box": [float(v) for v in box],
        "steps": int(steps),
        "seed": int(seed),
        "runs": [
            {"optimizer": r.optimizer, "impl": r.impl, "hyperparams": {k: float(v) for k, v in r.hyperparams.items()}}
            for r in runs
        ],
    }


def digest(request: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()


def run_id(key: str) -> str:
    """The record's id for this request (12 hex digits, like every run id).

    One record per distinct request, whoever asks: a class opening the same page shares one record,
    owned by whoever asked first (others may read it, not delete it)."""
    return key[:12]


@dataclass
class Entry:
    results: list[RunResult]

    @property
    def nbytes(self) -> int:
        return sum(
            r.points.nbytes + r.values.nbytes + r.lr_eff.nbytes + sum(s.nbytes for s in r.state.values())
            for r in self.results
        )


class ResultCache:
    """Least recently used entries, bounded by the bytes of their arrays (0 turns it off)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: Entry) -> None:
        size = entry.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.nbytes

    def forget(self, key: str) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}
