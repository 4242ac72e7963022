"""The history stays within its bounds (records and bytes): the oldest unpinned, finished records go
first; pinned, queued and running ones and the record being saved never go. Owners and pins
survive a record's later saves and the migration from the schema without them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.history.store import MIGRATIONS, RunFilter, RunRecord, RunStore
from app.main import create_app
from tests.utils import BOOK


def record(created_at: float, status: str = "done", owner: str | None = "o" * 20, size: int = 100) -> RunRecord:
    return RunRecord(
        kind="trajectory",
        status=status,
        title="t",
        optimizers=["gd"],
        config={"pad": "x" * size},
        created_at=created_at,
        owner=owner,
    )


def ids(store: RunStore) -> list[str]:
    return [r.id for r in reversed(store.list(RunFilter(), limit=200)[1])]  # oldest first


def test_past_the_record_bound_the_oldest_unpinned_go(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3", max_runs=3)
    a, b, c = (store.save(record(t)) for t in (1, 2, 3))
    store.set_pinned(a.id, True)
    d = store.save(record(4))
    assert ids(store) == [a.id, c.id, d.id] and store.get(b.id) is None  # b was the oldest unpinned
    e = store.save(record(5))
    assert ids(store) == [a.id, d.id, e.id]
    assert store.get(a.id).pinned  # type: ignore[union-attr]


def test_past_the_byte_bound_the_oldest_unpinned_go(tmp_path: Path) -> None:
    probe = RunStore(tmp_path / "probe.sqlite3")
    probe.save(record(0, size=1000))
    one = probe.usage(None).bytes  # what one such record weighs
    store = RunStore(tmp_path / "runs.sqlite3", max_bytes=int(2.5 * one))
    saved = [store.save(record(t, size=1000)) for t in range(1, 6)]
    assert ids(store) == [saved[3].id, saved[4].id]
    assert store.usage(None).bytes <= 2.5 * one


def test_queued_running_and_pinned_records_are_never_pruned(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3", max_runs=2)
    queued, running = store.save(record(1, "queued")), store.save(record(2, "running"))
    pinned = store.save(record(3))
    store.set_pinned(pinned.id, True)
    newest = store.save(record(4))
    assert set(ids(store)) == {queued.id, running.id, pinned.id, newest.id}  # over the bound: nothing may go
    later = store.save(record(5))
    assert set(ids(store)) == {queued.id, running.id, pinned.id, later.id}  # the unpinned 'newest' went
    queued.status = "done"
    store.save(queued)  # a job's next state: saved again, now prunable, but not by its own save
    assert queued.id in ids(store)
    store.save(record(6))
    assert queued.id not in ids(store)


def test_a_record_saved_again_keeps_its_owner_and_pin(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    job = store.save(record(1, "running", owner="alice" * 4))
    store.set_pinned(job.id, True)
    store.save(RunRecord(**{**job.__dict__, "status": "done", "owner": None, "pinned": False}))
    again = store.get(job.id)
    assert again is not None and again.status == "done" and again.pinned and again.owner == "alice" * 4


def test_usage_counts_everyone_and_the_owner(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3", max_runs=50, max_bytes=10**6)
    for t in range(3):
        store.save(record(t, owner="a" * 20))
    store.save(record(9, owner="b" * 20))
    usage = store.usage("a" * 20)
    assert (usage.runs, usage.own_runs, usage.max_runs, usage.max_bytes) == (4, 3, 50, 10**6)
    assert usage.own_bytes * 4 == usage.bytes * 3  # records of one size
    assert store.list(RunFilter(owner="b" * 20))[0] == 1


def test_the_schema_without_owners_is_migrated_and_its_records_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO runs VALUES ('oldrun', 'trajectory', 'done', 1, 1, 'cpu', 'old', ',gd,', ?, '[]', '[]', '{}')",
        (json.dumps({"pad": "x" * 500}),),
    )
    conn.close()
    store = RunStore(path)
    assert store.schema_version == len(MIGRATIONS)
    old = store.get("oldrun")
    assert old is not None and old.owner is None and not old.pinned and old.config == {"pad": "x" * 500}
    assert store.usage(None).bytes > 500  # its size was computed by the migration


def test_the_api_prunes_and_pins_within_the_configured_bounds(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"history_max_runs": 3}))) as client:
        first = client.post("/api/trajectories", json=BOOK).json()["run_id"]
        assert client.post(f"/api/runs/{first}/pin").status_code == 200
        # distinct requests: a repeat would be answered with its record, not a new one
        made = [client.post("/api/trajectories", json={**BOOK, "seed": seed}).json()["run_id"] for seed in range(1, 5)]
        page = client.get("/api/runs").json()
        assert page["total"] == 3 and {r["id"] for r in page["items"]} == {first, *made[-2:]}
        assert page["usage"]["runs"] == 3 and page["usage"]["pinned"] == 1 and page["usage"]["max_runs"] == 3
