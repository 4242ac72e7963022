"""A block of rows as a runner hands it over (its text, best cell, diverged count), and a sweep's
grid put together from its blocks."""

from __future__ import annotations

import json
import math

import numpy as np

from app.data.synthetic import make_synthetic
from app.sweep.axes import Axis
from app.sweep.live import Sweep
from app.sweep.plan import SweepPlan, TrainingProblem
from app.sweep.state import Best, Cell, RowBlock


def test_a_block_from_lists_is_the_standard_librarys_text_of_them() -> None:
    losses: list[list[Cell]] = [[0.5, None, 0.25], [0.125, 3.0, None]]
    diverged: list[list[Cell]] = [[None, 4, None], [None, None, 2]]
    block = RowBlock.of(6, {"final_loss": losses, "diverged_at": diverged})
    assert (block.first, block.rows, block.diverged) == (6, 2, 2)
    assert block.cells["final_loss"].value() == json.loads(json.dumps(losses))
    assert block.cells["diverged_at"].value() == diverged
    assert block.best == Best(0.125, 7, 0)  # its row counts from the sweep's first row


def test_a_block_from_arrays_writes_nan_and_minus_one_as_null_and_ranks_finite_cells_only() -> None:
    values = np.array([[math.inf, np.nan, 2.0], [1.0, 1.0, -math.inf]])
    steps = np.array([[-1, 11, 1], [101, -1, 10]])  # counts: −1 is missing, every other digit stays
    block = RowBlock.of(0, {"final_value": values, "steps_to_tol": steps, "diverged_at": steps})
    assert block.cells["final_value"].value() == [[None, None, 2.0], [1.0, 1.0, None]]
    assert block.cells["steps_to_tol"].value() == [[None, 11, 1], [101, None, 10]]
    assert block.best == Best(1.0, 1, 0)  # the first of two equal least values, row by row
    assert block.diverged == 4


def test_a_block_without_a_finite_cell_has_no_best() -> None:
    block = RowBlock.of(0, {"final_loss": [[None, math.nan]], "diverged_at": [[1, 1]]})
    assert block.best is None and block.diverged == 2


def plan(rows: int, cols: int) -> SweepPlan:
    axes = (Axis("eta", tuple(0.1 * (c + 1) for c in range(cols))), Axis("gamma", tuple(0.1 * r for r in range(rows))))
    problem = TrainingProblem(make_synthetic(), batch_size=10, epochs=1, device_requested="cpu", device="cpu")
    return SweepPlan("training", "momentum", "book", {}, axes, 0, problem)


def block(first: int, rows: int, cols: int) -> RowBlock:
    losses: list[list[Cell]] = [[float(10 * (first + r) + c) for c in range(cols)] for r in range(rows)]
    nothing: list[list[Cell]] = [[None] * cols for _ in range(rows)]
    return RowBlock.of(first, {"final_loss": losses, "diverged_at": nothing})


def test_a_sweeps_grid_puts_its_blocks_in_row_order_and_rows_not_done_as_nulls() -> None:
    sweep = Sweep(plan(rows=6, cols=3))
    sweep.add(block(4, 2, 3))  # blocks may land in any order
    sweep.add(block(1, 2, 3))
    cells = sweep.state().cells
    assert cells is not None
    grid = cells["final_loss"].value()
    assert grid[0] == grid[3] == [None] * 3
    assert grid[1] == [10.0, 11.0, 12.0] and grid[5] == [50.0, 51.0, 52.0]
    assert sweep.rows_done == 4 and sweep.state().best == Best(10.0, 1, 0)


def test_an_ended_sweeps_cells_are_written_once() -> None:
    sweep = Sweep(plan(rows=2, cols=2))
    sweep.add(block(0, 2, 2))
    assert sweep.state().cells is not sweep.state().cells  # still running: written per answer
    sweep.status = "done"
    first = sweep.state().cells
    assert first is sweep.state().cells and first is not None
    assert first["final_loss"].value() == [[0.0, 1.0], [10.0, 11.0]]
