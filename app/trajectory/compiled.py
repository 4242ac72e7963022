"""The compiled kernel of the batched runner: every row of a sweep stepped in one machine-code loop.

numba compiles the optimizer's one rule (``app.optim.rules``) and the objective's ``f`` and ``df``
(``app.optim.functions``) as they are written, for Python floats, and inlines them into a loop over
the rows (inner) and the steps (outer). The rows of a step are independent, so the loop runs as
SIMD lanes with no temporaries and no per-operation dispatch: ≈ 1.5 ns per row-step for RMSProp on
``quadratic``, against ≈ 50 ns for the numpy stack (``bench/bench_kernels.py``). A row's
hyper-parameters are one record of a structured array, so ``hp["eta"]`` in a rule is a field load.

It serves ``record=False`` batches (sweeps) on the built-in objectives; a custom expression's
gradient comes from autograd and stays on the numpy stack. IEEE arithmetic with no fast-math and
numpy's error model (inf and nan, never an exception), so a row equals the same run on floats to
the bit (Adam's β^t included: t is passed as a float, so it is C's ``pow``, as for floats). Divergence
is the stack's: an iterate beyond ±1e6 or a non-finite iterate, value, rate or state stops the row
at that step, its last good point kept.

Compiling one (rule, objective) pair takes 0.3–1 s, once per process; the worker pool's processes
live as long as the server, so a worker pays it at its first sweep of that pair.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np
from numba import njit
from numba.extending import overload, register_jitable

from app.optim.functions import OBJECTIVES, Objective
from app.optim.ops import FLOAT
from app.optim.spec import OptimizerSpec
from app.trajectory.kernels import DIVERGENCE_LIMIT, Steps

_JIT: dict[str, Any] = {"error_model": "numpy", "nogil": True}


class CompiledOps(NamedTuple):
    """The fields of :class:`app.optim.ops.Ops` an objective or a rule calls, compiled for floats."""

    sqrt: Any
    sin: Any
    cos: Any
    tan: Any
    exp: Any
    log: Any
    tanh: Any
    abs: Any
    pow: Any


OPS = CompiledOps(
    njit(**_JIT)(lambda v: math.sqrt(v)),
    njit(**_JIT)(lambda v: math.sin(v)),
    njit(**_JIT)(lambda v: math.cos(v)),
    njit(**_JIT)(lambda v: math.tan(v)),
    njit(**_JIT)(lambda v: math.exp(v)),
    njit(**_JIT)(lambda v: math.log(v)),
    njit(**_JIT)(lambda v: math.tanh(v)),
    njit(**_JIT)(lambda v: abs(v)),
    njit(**_JIT)(FLOAT.pow),  # torch's short cuts, else C's pow: what an objective's m.pow is on floats
)


# Row i's state as the tuple a rule takes, from (and back to) K×2 arrays, one per state name: the
# tuple's length is the rule's, known when numba compiles, so each arity gets its own code. numba
# wants each implementation's signature to be its declaration's, annotations included.
def _load(states: Any, i: Any) -> Any:
    raise NotImplementedError  # numba only: see _load_impl


def _store(states: Any, i: Any, values: Any) -> Any:
    raise NotImplementedError  # numba only: see _store_impl


def _finite(values: Any) -> Any:
    raise NotImplementedError  # numba only: see _finite_impl


@overload(_load)
def _load_impl(states: Any, i: Any) -> Any:
    arity = len(states)

    def load(states: Any, i: Any) -> Any:
        if arity == 0:
            return ()
        if arity == 1:
            return (states[0][i],)
        return (states[0][i], states[1][i])

    return load


@overload(_store)
def _store_impl(states: Any, i: Any, values: Any) -> Any:
    arity = len(states)

    def store(states: Any, i: Any, values: Any) -> Any:
        if arity >= 1:
            states[0][i] = values[0]
        if arity == 2:
            states[1][i] = values[1]

    return store


@overload(_finite)
def _finite_impl(values: Any) -> Any:
    arity = len(values)

    def finite(values: Any) -> Any:
        if arity == 0:
            return True
        if arity == 1:
            return math.isfinite(values[0])
        return math.isfinite(values[0]) and math.isfinite(values[1])

    return finite


@njit(**_JIT)
def _steps(  # type: ignore[no-untyped-def]
    rule, f, df, ops, x1, x2, states1, states2, hp, sigma, noise, t0, n, live, last_value, first_bad, target, reached
):
    """n steps of every live row; x1, x2, their states, last_value and reached are updated in place."""
    use_noise, f_star, tol = sigma.shape[0] > 0, target[0], target[1]
    for j in range(n):
        t = float(t0 + j + 1)  # β ** t then calls C's pow, as the same power of a Python float does
        for i in range(x1.shape[0]):  # every row, live or not: a branch-free body runs as SIMD lanes
            a, b = x1[i], x2[i]
            g1, g2 = df(a, b, ops)
            if use_noise:
                g1, g2 = g1 + sigma[i] * noise[j, 0], g2 + sigma[i] * noise[j, 1]
            a, s1, l1 = rule(a, g1, _load(states1, i), hp[i], t, ops.sqrt)
            b, s2, l2 = rule(b, g2, _load(states2, i), hp[i], t, ops.sqrt)
            v = f(a, b, ops)
            ok = live[i]
            inside = abs(a) <= DIVERGENCE_LIMIT and abs(b) <= DIVERGENCE_LIMIT
            good = inside and math.isfinite(v) and math.isfinite(l1) and math.isfinite(l2)
            if ok and good and _finite(s1) and _finite(s2):
                x1[i], x2[i], last_value[i] = a, b, v
                _store(states1, i, s1)
                _store(states2, i, s2)
                if reached[i] < 0 and v - f_star <= tol:
                    reached[i] = t0 + j + 1
            elif ok:
                live[i] = False
                first_bad[i] = j
                if reached[i] < 0 and v - f_star <= tol:  # the step that goes bad counts, as on the stack
                    reached[i] = t0 + j + 1


def supports(objective: Objective) -> bool:
    """Built-in objectives compile; a custom expression's autograd gradient does not."""
    return OBJECTIVES.get(objective.name) is objective


@cache
def _compiled(fn: Any) -> Any:
    _register_helpers(fn)
    return njit(**_JIT)(fn)


def _register_helpers(fn: Any) -> None:
    """Let numba compile the plain functions ``fn`` calls by global name (functions.py's ``_sq``)."""
    for name in fn.__code__.co_names:
        helper = fn.__globals__.get(name)
        if isinstance(helper, types.FunctionType) and helper not in _HELPERS:
            _HELPERS.add(helper)
            _register_helpers(helper)
            register_jitable(**_JIT)(helper)


_HELPERS: set[types.FunctionType] = set()


class CompiledStack:
    """The rows of a ``record=False`` batch, stepped by the compiled loop (see the module's docstring).

    ``last_x`` and ``last_value`` are each row's last good point and f there; ``reached`` (the
    batch's array, updated in place) the first step with f − f* ≤ tol, for ``tolerance`` (f*, tol).
    """

    def __init__(
        self,
        spec: OptimizerSpec,
        surface: Objective,
        starts: np.ndarray,
        hyperparams: Mapping[str, float | Sequence[float] | np.ndarray],
        tolerance: tuple[float, float] | None,
        reached: np.ndarray,
    ) -> None:
        self.functions = (_compiled(spec.rule), _compiled(surface.f), _compiled(surface.df))
        points = np.array(starts, dtype=np.float64).reshape(-1, 2)
        k = len(points)
        # One contiguous array per coordinate (and per state and coordinate): the loop's loads and
        # stores are then unit-stride, twice as fast as rows of a K×2 array.
        self.x1, self.x2 = points[:, 0].copy(), points[:, 1].copy()
        self.last_value = np.full(k, np.nan)
        self.states = tuple(tuple(np.zeros(k) for _ in spec.state) for _ in range(2))
        # In the spec's order, however they were given: the record's type is part of what numba
        # compiles for, so a sweep of (γ, η) or (η, ε) reuses the loop a sweep of (η, γ) built.
        names = [p.name for p in spec.hyperparams if p.name in hyperparams and p.name != "noise"]
        self.hp = np.zeros(k, dtype=np.dtype([(name, np.float64) for name in names]))
        for name in names:
            self.hp[name] = hyperparams[name]
        noise = np.broadcast_to(np.asarray(hyperparams.get("noise", 0.0), dtype=np.float64), (k,))
        self.sigma = noise.copy() if noise.any() else np.empty(0)
        self.target = np.array(tolerance if tolerance is not None else (math.nan, math.nan))  # nan: never reached
        self.live, self.reached = np.ones(k, dtype=np.bool_), reached
        self.t = 0

    @property
    def last_x(self) -> np.ndarray:
        return np.stack((self.x1, self.x2), axis=1)

    def stop(self, rows: Sequence[int]) -> None:
        self.live[list(rows)] = False

    def advance(self, n: int, noise: np.ndarray | None) -> Steps:
        k = len(self.live)
        out = Steps(np.empty((k, 0, 2)), np.empty((k, 0)), np.empty((k, 0, 2)))
        out.first_bad = np.full(k, n, dtype=np.int64)
        draws = np.ascontiguousarray(noise if noise is not None and len(self.sigma) else np.zeros((n, 2)))
        rule, f, df = self.functions
        _steps(
            *(rule, f, df, OPS, self.x1, self.x2, *self.states, self.hp, self.sigma, draws, self.t, n),
            *(self.live, self.last_value, out.first_bad, self.target, self.reached),
        )
        self.t += n
        return out
