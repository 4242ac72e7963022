"""States nobody waits for are written a moment later on their own thread (``WriteBehind``), never
lost and never out of order; the terminal one at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.history.behind import WriteBehind
from app.history.store import RunRecord, RunStore
from app.history.sweeps import SweepHistory
from app.sweep.live import Sweep
from app.sweep.state import SweepState
from app.training.job import TERMINAL
from tests.sweep.test_state import plan
from tests.utils import WAIT


def test_a_later_write_waits_its_delay_and_a_newer_one_replaces_it() -> None:
    writes, made = WriteBehind(delay=0.2), []
    began = time.monotonic()
    writes.later("a", lambda: made.append(("a", 1, time.monotonic() - began)))
    writes.later("b", lambda: made.append(("b", 1, time.monotonic() - began)))
    writes.later("a", lambda: made.append(("a", 2, time.monotonic() - began)))
    assert made == []
    assert writes.flush(WAIT)
    assert [(key, n) for key, n, _ in made] == [("a", 2), ("b", 1)]  # a kept its turn, with the newer write
    assert all(after >= 0.2 for _, _, after in made)


def test_a_write_made_now_drops_the_waiting_one() -> None:
    writes, made = WriteBehind(delay=0.05), []
    writes.later("a", lambda: made.append("running"))
    writes.now("a", lambda: made.append("done"))
    assert made == ["done"]
    assert writes.flush(WAIT)
    time.sleep(0.1)
    assert made == ["done"]


def test_a_write_made_now_waits_out_one_in_progress() -> None:
    writes, made = WriteBehind(delay=0), []
    started, release = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        release.wait(WAIT)
        made.append("running")

    writes.later("a", slow)
    assert started.wait(WAIT)
    finishing = threading.Thread(target=writes.now, args=("a", lambda: made.append("done")))
    finishing.start()
    time.sleep(0.05)
    assert made == []  # held until the write in progress is made
    release.set()
    finishing.join(WAIT)
    assert made == ["running", "done"]


def test_a_failing_later_write_is_logged_and_the_thread_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    writes, made = WriteBehind(delay=0), []

    def fails() -> None:
        raise RuntimeError("disk on fire")

    writes.later("a", fails)
    writes.later("b", lambda: made.append("b"))
    assert writes.flush(WAIT)
    assert made == ["b"] and "disk on fire" in caplog.text


class Counting(RunStore):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.saves: list[str] = []

    def save(self, record: RunRecord) -> RunRecord:
        self.saves.append(record.status)
        return super().save(record)


def state(sweep: Sweep, status: str) -> SweepState:
    sweep.status = status
    return sweep.state(cells=status in TERMINAL)


def test_a_quick_sweep_writes_once_and_a_slow_one_shows_it_is_under_way(tmp_path: Path) -> None:
    store = Counting(tmp_path / "runs.sqlite3")
    saves = store.saves
    history = SweepHistory(store, WriteBehind(delay=0.2))
    quick, slow = Sweep(plan(rows=2, cols=3)), Sweep(plan(rows=2, cols=3))
    for status in ("queued", "running", "done"):
        history(state(quick, status))
    assert saves == ["done"]  # over before its earlier states were due
    assert store.get(quick.id).status == "done"  # type: ignore[union-attr]
    history(state(slow, "queued"))
    history(state(slow, "running"))
    assert history.writes.flush(WAIT)
    assert saves == ["done", "running"]
    assert store.get(slow.id).status == "running"  # type: ignore[union-attr]
