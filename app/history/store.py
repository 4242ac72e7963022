"""Run history in SQLite: every trajectory comparison and training job, durable across restarts.

One row per comparison or job. Writes are single transactions, so a crash never leaves a
half-written run visible. The schema carries a version (``PRAGMA user_version``) and is
migrated forward on start-up.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("trajectory", "training")
ACTIVE = ("queued", "running")

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
        summary     TEXT NOT NULL,  -- JSON: per-run status and final figures
        timings     TEXT NOT NULL   -- JSON
    );
    CREATE INDEX runs_created ON runs (created_at DESC);
    CREATE INDEX runs_kind_status ON runs (kind, status);
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
    summary: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, Any] = field(default_factory=dict)
    device: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class RunFilter:
    kind: str | None = None
    optimizer: str | None = None
    status: str | None = None


_COLUMNS = "id, kind, status, created_at, updated_at, device, title, optimizers, config, series, summary, timings"
_LIGHT_COLUMNS = "id, kind, status, created_at, updated_at, device, title, optimizers, config, summary, timings"


class RunStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            self._migrate(conn)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection per operation: safe from any worker thread."""
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            yield conn
        finally:
            conn.close()

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # --- writes -----------------------------------------------------------------------------

    def save(self, record: RunRecord) -> RunRecord:
        """Insert or replace the whole record in one transaction."""
        record.updated_at = time.time()
        row = (
            record.id,
            record.kind,
            record.status,
            record.created_at,
            record.updated_at,
            record.device,
            record.title,
            "," + ",".join(record.optimizers) + ",",
            json.dumps(record.config),
            json.dumps(record.series),
            json.dumps(record.summary),
            json.dumps(record.timings),
        )
        with self._connect() as conn:
            conn.execute(f"INSERT OR REPLACE INTO runs ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", row)
        return record

    def delete(self, run_id: str) -> bool:
        with self._connect() as conn:
            return conn.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0

    def mark_interrupted(self) -> int:
        """Runs that were queued or running when the server stopped did not finish: say so, for the
        record and for each of its runs that had not ended, in one transaction."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute(f"SELECT id, summary FROM runs WHERE status IN {ACTIVE}").fetchall()
                now = time.time()
                for row in rows:
                    summary = [_interrupted(run) for run in json.loads(row["summary"])]
                    conn.execute(
                        "UPDATE runs SET status = 'interrupted', updated_at = ?, summary = ? WHERE id = ?",
                        (now, json.dumps(summary), row["id"]),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return len(rows)

    # --- reads ------------------------------------------------------------------------------

    def get(self, run_id: str) -> RunRecord | None:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _record(row) if row is not None else None

    def list(self, where: RunFilter, offset: int = 0, limit: int = 50) -> tuple[int, list[RunRecord]]:
        """A page of runs, newest first, without their series (they can be large)."""
        clauses, args = _where(where)
        sql_where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM runs {sql_where}", args).fetchone()[0]
            rows = conn.execute(
                f"SELECT {_LIGHT_COLUMNS} FROM runs {sql_where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return int(total), [_record(row) for row in rows]


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
        summary=json.loads(row["summary"]),
        timings=json.loads(row["timings"]),
    )


def optimizer_names(runs: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({str(run["optimizer"]) for run in runs})
