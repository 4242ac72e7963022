"""Checkpoints of the run history's write-ahead log, off the path of the write that grew it.

SQLite's own checkpoint runs inside the commit that takes the log past 1,000 pages: a sweep's
terminal save (a megabyte of cells) then waited 15–25 ms, in one save out of four, for the pages
to be copied into the file and for the disk's fsync, and the sweep's ``done`` waited as long. The
history's connections turn that off (``wal_autocheckpoint=0``) and ask this one thread per process
to checkpoint soon after a write instead. A crash in between loses nothing: the log is the data
until it is copied, and the next open reads it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from functools import partial
from pathlib import Path

from app.history.behind import WriteBehind

log = logging.getLogger(__name__)

DELAY_SECONDS = 0.05  # the writes of one burst (a job's or a sweep's states) share a checkpoint


def checkpoint(path: Path) -> None:
    """Copy what the log holds into the file, as far as readers allow, without waiting for a lock."""
    # mode=rw: a file deleted meanwhile is not recreated empty here (Database does that, with the schema)
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, timeout=5, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    finally:
        conn.close()


class Checkpointer(WriteBehind):
    """Checkpoints the files it is asked to on its own thread, ``delay`` after the first ask of a
    round: the asks that come meanwhile share that checkpoint."""

    def __init__(self, delay: float = DELAY_SECONDS) -> None:
        super().__init__(delay)

    def request(self, path: Path) -> None:
        self.later(str(path), partial(_checkpoint_or_say_why, path))


def _checkpoint_or_say_why(path: Path) -> None:
    try:
        checkpoint(path)
    except sqlite3.Error as exc:  # the next write asks again; the log keeps the data
        log.warning("could not checkpoint the run history's log: %s", exc)


CHECKPOINTS = Checkpointer()
os.register_at_fork(after_in_child=CHECKPOINTS.forget)  # a forked worker starts a thread of its own
