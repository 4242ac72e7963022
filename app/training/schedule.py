"""When a job steps and when it measures: shared by every run of a job, fixed by the seed.

The book reshuffles every epoch, takes minibatches in order (the last one may be short) and
records the full-data loss at the start and every 100 examples. Here a point is recorded after
each step that crosses a multiple of ``record_every`` examples (so any batch size gets points)
and after the last step; the interval grows past 100 only when a job would otherwise record
more than ``MAX_POINTS`` points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

BOOK_RECORD_EVERY = 100
MAX_POINTS = 2000


def record_interval(rows: int, epochs: int) -> int:
    """100 examples, or a multiple of 100 that keeps the curve within MAX_POINTS points."""
    total = rows * epochs
    return BOOK_RECORD_EVERY * max(1, math.ceil(total / (BOOK_RECORD_EVERY * MAX_POINTS)))


@dataclass(frozen=True, kw_only=True)
class Schedule:
    rows: int
    batch_size: int
    epochs: int
    record_every: int

    @classmethod
    def book(cls, *, rows: int, batch_size: int, epochs: int, record_every: int | None = None) -> Schedule:
        """The book's schedule: a point every 100 examples (or ``record_interval``), unless told otherwise."""
        every = record_interval(rows, epochs) if record_every is None else record_every
        return cls(rows=rows, batch_size=batch_size, epochs=epochs, record_every=every)

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(self.rows / self.batch_size)

    @property
    def steps(self) -> int:
        return self.epochs * self.batches_per_epoch

    def batches(self) -> list[tuple[int, int]]:
        """(start, size) of each minibatch within one shuffled epoch."""
        return [(i, min(self.batch_size, self.rows - i)) for i in range(0, self.rows, self.batch_size)]

    def records(self) -> list[bool]:
        """For each step of the job (all epochs), whether a point is recorded after it."""
        flags, seen = [], 0
        for _ in range(self.epochs):
            for _, size in self.batches():
                before, seen = seen, seen + size
                flags.append(seen // self.record_every > before // self.record_every)
        flags[-1] = True
        return flags

    @property
    def points(self) -> int:
        """Points per run: the start, then one per recorded step."""
        return 1 + sum(self.records())


def batch_orders(rows: int, epochs: int, generator: torch.Generator) -> list[Tensor]:
    """One permutation of the rows per epoch, drawn on the CPU so every device sees the same."""
    return [torch.randperm(rows, generator=generator) for _ in range(epochs)]
