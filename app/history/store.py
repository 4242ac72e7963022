"""Run history in SQLite: every trajectory comparison and training job, durable across restarts.

One row per comparison or job. Writes are single transactions, so a crash never leaves a
half-written run visible. The schema carries a version (``PRAGMA user_version``) and is
migrated forward on start-up. Faults of the file itself (vanished, corrupt, read-only) are
handled in :mod:`app.history.database`; every failure reaches the caller as ``StoreUnavailable``.

Each record has an owner (the browser that made it; None for records from before owners) and
may be pinned. The history is bounded (``max_runs`` records, ``max_bytes`` of their JSON): each
save past a bound prunes the oldest records that are neither pinned nor still queued or running,
in the same transaction, and never the record being saved.

A record's JSON columns are written by :func:`~app.history.columns.column_json` (orjson where it
reads back the same) and read by the standard library.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.history.columns import column_json
from app.history.database import Database, StoreUnavailable

KINDS = ("trajectory", "training", "sweep")
ACTIVE = ("queued", "running")

__all__ = ["ACTIVE", "KINDS", "MIGRATIONS", "RunFilter", "RunRecord", "RunStore", "StoreUnavailable", "Usage"]

# Each entry moves the schema one version forward; never edit a released step, append one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        updated_at  REAL NOT NULL,
        device      TEXT,
        title       TEXT NOT NULL,
        optimizers  TEXT NOT NULL,  -- ',adagrad,rmsprop,' for LIKE filtering
        config      TEXT NOT NULL,  -- JSON
        series      TEXT NOT NULL,  -- JSON: points/values/lr_eff or loss curves, per run
        summary     TEXT NOT NULL,  -- JSON: per-run status and final figures (RunRecord.runs)
        timings     TEXT NOT NULL   -- JSON
    );
    CREATE INDEX runs_created ON runs (created_at DESC);
    CREATE INDEX runs_kind_status ON runs (kind, status);
    """,
    # Owners, pins and sizes; the indexes cover the bound checks (count and bytes, overall and per
    # owner) so that a save never reads the large JSON columns of other rows.
    """
    ALTER TABLE runs ADD COLUMN owner TEXT;
    ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
    UPDATE runs SET bytes = length(CAST(title AS BLOB)) + length(CAST(config AS BLOB)) + length(CAST(series AS BLOB))
        + length(CAST(summary AS BLOB)) + length(CAST(timings AS BLOB));
    CREATE INDEX runs_prune ON runs (pinned, created_at, bytes);
    CREATE INDEX runs_owner ON runs (owner, created_at, bytes, pinned);
    """,
)


@dataclass
class RunRecord:
    kind: str
    status: str
    title: str
    optimizers: list[str]
    config: dict[str, Any]
    series: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)  # per run: settings, status, final figures
    timings: dict[str, Any] = field(default_factory=dict)
    device: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    owner: str | None = None
    pinned: bool = False


@dataclass(frozen=True)
class RunFilter:
    kind: str | None = None
    optimizer: str | None = None
    status: str | None = None
    owner: str | None = None  # None: everyone's


@dataclass(frozen=True, kw_only=True)
class Usage:
    """How full the history is, overall and for one owner."""

    runs: int
    bytes: int
    pinned: int
    own_runs: int
    own_bytes: int
    max_runs: int
    max_bytes: int


_COLUMNS = (
    "id, kind, status, created_at, updated_at, device, title, optimizers, config, series, summary, timings, "
    "owner, pinned, bytes"
)
_LIGHT_COLUMNS = _COLUMNS.replace("series, ", "")
# A record saved again (a job's next state) keeps its owner and its pin.
_UPSERT = f"INSERT INTO runs ({_COLUMNS}) VALUES ({', '.join('?' * 15)}) ON CONFLICT (id) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in _COLUMNS.split(", ") if c not in {"id", "owner", "pinned"}
)


class RunStore:
    def __init__(self, path: Path, max_runs: int = 10_000, max_bytes: int = 1000 * 2**20) -> None:
        self.path = path
        self.max_runs, self.max_bytes = max_runs, max_bytes
        self.db = Database(path, MIGRATIONS)

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    def problem(self) -> str | None:
        """Why the history cannot be read or written now (for /healthz), or None."""
        return self.db.problem()

    # --- writes -----------------------------------------------------------------------------

    def save(self, record: RunRecord) -> RunRecord:
        """Insert or update the whole record (owner and pin stay as first saved / as set), then prune
        past the bounds, in one transaction."""
        record.updated_at = time.time()
        texts = [
            record.title,
            column_json(record.config),
            column_json(record.series),
            column_json(record.runs),  # the column "summary"
            column_json(record.timings),
        ]
        size = sum(len(text.encode()) for text in texts)
        row = (
            record.id,
            record.kind,
            record.status,
            record.created_at,
            record.updated_at,
            record.device,
            texts[0],
            "," + ",".join(record.optimizers) + ",",
            *texts[1:],
            record.owner,
            int(record.pinned),
            size,
        )
        with self.db.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(_UPSERT, row)
                self._prune(conn, keep=record.id)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return record

    def _prune(self, conn: sqlite3.Connection, keep: str) -> int:
        """Delete the oldest unpinned, finished records until both bounds hold; how many went."""
        runs, size = conn.execute("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM runs").fetchone()
        if runs <= self.max_runs and size <= self.max_bytes:
            return 0
        candidates = conn.execute(
            f"SELECT id, bytes FROM runs WHERE pinned = 0 AND status NOT IN {ACTIVE} AND id != ? "
            "ORDER BY created_at, id",
            (keep,),
        )
        doomed: list[str] = []
        for run_id, nbytes in candidates:
            if runs <= self.max_runs and size <= self.max_bytes:
                break
            doomed.append(run_id)
            runs, size = runs - 1, size - nbytes
        conn.executemany("DELETE FROM runs WHERE id = ?", [(run_id,) for run_id in doomed])
        return len(doomed)

    def delete(self, run_id: str) -> bool:
        with self.db.connect() as conn:
            return conn.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0

    def set_pinned(self, run_id: str, pinned: bool) -> bool:
        """Pin (never pruned) or unpin a record; False if there is no such record."""
        with self.db.connect() as conn:
            return conn.execute("UPDATE runs SET pinned = ? WHERE id = ?", (int(pinned), run_id)).rowcount > 0

    def mark_interrupted(self) -> int:
        """Runs that were queued or running when the server stopped did not finish: say so, for the
        record and for each of its runs that had not ended, in one transaction."""
        with self.db.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute(f"SELECT id, summary FROM runs WHERE status IN {ACTIVE}").fetchall()
                now = time.time()
                for row in rows:
                    runs = [_interrupted(run) for run in json.loads(row["summary"])]
                    conn.execute(
                        "UPDATE runs SET status = 'interrupted', updated_at = ?, summary = ? WHERE id = ?",
                        (now, column_json(runs), row["id"]),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return len(rows)

    # --- reads ------------------------------------------------------------------------------

    def get(self, run_id: str) -> RunRecord | None:
        with self.db.connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _record(row) if row is not None else None

    def list(self, where: RunFilter, offset: int = 0, limit: int = 50) -> tuple[int, list[RunRecord]]:
        """A page of runs, newest first, without their series (they can be large)."""
        clauses, args = _where(where)
        sql_where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.db.connect() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM runs {sql_where}", args).fetchone()[0]
            rows = conn.execute(
                f"SELECT {_LIGHT_COLUMNS} FROM runs {sql_where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return int(total), [_record(row) for row in rows]

    def usage(self, owner: str | None) -> Usage:
        with self.db.connect() as conn:
            runs, size, pinned = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(bytes), 0), COALESCE(SUM(pinned), 0) FROM runs"
            ).fetchone()
            own_runs, own_bytes = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM runs WHERE owner = ?", (owner,)
            ).fetchone()
        return Usage(
            runs=runs,
            bytes=size,
            pinned=pinned,
            own_runs=own_runs,
            own_bytes=own_bytes,
            max_runs=self.max_runs,
            max_bytes=self.max_bytes,
        )


def _where(where: RunFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if where.kind:
        clauses.append("kind = ?")
        args.append(where.kind)
    if where.status:
        clauses.append("status = ?")
        args.append(where.status)
    if where.optimizer:
        clauses.append("optimizers LIKE ?")
        args.append(f"%,{where.optimizer},%")
    if where.owner is not None:
        clauses.append("owner = ?")
        args.append(where.owner)
    return clauses, args


def _interrupted(run: Any) -> Any:
    """One run of an interrupted record: 'interrupted' unless it had already ended."""
    if not isinstance(run, dict) or run.get("status") not in ACTIVE:
        return run
    ended = {**run, "status": "interrupted"}
    if "summary" in run and not run["summary"]:  # a training run's line, empty until it ends
        ended["summary"] = "interrupted"
    return ended


def _record(row: sqlite3.Row) -> RunRecord:
    keys = row.keys()
    return RunRecord(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        device=row["device"],
        title=row["title"],
        optimizers=[o for o in row["optimizers"].split(",") if o],
        config=json.loads(row["config"]),
        series=json.loads(row["series"]) if "series" in keys else [],
        runs=json.loads(row["summary"]),
        timings=json.loads(row["timings"]),
        owner=row["owner"],
        pinned=bool(row["pinned"]),
    )


def optimizer_names(runs: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({str(run["optimizer"]) for run in runs})
