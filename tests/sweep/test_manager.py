"""The sweep life cycle, on a runner the test controls: queue and shared bounds, events, cancel,
stop, failures, and the history told before ``done``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from app.data.synthetic import make_synthetic
from app.sweep.axes import Axis
from app.sweep.manager import SweepManager
from app.sweep.plan import SweepPlan, TrainingProblem
from app.sweep.state import Cell, RowBlock, SweepState
from app.training.admission import Admission
from app.training.job import NotCancellable, QueueFull
from tests.utils import WAIT

ROWS, COLS = 4, 3


def plan() -> SweepPlan:
    axes = (Axis("eta", (0.1, 0.2, 0.3)), Axis("gamma", (0.0, 0.3, 0.6, 0.9)))
    problem = TrainingProblem(make_synthetic(), batch_size=10, epochs=1, device_requested="cpu", device="cpu")
    return SweepPlan("training", "momentum", "book", {}, axes, 0, problem)


class Gated:
    """A runner that hands over one row per ``release()``, each cell its η·γ, and fails on request."""

    def __init__(self) -> None:
        self.gate = threading.Semaphore(0)
        self.started = threading.Event()
        self.fail_after: int | None = None

    def release(self, rows: int = 1) -> None:
        for _ in range(rows):
            self.gate.release()

    def __call__(self, plan: SweepPlan, should_stop: Callable[[], bool]) -> Iterator[RowBlock]:
        self.started.set()
        x, y = plan.axes
        for r in range(plan.shape[0]):
            while not self.gate.acquire(timeout=0.01):
                if should_stop():
                    return
            if self.fail_after == r:
                raise RuntimeError("the runner broke")
            cells: dict[str, list[list[Cell]]] = {
                "final_loss": [[v * y.values[r] for v in x.values]],
                "diverged_at": [[None] * COLS],
            }
            yield RowBlock.of(r, cells)


@pytest.fixture
def runner() -> Gated:
    return Gated()


@pytest.fixture
def told() -> list[SweepState]:
    return []


@pytest.fixture
def manager(runner: Gated, told: list[SweepState]) -> Iterator[SweepManager]:
    sweeps = SweepManager(runner, Admission(2), max_concurrent=1, listeners=[told.append])
    sweeps.start()
    yield sweeps
    runner.release(100)
    sweeps.stop()


def test_rows_arrive_as_progress_events_and_done_follows_the_history(
    manager: SweepManager, runner: Gated, told: list[SweepState]
) -> None:
    sweep = manager.submit(plan())
    assert [state.status for state in told] == ["queued"] and told[0].cells is None
    runner.release(ROWS)
    assert manager.wait(sweep.id, WAIT)
    names = [e.name for e in sweep.events]
    assert names == ["meta", "progress", *["progress"] * ROWS, "done"]
    rows = [e.data for e in sweep.events if e.name == "progress" and "first" in e.data]
    assert [(d["first"], d["rows"], d["rows_done"]) for d in rows] == [(r, 1, r + 1) for r in range(ROWS)]
    assert sweep.events[-1].data["run_id"] == sweep.id and sweep.events[-1].data["status"] == "done"
    assert [state.status for state in told] == ["queued", "running", "done"]
    final = told[-1]
    assert final.cells is not None and final.cells["final_loss"].value()[3] == [0.1 * 0.9, 0.2 * 0.9, 0.3 * 0.9]
    assert manager.state(sweep.id).cells == final.cells and manager.state(sweep.id).run_id == sweep.id
    assert final.best is not None and (final.best.row, final.best.col) == (0, 0) and final.diverged == 0


def test_the_shared_bound_refuses_work_beyond_it(manager: SweepManager, runner: Gated) -> None:
    first = manager.submit(plan())
    second = manager.submit(plan())  # queued behind the first
    with pytest.raises(QueueFull) as refused:
        manager.submit(plan())
    assert refused.value.retry_after >= 1
    manager.cancel(second.id)
    assert second.status == "cancelled" and second.events[-1].name == "done"
    third = manager.submit(plan())  # the cancelled one gave its place back
    runner.release(2 * ROWS)
    assert manager.wait(first.id, WAIT) and manager.wait(third.id, WAIT)
    assert manager.admission.held == 0


def test_cancel_keeps_the_finished_rows(manager: SweepManager, runner: Gated, told: list[SweepState]) -> None:
    sweep = manager.submit(plan())
    runner.release(2)
    while manager.state(sweep.id).rows_done < 2:
        threading.Event().wait(0.01)
    manager.cancel(sweep.id)
    assert manager.wait(sweep.id, WAIT)
    state = manager.state(sweep.id)
    assert (state.status, state.rows_done, state.progress) == ("cancelled", 2, 0.5)
    assert state.cells is not None and state.cells["final_loss"].value()[2] == [None] * COLS
    assert told[-1].status == "cancelled" and told[-1].cells == state.cells
    with pytest.raises(NotCancellable):
        manager.cancel(sweep.id)


def test_a_failing_runner_fails_the_sweep_with_its_reason(manager: SweepManager, runner: Gated) -> None:
    runner.fail_after = 1
    sweep = manager.submit(plan())
    runner.release(ROWS)
    assert manager.wait(sweep.id, WAIT)
    done = sweep.events[-1].data
    assert done["status"] == "failed" and "the runner broke" in done["error"] and done["rows_done"] == 1


def test_stopping_the_server_interrupts_running_and_queued_sweeps(runner: Gated, told: list[SweepState]) -> None:
    manager = SweepManager(runner, Admission(4), max_concurrent=1, listeners=[told.append])
    manager.start()
    running = manager.submit(plan())
    queued = manager.submit(plan())
    assert runner.started.wait(WAIT)
    manager.stop()
    assert running.status == queued.status == "interrupted"
    assert {state.status for state in told if state.id == queued.id} == {"queued", "interrupted"}
    assert "stopped" in (running.error or "")


def test_a_listener_that_fails_leaves_done_without_a_run_id(runner: Gated) -> None:
    def broken(state: SweepState) -> None:
        if state.status == "done":
            raise OSError("disk full")

    manager = SweepManager(runner, Admission(1), max_concurrent=1, listeners=[broken])
    manager.start()
    try:
        sweep = manager.submit(plan())
        runner.release(ROWS)
        assert manager.wait(sweep.id, WAIT)
        assert sweep.events[-1].data["status"] == "done" and sweep.events[-1].data["run_id"] is None
    finally:
        manager.stop()
