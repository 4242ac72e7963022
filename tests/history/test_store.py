"""The SQLite run history: versioned schema, transactional writes, interrupted runs, filters."""

from __future__ import annotations

import json
import math
import random
import sqlite3
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.history.columns import column_json
from app.history.store import MIGRATIONS, RunFilter, RunRecord, RunStore
from app.jsontext import JsonText


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


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types, NaN equal to NaN, -0.0 told from 0.0."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def test_a_column_reads_back_as_the_standard_librarys_text_would() -> None:
    rng = random.Random(7)
    doubles = [struct.unpack("<d", rng.randbytes(8))[0] for _ in range(20_000)]
    doubles += [0.0, -0.0, 1.0, 2.0, 1e16, 1e-7, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 123456789012345680.0]
    finite = [x for x in doubles if math.isfinite(x)]
    cases: list[Any] = [
        {"points": [[x, -x] for x in finite[:500]], "values": finite},
        {"losses": [1.0, math.nan, math.inf, -math.inf, 0.5], "summary": ""},  # a diverged training run
        {"expression": None, "steps": 20, "seed": 2**70, "text": "AdaGrad η ≈ 0.4", "flag": True},
        {1: "a key that is not a string", "nested": [[], {}, [None]]},
        doubles,  # NaN and infinities among them
        [{"cells": {"final_value": [[0.5, None, math.nan], [None, 1.0, 2.0]]}}],  # a None and a NaN in one grid
        [{"cells": [[None, 0.25]], "note": "null"}, (None, math.inf)],  # the word, and an inf beside None
    ]
    for value in cases:
        assert same(json.loads(column_json(value)), json.loads(json.dumps(value)))


def test_a_sweeps_cells_with_none_but_no_nan_are_written_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    """None is null either way; only a NaN or an inf needs the standard library's text."""
    cells = {"final_value": [[0.1 * c if (r + c) % 7 else None for c in range(64)] for r in range(64)]}
    value = [{"cells": cells}]
    want = json.loads(json.dumps(value))

    def refused(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the standard library was asked")

    monkeypatch.setattr(json, "dumps", refused)
    assert same(json.loads(column_json(value)), want)


def test_float64_arrays_are_written_as_their_lists() -> None:
    rng = np.random.default_rng(3)
    points = rng.standard_normal((1000, 2)) * 10.0 ** rng.integers(-300, 300, (1000, 2))
    for array in (points, points[:, 0].copy(), np.array([1.0, np.nan, np.inf]), np.empty((0, 2))):
        series = [{"points": array, "state": {"s": array}}]
        plain = [{"points": array.tolist(), "state": {"s": array.tolist()}}]
        assert same(json.loads(column_json(series)), json.loads(json.dumps(plain)))


def test_non_finite_numbers_round_trip_through_the_store(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    losses = [1.0, math.nan, math.inf, -math.inf, None, 1e-7]
    saved = store.save(
        RunRecord(
            kind="training",
            status="done",
            title="t",
            optimizers=["sgd"],
            config={"lr": math.inf},
            series=[{"losses": losses, "points": np.array([[0.5, math.nan]])}],
            runs=[{"optimizer": "sgd", "final_loss": math.nan}],
        )
    )
    got = store.get(saved.id)
    assert got is not None
    assert same(got.series, [{"losses": losses, "points": [[0.5, math.nan]]}])
    assert same(got.config, {"lr": math.inf}) and same(got.runs, [{"optimizer": "sgd", "final_loss": math.nan}])


def test_json_text_goes_in_as_its_text() -> None:
    """A sweep's cells arrive as the text their worker wrote; beside a NaN the standard library
    writes the column, and the text goes in as its value."""
    grid = [[0.5, None], [0.25, 1.0]]
    text = JsonText.of(grid)
    assert json.loads(column_json([{"cells": {"final_value": text}}])) == [{"cells": {"final_value": grid}}]
    mixed = json.loads(column_json({"cells": text, "loss": math.nan}))
    assert mixed["cells"] == grid and math.isnan(mixed["loss"])
