"""The step loops behind :class:`app.trajectory.runner.Batch`: one per array backend.

Each kernel steps K rows (runs) of one optimizer ``n`` times and returns what it saw as
:class:`Steps`, per row and C-contiguous (row r's points are ``points[r]``, shape n×2), with the
first step of each row that went wrong. Which kernel serves a batch is measured, not guessed
(``bench/bench_kernels.py``): Python floats cost ≈ 1 µs per row-step with no fixed cost, a numpy
stack ≈ 25 µs per step whatever K is up to a few hundred rows, so rows of floats win for the small
K of a comparison and the stack wins for sweeps; ``impl="torch"`` goes through ``torch.optim``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from app.optim.functions import Objective
from app.optim.ops import FLOAT, TORCH
from app.optim.spec import OptimizerSpec

DIVERGENCE_LIMIT = 1e6  # |x| beyond this is a runaway iterate: the run has diverged
# What Python float arithmetic raises where a tensor would hold inf or nan.
NUMERIC_ERRORS = (ArithmeticError, ValueError)


@dataclass
class Steps:
    """``n`` steps of K rows: x_t, f(x_t), the rate used to reach x_t and the state after it."""

    points: np.ndarray  # K×n×2
    values: np.ndarray  # K×n
    lr: np.ndarray  # K×n×2
    state: dict[str, np.ndarray] = field(default_factory=dict)  # name → K×n×2
    first_bad: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # K: n = none


def first_bad(steps: Steps, raised: Sequence[int]) -> np.ndarray:
    """Per row, the first step whose iterate runs away or whose value, rate or state is not finite."""
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~(np.abs(steps.points) <= DIVERGENCE_LIMIT).all(axis=2)  # nan compares False: caught too
        bad |= ~np.isfinite(steps.values)
        bad |= ~np.isfinite(steps.lr).all(axis=2)
        for series in steps.state.values():
            bad |= ~np.isfinite(series).all(axis=2)
    n = bad.shape[1]
    found = np.where(bad.any(axis=1), bad.argmax(axis=1), n)
    out: np.ndarray = np.minimum(found, np.asarray(raised, dtype=np.int64))
    return out


@dataclass
class _Row:
    """One row on floats: its point and the state of each coordinate."""

    x1: float
    x2: float
    s1: tuple[float, ...]
    s2: tuple[float, ...]


class FloatRows:
    """Each row on Python floats, one coordinate at a time (every rule is elementwise)."""

    def __init__(
        self,
        spec: OptimizerSpec,
        surface: Objective,
        starts: np.ndarray,
        hyperparams: Sequence[Mapping[str, float]],
    ) -> None:
        self.spec, self.surface = spec, surface
        zeros = tuple(0.0 for _ in spec.state)
        self.rows = [_Row(float(x1), float(x2), zeros, zeros) for x1, x2 in starts.tolist()]
        self.hp = [dict(h) for h in hyperparams]
        self.sigma = [h.get("noise", 0.0) for h in self.hp]
        self.live = [True] * len(self.rows)
        self.t = 0

    def stop(self, rows: Sequence[int]) -> None:
        for r in rows:
            self.live[r] = False

    def advance(self, n: int, noise: np.ndarray | None) -> Steps:
        k, m = len(self.rows), len(self.spec.state)
        out = Steps(np.full((k, n, 2), np.nan), np.full((k, n), np.nan), np.full((k, n, 2), np.nan))
        out.state = {name: np.full((k, n, 2), np.nan) for name in self.spec.state}
        raised = [n] * k
        draws = noise.tolist() if noise is not None else None
        for r in range(k):
            if not self.live[r]:
                continue
            xs, fs, ls, ss, raised[r] = self._row(r, n, draws if self.sigma[r] else None)
            done = len(fs)
            out.points[r, :done] = np.reshape(xs, (done, 2))
            out.values[r, :done] = fs
            out.lr[r, :done] = np.reshape(ls, (done, 2))
            if m:
                both = np.reshape(ss, (done, 2, m))
                for j, name in enumerate(self.spec.state):
                    out.state[name][r, :done] = both[:, :, j]
        self.t += n
        out.first_bad = first_bad(out, raised)
        return out

    def _row(
        self, r: int, n: int, noise: list[list[float]] | None
    ) -> tuple[list[float], list[float], list[float], list[float], int]:
        rule, hp, sigma = self.spec.rule, self.hp[r], self.sigma[r]
        f, df, sqrt = self.surface.f, self.surface.df, math.sqrt
        row = self.rows[r]
        x1, x2, s1, s2 = row.x1, row.x2, row.s1, row.s2
        t = self.t
        xs: list[float] = []
        fs: list[float] = []
        ls: list[float] = []
        ss: list[float] = []  # per step: the state of x1, then of x2 (floats only: no tuples kept for the GC)
        i = 0
        try:
            for i in range(n):
                t += 1
                g1, g2 = df(x1, x2, FLOAT)
                if noise is not None:
                    g1, g2 = g1 + sigma * noise[i][0], g2 + sigma * noise[i][1]
                x1, s1, l1 = rule(x1, g1, s1, hp, t, sqrt)
                x2, s2, l2 = rule(x2, g2, s2, hp, t, sqrt)
                fs.append(f(x1, x2, FLOAT))
                xs += (x1, x2)
                ls += (l1, l2)
                ss += s1
                ss += s2
        except NUMERIC_ERRORS:
            return xs, fs, ls, ss, i  # the step that raised is the first bad one
        self.rows[r] = _Row(x1, x2, s1, s2)
        return xs, fs, ls, ss, n


class TorchRows:
    """``impl="torch"``: each row a 2-element parameter of one ``torch.optim`` optimizer, in a
    parameter group of its own (its own hyper-parameters): the same update as the row alone. The
    gradient is computed on the parameter's own 0-d views, as torch computes it, so the path is
    torch's to the last bit (on tensors this small, torch's per-operation cost is all there is)."""

    def __init__(
        self,
        spec: OptimizerSpec,
        surface: Objective,
        starts: np.ndarray,
        hyperparams: Sequence[Mapping[str, float]],
    ) -> None:
        self.spec, self.surface = spec, surface
        self.hp = [dict(h) for h in hyperparams]
        self.sigma = [h.get("noise", 0.0) for h in self.hp]
        self.params = [torch.tensor(row, dtype=torch.float64) for row in starts.tolist()]
        mapping = spec.torch
        groups = [{"params": [p], **mapping.kwargs(h)} for p, h in zip(self.params, self.hp, strict=True)]
        options: dict[str, Any] = {"foreach": False}  # 2-element tensors: the plain loop is faster
        self.optimizer = mapping.cls(groups, **options)
        self.live = [True] * len(self.params)
        self.t = 0

    def stop(self, rows: Sequence[int]) -> None:
        for r in rows:
            self.live[r] = False
            self.params[r].grad = None  # torch.optim passes over a parameter without a gradient

    def _state(self, r: int) -> dict[str, Tensor]:
        p = self.params[r]
        state = self.optimizer.state.get(p, {})
        return {k: v for k, v in state.items() if isinstance(v, Tensor) and v.shape == p.shape}

    def advance(self, n: int, noise: np.ndarray | None) -> Steps:
        k = len(self.params)
        out = Steps(np.full((k, n, 2), np.nan), np.full((k, n), np.nan), np.full((k, n, 2), np.nan))
        states: list[list[dict[str, list[float]]]] = [[] for _ in range(k)]
        rows = [r for r in range(k) if self.live[r]]
        with torch.no_grad():
            for i in range(n):
                self.t += 1
                prev = {r: {key: v.clone() for key, v in self._state(r).items()} for r in rows}
                for r in rows:
                    self._set_gradient(r, noise, i)
                self.optimizer.step()
                for r in rows:
                    p, cur = self.params[r], self._state(r)
                    out.points[r, i] = p.tolist()
                    out.lr[r, i] = self.spec.torch.lr_eff(p, prev[r], cur, self.hp[r], self.t).tolist()
                    states[r].append({key: v.tolist() for key, v in cur.items()})
        self._fill_state(out, states)
        x = torch.from_numpy(out.points)
        with np.errstate(all="ignore"):
            out.values = self.surface.f(x[..., 0], x[..., 1], TORCH).numpy()
        out.first_bad = first_bad(out, [n] * k)
        return out

    def _set_gradient(self, r: int, noise: np.ndarray | None, i: int) -> None:
        p = self.params[r]
        g = torch.stack(self.surface.df(p[0], p[1], TORCH))
        if noise is not None and self.sigma[r]:
            g = g + self.sigma[r] * torch.from_numpy(noise[i])
        p.grad = g

    def _fill_state(self, out: Steps, states: list[list[dict[str, list[float]]]]) -> None:
        k, n = out.points.shape[:2]
        names = list(dict.fromkeys(key for rows in states for step in rows for key in step))  # torch's order
        out.state = {name: np.full((k, n, 2), np.nan) for name in names}
        for r, rows in enumerate(states):
            for name in names:
                if rows:
                    out.state[name][r, : len(rows)] = [step[name] for step in rows]
