"""Which array backend the batched runner should use, by K (rows stepped together), measured.

For K = 1 … 16,384 RMSProp rows on the book's quadratic (per-row η and γ), 200 steps each: the
runner's two book kernels, rows of Python floats (FloatRows) and the numpy stack (ArrayStack,
recording everything, and values only), the compiled loop a sweep's batch runs on
(CompiledStack: numba, each row's end only), and the bare rule on a K×2 torch tensor (one thread,
no recording) for comparison. Prints the time per row-step. The runner switches from
rows to the stack at STACK_FROM_ROWS, where they cross (≈ 1 µs per row-step either way, K ≈ 24 on
the development machine). Beyond ~1,000 rows torch is 2–3× faster still, but its float64 sqrt is
not correctly rounded, so a stacked row would no longer equal the same run alone to the bit; the
numpy stack and the compiled loop do (the sweeps compare every cell with its lone run). The
compiled loop is timed after its first call (which compiles it, once per process).

Run: ``.venv/bin/python bench/bench_kernels.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.optim.functions import get_objective
from app.optim.ops import TORCH
from app.optim.registry import get_optimizer
from app.trajectory.compiled import CompiledStack
from app.trajectory.kernels import FloatRows
from app.trajectory.runner import STACK_FROM_ROWS, HyperColumns, per_row
from app.trajectory.stack import ArrayStack

STEPS = 200
SPEC, OBJECTIVE = get_optimizer("rmsprop"), get_objective("quadratic")


def rows_of(k: int) -> tuple[np.ndarray, list[dict[str, float]]]:
    hp: HyperColumns = {"eta": np.linspace(0.01, 1.0, k), "gamma": np.linspace(0.0, 0.99, k), "eps": 1e-6}
    return np.tile([-5.0, -2.0], (k, 1)), per_row(hp, k)


def kernel_time(kind: str, k: int) -> float:
    starts, hp = rows_of(k)
    kernel: FloatRows | ArrayStack | CompiledStack
    if kind == "rows":
        kernel = FloatRows(SPEC, OBJECTIVE, starts, hp)
    elif kind == "compiled":
        columns = {name: np.array([row[name] for row in hp]) for name in hp[0]}
        kernel = CompiledStack(SPEC, OBJECTIVE, starts, columns, (0.0, 1e-6), np.full(k, -1))
    else:
        kernel = ArrayStack(SPEC, OBJECTIVE, starts, hp, record=kind == "stack")
    began = time.perf_counter()
    for _ in range(STEPS // 50):
        kernel.advance(50, None)
    return time.perf_counter() - began


def torch_time(k: int) -> float:
    torch.set_num_threads(1)
    x = torch.tensor([-5.0, -2.0], dtype=torch.float64).repeat(k, 1)
    state = (torch.zeros_like(x),)
    hp = {
        "eta": torch.linspace(0.01, 1.0, k, dtype=torch.float64).reshape(-1, 1),
        "gamma": torch.linspace(0.0, 0.99, k, dtype=torch.float64).reshape(-1, 1),
        "eps": 1e-6,
    }
    began = time.perf_counter()
    for t in range(1, STEPS + 1):
        g = torch.stack(OBJECTIVE.df(x[:, 0], x[:, 1], TORCH), dim=1)
        x, state, _ = SPEC.rule(x, g, state, hp, t, torch.sqrt)
        value = OBJECTIVE.f(x[:, 0], x[:, 1], TORCH)
        bool((~torch.isfinite(value)).any())
    return time.perf_counter() - began


def main() -> None:
    print(f"RMSProp on the quadratic, {STEPS} steps; time per row-step (the runner stacks from K = {STACK_FROM_ROWS})")
    print(
        f"{'K':>6}  {'float rows':>11}  {'numpy stack':>11}  {'values only':>11}  {'compiled':>11}  {'torch stack':>11}"
    )
    kernel_time("compiled", 1)  # compiles it
    for k in (1, 2, 4, 8, 16, 24, 32, 64, 256, 1024, 4096, 16384):
        rows = kernel_time("rows", k) if k <= 1024 else float("nan")
        stack, light, compiled = kernel_time("stack", k), kernel_time("values", k), kernel_time("compiled", k)
        times = (rows, stack, light, compiled, torch_time(k))
        cells = [f"{seconds / (k * STEPS) * 1e9:8.1f} ns" for seconds in times]
        print(f"{k:>6}  " + "  ".join(f"{c:>11}" for c in cells).replace("     nan ns", "         —"))


if __name__ == "__main__":
    main()
