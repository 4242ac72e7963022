"""The SQLite file behind the run history, and what happens when it is not well.

- Every operation opens a short-lived connection (safe from any thread) and turns any SQLite error
  into :class:`StoreUnavailable`, whose message says what is wrong without naming paths: the API
  answers it with 503 and ``/healthz`` reports it.
- A file that vanished while serving is recreated (empty, with the schema) on the next operation.
- A corrupt file found at start is moved aside as ``<name>.corrupt-<time>`` (with its -wal/-shm) and
  a fresh one started; the log says so at ERROR level. Found while serving, it is reported (503)
  and left alone until the next start: a file is never moved from under a running server.
- A commit never copies the write-ahead log into the file (``wal_autocheckpoint=0``): a thread of
  ``app.history.checkpoint`` does, soon after, off the path of whoever wrote.
- A read-only file or folder still serves reads: SQLite cannot open a WAL database for reading when
  it may not create the -shm file, so reads fall back to an immutable read-only connection, and
  writes fail with a 503 that says the history is read-only.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from app.history.checkpoint import CHECKPOINTS, Checkpointer

log = logging.getLogger(__name__)

_CORRUPT = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_SIDECARS = ("-wal", "-shm", "-journal")


class StoreUnavailable(RuntimeError):
    """The run history cannot do what was asked; ``str()`` is one sentence for the user."""


def describe(exc: sqlite3.Error) -> str:
    """A SQLite failure as the reason a user (or the operator reading /healthz) can act on."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    if name.startswith("SQLITE_READONLY"):
        return "the run history is read-only (its file or folder cannot be written): runs can be read, not stored"
    if is_corrupt(exc):
        return f"the run history's database file is corrupt ({exc}); a restart sets it aside and starts a fresh one"
    if name == "SQLITE_FULL":
        return "the disk holding the run history is full"
    if name.startswith("SQLITE_CANTOPEN") or name.startswith("SQLITE_PERM"):
        return f"the run history's database file cannot be opened ({exc})"
    if name.startswith("SQLITE_IOERR"):
        return f"the disk holding the run history reported an error ({exc})"
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return "the run history is busy; retry in a moment"
    return f"the run history failed ({exc})"


def is_corrupt(exc: sqlite3.Error) -> bool:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    return name == "SQLITE_NOTADB" or name.startswith("SQLITE_CORRUPT")


class Database:
    """One SQLite file in WAL mode, its schema migrated forward by ``migrations`` (one script each)."""

    def __init__(self, path: Path, migrations: Sequence[str], checkpoints: Checkpointer = CHECKPOINTS) -> None:
        self.path = path
        self.migrations = tuple(migrations)
        self.checkpoints = checkpoints
        self._lock = threading.Lock()  # one thread recreates a vanished file
        self.start_problem: str | None = None
        self._keeper: sqlite3.Connection | None = None
        self._open_at_start()
        self._hold_open()

    # --- start-up -----------------------------------------------------------------------------

    def _open_at_start(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._create_or_check()
        except sqlite3.Error as exc:
            if not is_corrupt(exc):
                self.start_problem = describe(exc)
                log.warning("run history at %s: %s", self.path, self.start_problem)
                return
            aside = self._move_aside()
            log.error(
                "RUN HISTORY CORRUPT: %s (%s); moved it aside to %s and started a fresh, empty history",
                self.path,
                exc,
                aside,
            )
            self._create_or_check()
        except OSError as exc:
            self.start_problem = f"the run history's folder cannot be used ({exc.strerror})"
            log.warning("run history at %s: %s", self.path, self.start_problem)

    def _create_or_check(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                error = sqlite3.DatabaseError(f"quick_check: {check}")
                error.sqlite_errorname = "SQLITE_CORRUPT"
                raise error
            if self._version(conn) < len(self.migrations) or conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
                self._migrate(conn)
        finally:
            conn.close()

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        self.path.replace(aside)
        for suffix in _SIDECARS:
            sidecar = self.path.with_name(self.path.name + suffix)
            if sidecar.exists():
                sidecar.replace(aside.with_name(aside.name + suffix))
        return aside

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = self._version(conn)
        for number, script in enumerate(self.migrations[version:], start=version + 1):
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

    # --- operations ---------------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation; every SQLite failure inside leaves as ``StoreUnavailable``."""
        try:
            self._recreate_if_vanished()
            conn = self._open()
        except sqlite3.Error as exc:
            raise StoreUnavailable(describe(exc)) from exc
        except OSError as exc:
            raise StoreUnavailable(f"the run history's folder cannot be used ({exc.strerror})") from exc
        try:
            yield conn
            if conn.total_changes:
                self.checkpoints.request(self.path)
        except sqlite3.Error as exc:
            if is_corrupt(exc):
                log.error(
                    "RUN HISTORY CORRUPT while serving: %s (%s); restart the server to start afresh", self.path, exc
                )
            raise StoreUnavailable(describe(exc)) from exc
        finally:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            # Under WAL, NORMAL syncs at checkpoints, not at every commit: a crash of the process loses
            # nothing, a power cut at most the last comparisons; a save stops waiting for an fsync.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoint thread copies the log
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")  # opens the file (and its -shm) now
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if not str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_CANTOPEN") or not self.path.exists():
                raise
        # A read-only folder: no -shm can be made, so read the file as it is, and refuse every write.
        conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def _recreate_if_vanished(self) -> None:
        if self.path.exists():
            return
        with self._lock:
            if self.path.exists():
                return
            log.warning("the run history file %s vanished while serving; starting a fresh, empty one", self.path)
            for suffix in _SIDECARS:  # a stale WAL must not be replayed into the new file
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._create_or_check()
            self.start_problem = None
            self._hold_open()

    def _hold_open(self) -> None:
        """Keep one idle connection for the server's life. SQLite checkpoints the WAL into the file,
        with an fsync, whenever the last connection to it closes, which each short-lived operation's
        connection otherwise is: a save then waited several milliseconds for the disk."""
        old, self._keeper = self._keeper, None
        if old is not None:
            old.close()
        try:
            keeper = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return  # a read-only or broken file: every operation says so on its own
        try:
            keeper.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.Error:
            keeper.close()
            return
        self._keeper = keeper

    def problem(self) -> str | None:
        """Why the history cannot be read or written right now, or None when it can.

        The write probe changes nothing: it rewrites the schema version inside a transaction it
        rolls back, which SQLite refuses on a read-only file.
        """
        try:
            with self.connect() as conn:
                conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute(f"PRAGMA user_version = {self._version(conn)}")
                finally:
                    conn.execute("ROLLBACK")
        except StoreUnavailable as exc:
            return str(exc)
        return None

    @property
    def schema_version(self) -> int:
        with self.connect() as conn:
            return self._version(conn)
