"""Run several optimizers side by side on one 2D function, in float64, chunk by chunk.

The runner yields chunks so the same code serves the one-shot response and the live stream.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import Tensor

from app.history.store import RunRecord
from app.optim.registry import get_optimizer
from app.optim.stepper import Stepper, make_stepper

DIVERGENCE_LIMIT = 1e6
DTYPE = torch.float64


class Surface(Protocol):
    """What the runner needs of an objective: f on coordinate tensors, ∇f at a point of shape (2,)."""

    def value(self, x1: Tensor, x2: Tensor) -> Tensor: ...

    def gradient(self, x: Tensor) -> Tensor: ...


@dataclass(frozen=True)
class RunConfig:
    optimizer: str
    impl: str
    hyperparams: dict[str, float]


@dataclass
class RunChunk:
    """Steps ``first``… of one run: points x_t, f(x_t), the rate used to reach x_t and the state after it."""

    points: list[list[float]]
    values: list[float]
    lr_eff: list[list[float]]
    state: dict[str, list[list[float]]] = field(default_factory=dict)
    status: str = "ok"
    diverged_at: int | None = None


@dataclass
class Chunk:
    first: int  # index of the first point in this chunk (0 holds the start)
    runs: list[RunChunk]


@dataclass
class RunResult:
    config: RunConfig
    points: list[list[float]] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    lr_eff: list[list[float]] = field(default_factory=list)
    state: dict[str, list[list[float]]] = field(default_factory=dict)
    status: str = "ok"
    diverged_at: int | None = None

    def extend(self, chunk: RunChunk) -> None:
        self.points += chunk.points
        self.values += chunk.values
        self.lr_eff += chunk.lr_eff
        for key, rows in chunk.state.items():
            self.state.setdefault(key, []).extend(rows)
        self.status, self.diverged_at = chunk.status, chunk.diverged_at


class _Run:
    def __init__(self, surface: Surface, start: Sequence[float], config: RunConfig, seed: int) -> None:
        self.surface = surface
        self.x = torch.tensor(list(start), dtype=DTYPE)
        generator = torch.Generator().manual_seed(seed)
        spec = get_optimizer(config.optimizer)
        self.stepper: Stepper = make_stepper(spec, config.impl, self.x, config.hyperparams, generator)
        self.t = 0
        self.stopped = False

    def first_chunk(self) -> RunChunk:
        x = self.x.unsqueeze(0)
        return self._checked(x.clone(), torch.empty((0, 2), dtype=DTYPE), {}, first=0)

    def advance(self, n: int) -> RunChunk:
        if self.stopped:
            return RunChunk([], [], [], {}, "diverged", self._diverged_at)
        xs = torch.empty((n, 2), dtype=DTYPE)
        rates = torch.empty((n, 2), dtype=DTYPE)
        states: dict[str, list[Tensor]] = {}
        with torch.no_grad():
            for i in range(n):
                rates[i] = self.stepper.step(self.surface.gradient(self.x))
                xs[i] = self.x
                for key, value in self.stepper.state().items():
                    states.setdefault(key, []).append(value.clone())
        first = self.t + 1
        self.t += n
        return self._checked(xs, rates, {k: torch.stack(v) for k, v in states.items()}, first)

    def _checked(self, xs: Tensor, rates: Tensor, states: dict[str, Tensor], first: int) -> RunChunk:
        """Cut the chunk at the first non-finite or runaway iterate (or value)."""
        values = self.surface.value(xs[:, 0], xs[:, 1])  # elementwise: one call for the whole chunk
        bad = ~torch.isfinite(xs).all(dim=1) | (xs.abs() > DIVERGENCE_LIMIT).any(dim=1) | ~torch.isfinite(values)
        for series in (rates, *states.values()):  # an overflowed state is as broken as a runaway iterate
            if len(series) == len(xs):
                bad |= ~torch.isfinite(series).all(dim=1)
        if not bad.any():
            return RunChunk(xs.tolist(), values.tolist(), rates.tolist(), {k: v.tolist() for k, v in states.items()})
        k = int(bad.nonzero()[0, 0])
        self.stopped = True
        self._diverged_at = first + k
        kept = k if first > 0 else 0  # the start has no rate or state
        return RunChunk(
            xs[:k].tolist(),
            values[:k].tolist(),
            rates[:kept].tolist(),
            {key: v[:kept].tolist() for key, v in states.items()},
            "diverged",
            self._diverged_at,
        )


def run_chunks(
    surface: Surface,
    start: Sequence[float],
    steps: int,
    configs: Sequence[RunConfig],
    seed: int = 0,
    chunk_steps: int = 50,
) -> Iterator[Chunk]:
    """Yield the start, then ``chunk_steps`` steps of every run at a time, in lockstep."""
    runs = [_Run(surface, start, config, seed) for config in configs]
    yield Chunk(0, [run.first_chunk() for run in runs])
    done = 0
    while done < steps:
        n = min(chunk_steps, steps - done)
        yield Chunk(done + 1, [run.advance(n) for run in runs])
        done += n


def run_all(
    surface: Surface,
    start: Sequence[float],
    steps: int,
    configs: Sequence[RunConfig],
    seed: int = 0,
) -> list[RunResult]:
    results = [RunResult(config) for config in configs]
    for chunk in run_chunks(surface, start, steps, configs, seed, chunk_steps=max(steps, 1)):
        for result, part in zip(results, chunk.runs, strict=True):
            result.extend(part)
    return results


def summarise(result: RunResult) -> dict[str, object]:
    final = result.points[-1] if result.points else None
    return {
        "optimizer": result.config.optimizer,
        "impl": result.config.impl,
        "hyperparams": result.config.hyperparams,
        "status": result.status,
        "diverged_at": result.diverged_at,
        "points": len(result.points),
        "final": final,
        "final_value": result.values[-1] if result.values else None,
    }


def to_record(config: dict[str, object], results: Sequence[RunResult], seconds: float) -> RunRecord:
    """A finished comparison as a history record (the per-step state is left out: it is derivable)."""
    names = [r.config.optimizer for r in results]
    return RunRecord(
        kind="trajectory",
        status="done",
        device="cpu",
        config=config,
        optimizers=sorted(set(names)),
        title=f"{config['function']}: " + " vs ".join(f"{r.config.optimizer} ({r.config.impl})" for r in results),
        series=[{"points": r.points, "values": r.values, "lr_eff": r.lr_eff} for r in results],
        summary=[summarise(r) for r in results],
        timings={"seconds": seconds},
    )
