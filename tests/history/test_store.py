"""The SQLite run history: versioned schema, transactional writes, interrupted runs, filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.history.store import MIGRATIONS, RunFilter, RunRecord, RunStore


def record(
    kind: str = "trajectory", status: str = "done", optimizers: tuple[str, ...] = ("adagrad",), created_at: float = 1.0
) -> RunRecord:
    return RunRecord(
        kind=kind,
        status=status,
        title="t",
        optimizers=list(optimizers),
        config={"a": 1},
        series=[{"points": [[0.0, 1.0]]}],
        runs=[{"optimizer": optimizers[0]}],
        created_at=created_at,
    )


def test_schema_is_created_in_wal_mode_with_a_version(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "sub" / "runs.sqlite3")
    assert store.schema_version == len(MIGRATIONS)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_runs_and_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    saved = RunStore(path).save(record())
    again = RunStore(path)
    assert again.schema_version == len(MIGRATIONS)
    got = again.get(saved.id)
    assert got is not None and got.config == {"a": 1} and got.series == [{"points": [[0.0, 1.0]]}]


def test_active_runs_become_interrupted_and_finished_ones_stay(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    done, queued, running = (store.save(record(status=s)) for s in ("done", "queued", "running"))
    assert store.mark_interrupted() == 2
    assert [store.get(r.id).status for r in (done, queued, running)] == ["done", "interrupted", "interrupted"]  # type: ignore[union-attr]


def test_list_filters_pages_and_sorts_newest_first(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    a = store.save(record(optimizers=("adagrad", "rmsprop"), created_at=1))
    b = store.save(record(kind="training", optimizers=("rmsprop",), created_at=2))
    c = store.save(record(status="failed", optimizers=("adam",), created_at=3))
    total, items = store.list(RunFilter())
    assert total == 3 and [r.id for r in items] == [c.id, b.id, a.id]
    assert items[0].series == []  # lists leave the (large) series out
    assert [r.id for r in store.list(RunFilter(optimizer="rmsprop"))[1]] == [b.id, a.id]
    assert [r.id for r in store.list(RunFilter(kind="training"))[1]] == [b.id]
    assert [r.id for r in store.list(RunFilter(status="failed"))[1]] == [c.id]
    total, page = store.list(RunFilter(), offset=1, limit=1)
    assert total == 3 and [r.id for r in page] == [b.id]


def test_delete(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    saved = store.save(record())
    assert store.delete(saved.id) and store.get(saved.id) is None and not store.delete(saved.id)
