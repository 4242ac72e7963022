"""The run history's log is checkpointed off the path of the write that grew it, and nothing is lost
or left behind meanwhile."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.history.checkpoint import Checkpointer
from app.history.store import RunRecord, RunStore
from tests.utils import WAIT, eventually

BIG = "x" * 5_000_000  # past SQLite's own checkpoint threshold (1,000 pages) in one commit


class Asked(Checkpointer):
    """Remembers what it is asked to checkpoint and checkpoints nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[Path] = []

    def request(self, path: Path) -> None:
        self.asked.append(path)


def in_the_file(path: Path, run_id: str) -> bool:
    """Whether the file itself (the log ignored) holds the run: the log was checkpointed past it."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?immutable=1", uri=True)
    try:
        return bool(conn.execute("SELECT COUNT(*) FROM runs WHERE id = ?", (run_id,)).fetchone()[0] == 1)
    except sqlite3.DatabaseError:  # read while the checkpoint was copying pages: not there yet
        return False
    finally:
        conn.close()


def record(status: str = "done", **fields: object) -> RunRecord:
    return RunRecord(kind="sweep", status=status, title="t", optimizers=["rmsprop"], config={}, **fields)  # type: ignore[arg-type]


def test_a_commit_leaves_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    asked = Asked()
    store.db.checkpoints = asked
    run = store.save(record(series=[{"text": BIG}]))
    assert asked.asked == [store.path]
    assert not in_the_file(store.path, run.id)  # SQLite's own checkpoint would have copied it
    assert store.get(run.id) is not None  # readers see it through the log all the same
    assert asked.asked == [store.path]  # and ask for nothing


def test_the_checkpointer_copies_the_log_into_the_file_soon_after(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    store.db.checkpoints = Checkpointer(delay=0.01)
    run = store.save(record(series=[{"text": BIG}]))
    assert eventually(lambda: in_the_file(store.path, run.id), WAIT)


def test_a_failing_checkpoint_is_logged_and_the_next_one_runs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    checkpoints = Checkpointer(delay=0.01)
    checkpoints.request(tmp_path / "nowhere.sqlite3")  # mode=rw: not created, so it fails
    store = RunStore(tmp_path / "runs.sqlite3")
    store.db.checkpoints = checkpoints
    run = store.save(record(series=[{"text": BIG}]))
    assert eventually(lambda: in_the_file(store.path, run.id), WAIT)
    assert "could not checkpoint" in caplog.text
    assert not (tmp_path / "nowhere.sqlite3").exists()
