"""A comparison: several runs on one 2D function, advanced together chunk by chunk, in float64.

Runs of the same optimizer and implementation share one :class:`~app.trajectory.runner.Batch`
(a row each); every batch takes the same chunk of steps before the next chunk starts, so the
one-shot answer and the live stream come from the same code. A :class:`Plan` is everything a
worker process needs to compute a comparison (plain data, picklable); chunks carry numpy arrays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from app.optim.expression import custom_objective
from app.optim.functions import Objective, get_objective
from app.optim.registry import get_optimizer
from app.trajectory.runner import Batch, Block

STREAM_CHUNK_STEPS = 50  # steps per stream event: what the page animates by
# Between looks at the cancel flag when nobody watches chunk by chunk: chunks sized to take about
# this long (a comparison of 8 torch.optim runs costs 100 times what one run on floats does).
CHUNK_SECONDS = 0.01


@dataclass(frozen=True)
class RunConfig:
    optimizer: str
    impl: str
    hyperparams: dict[str, float]  # complete: the defaults filled in


@dataclass(frozen=True)
class Problem:
    """The function a comparison runs on, as data: a built-in name, or 'custom' with its text."""

    function: str
    expression: str | None = None
    box: tuple[float, float, float, float] | None = None
    start: tuple[float, float] | None = None

    def objective(self) -> Objective:
        if self.function == "custom":
            return custom_objective(self.expression or "", box=self.box, start=self.start)
        return get_objective(self.function)


@dataclass(frozen=True)
class Plan:
    problem: Problem
    start: tuple[float, float]
    steps: int
    seed: int
    runs: tuple[RunConfig, ...]


@dataclass
class RunChunk:
    """Steps ``first``… of one run: points x_t, f(x_t), the rate used to reach x_t and the state after it."""

    points: np.ndarray  # n×2
    values: np.ndarray  # n
    lr_eff: np.ndarray  # n×2 (none for the start)
    state: dict[str, np.ndarray] = field(default_factory=dict)
    status: str = "ok"
    diverged_at: int | None = None

    def payload(self) -> dict[str, Any]:
        """The JSON shape of a stream event's run (numpy arrays: serialise with orjson's numpy option)."""
        return {
            "points": self.points,
            "values": self.values,
            "lr_eff": self.lr_eff,
            "state": self.state,
            "status": self.status,
            "diverged_at": self.diverged_at,
        }


@dataclass
class Chunk:
    first: int  # index of the first point in this chunk (0 holds the start)
    runs: list[RunChunk]

    def json(self) -> str:
        """A stream's ``step`` event, numbers as exact doubles (orjson, straight from the arrays)."""
        payload = {"first": self.first, "runs": [r.payload() for r in self.runs]}
        return orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY).decode()


@dataclass
class RunResult:
    """One run's whole path, from its chunks."""

    config: RunConfig
    points: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    values: np.ndarray = field(default_factory=lambda: np.empty(0))
    lr_eff: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    state: dict[str, np.ndarray] = field(default_factory=dict)
    status: str = "ok"
    diverged_at: int | None = None


def _groups(runs: Sequence[RunConfig]) -> list[list[int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for i, run in enumerate(runs):
        groups.setdefault((run.optimizer, run.impl), []).append(i)
    return list(groups.values())


def _run_chunk(block: Block, row: int, batch: Batch) -> RunChunk:
    kept = int(block.kept[row])
    diverged = int(batch.diverged_at[row])
    if 0 <= diverged < block.first:  # stopped before this chunk
        return RunChunk(np.empty((0, 2)), np.empty(0), np.empty((0, 2)), {}, "diverged", diverged)
    # The start has no rate or state; a step's rate and state go with the point it produced.
    return RunChunk(
        np.ascontiguousarray(block.points[row, :kept]),
        np.ascontiguousarray(block.values[row, :kept]),
        np.ascontiguousarray(block.lr[row, :kept]),
        {name: np.ascontiguousarray(s[row, :kept]) for name, s in block.state.items()},
        "diverged" if diverged >= 0 else "ok",
        diverged if diverged >= 0 else None,
    )


def run_chunks(
    objective: Objective,
    plan: Plan,
    chunk_steps: int | None = STREAM_CHUNK_STEPS,
    between: Callable[[], None] | None = None,
) -> Iterator[Chunk]:
    """Yield the start, then ``chunk_steps`` steps of every run at a time, in lockstep (None: as
    many as take about CHUNK_SECONDS). ``between`` is called before each chunk is computed (a
    worker raises from it to stop)."""
    groups = _groups(plan.runs)
    batches = []
    for members in groups:
        first = plan.runs[members[0]]
        spec = get_optimizer(first.optimizer)
        hp = {name: [plan.runs[i].hyperparams[name] for i in members] for name in first.hyperparams}
        starts = [plan.start] * len(members)
        batches.append(Batch(spec, objective, starts, hp, impl=first.impl, seed=plan.seed))
    yield _assemble(0, plan, groups, batches, [b.start() for b in batches])
    done, size = 0, chunk_steps or STREAM_CHUNK_STEPS
    while done < plan.steps:
        if between is not None:
            between()
        n = min(size, plan.steps - done)
        began = time.perf_counter()
        blocks = [b.advance(n) for b in batches]
        if chunk_steps is None:
            size = max(10, min(5000, int(n * CHUNK_SECONDS / max(time.perf_counter() - began, 1e-6))))
        yield _assemble(done + 1, plan, groups, batches, blocks)
        done += n


def _assemble(first: int, plan: Plan, groups: list[list[int]], batches: list[Batch], blocks: list[Block]) -> Chunk:
    runs: list[RunChunk | None] = [None] * len(plan.runs)
    for members, batch, block in zip(groups, batches, blocks, strict=True):
        for row, i in enumerate(members):
            runs[i] = _run_chunk(block, row, batch)
    return Chunk(first, [r for r in runs if r is not None])


def collect(configs: Sequence[RunConfig], chunks: Sequence[Chunk]) -> list[RunResult]:
    """Whole runs from their chunks, in order."""
    results = []
    for i, config in enumerate(configs):
        parts = [chunk.runs[i] for chunk in chunks]
        last = parts[-1]
        names = list(dict.fromkeys(name for part in parts for name in part.state))
        results.append(
            RunResult(
                config,
                np.concatenate([p.points for p in parts]),
                np.concatenate([p.values for p in parts]),
                np.concatenate([p.lr_eff for p in parts]),
                {name: np.concatenate([p.state[name] for p in parts if name in p.state]) for name in names},
                last.status,
                last.diverged_at,
            )
        )
    return results


def run_all(
    objective: Objective,
    start: Sequence[float],
    steps: int,
    configs: Sequence[RunConfig],
    seed: int = 0,
) -> list[RunResult]:
    """Every run's whole path (for callers in-process: tests, scripts)."""
    plan = Plan(Problem(objective.name), (float(start[0]), float(start[1])), steps, seed, tuple(configs))
    return collect(configs, list(run_chunks(objective, plan, chunk_steps=None)))


def replay(results: Sequence[RunResult], steps: int, chunk_steps: int = STREAM_CHUNK_STEPS) -> Iterator[Chunk]:
    """The chunks :func:`run_chunks` yields for these runs, cut from their whole paths."""
    yield Chunk(0, [_slice(r, 0, 1) for r in results])
    done = 0
    while done < steps:
        n = min(chunk_steps, steps - done)
        yield Chunk(done + 1, [_slice(r, done + 1, n) for r in results])
        done += n


def _slice(result: RunResult, first: int, n: int) -> RunChunk:
    stop = result.diverged_at
    if stop is not None and stop < first:
        return RunChunk(np.empty((0, 2)), np.empty(0), np.empty((0, 2)), {}, "diverged", stop)
    kept = n if stop is None or stop >= first + n else stop - first
    status, diverged = ("diverged", stop) if stop is not None and stop < first + n else ("ok", None)
    points, values = result.points[first : first + kept], result.values[first : first + kept]
    if first == 0:  # the start has no rate or state
        return RunChunk(points, values, np.empty((0, 2)), {}, status, diverged)
    rates = slice(first - 1, first - 1 + kept)
    state = {name: s[rates] for name, s in result.state.items()}
    return RunChunk(points, values, result.lr_eff[rates], state, status, diverged)
