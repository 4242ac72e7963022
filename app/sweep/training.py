"""Training sweeps: every cell a run of the training engine, thousands of them as columns of one θ.

Rows go in blocks of about ``BLOCK_CELLS`` cells, each block one ``Trainer`` with the sweep's seed,
so every cell starts from the same weights and sees the same minibatch order as its configuration
trained alone (``POST /api/jobs``), and the rows of a block arrive together as they are done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.sweep.plan import SweepPlan, TrainingProblem
from app.sweep.state import Cell, RowBlock
from app.training.engine import Trainer
from app.training.runs import RunConfig, RunResult

BLOCK_CELLS = 1024  # where the engine's cost per run stops falling (bench/bench_training.py)


def training_blocks(plan: SweepPlan, should_stop: Callable[[], bool]) -> Iterator[RowBlock]:
    problem = plan.problem
    assert isinstance(problem, TrainingProblem)
    rows, cols = plan.shape
    per_block = max(1, BLOCK_CELLS // cols)
    for first in range(0, rows, per_block):
        block = range(first, min(rows, first + per_block))
        configs = [RunConfig(plan.optimizer, plan.impl, plan.cell(r, c)) for r in block for c in range(cols)]
        trainer = Trainer(
            problem.dataset.X,
            problem.dataset.y,
            configs,
            batch_size=problem.batch_size,
            epochs=problem.epochs,
            seed=plan.seed,
            device=problem.device,
            curves=False,
        )
        results = trainer.run(should_stop)
        if trainer.stopped:
            return
        yield RowBlock.of(first, _cells(results, len(block), cols))


def _cells(results: list[RunResult], rows: int, cols: int) -> dict[str, list[list[Cell]]]:
    def grid(value: Callable[[RunResult], Cell]) -> list[list[Cell]]:
        return [[value(results[r * cols + c]) for c in range(cols)] for r in range(rows)]

    return {"final_loss": grid(lambda run: run.final_loss), "diverged_at": grid(lambda run: run.diverged_at)}
