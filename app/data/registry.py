"""Which data sets the server offers: airfoil (if its file is usable), synthetic, uploads.

Uploads are addressed by an id made from their owner and their content (never by anything the
user names), kept in memory and on disk (app/data/uploads.py) within a budget. A full budget does
not refuse everyone: the least recently used uploads make room, except those a queued or running
job trains on. At most ``MAX_PARSES`` uploads are parsed at once (a parse takes a second or so and
memory near the table's size); beyond that the caller hears ``ParsersBusy``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.data.airfoil import FILENAME, load_airfoil
from app.data.dataset import DataError, Dataset, split_xy, standardise
from app.data.synthetic import make_synthetic
from app.data.table import UPLOAD_LIMITS, Limits, parse_table, scan
from app.data.uploads import Upload, UploadFolder
from app.i18n.text import Text

log = logging.getLogger(__name__)

MAX_PARSES = 2
PARSE_RETRY_SECONDS = 3


class DatasetUnavailable(LookupError):
    """Known but not usable here (e.g. the airfoil file is missing); the message says why."""


class UploadStoreFull(RuntimeError):
    """The upload budget cannot make room (the upload alone is too large, or the rest is in use)."""


class ParsersBusy(RuntimeError):
    """``MAX_PARSES`` uploads are being parsed already."""

    retry_after = PARSE_RETRY_SECONDS


class UploadDiskError(RuntimeError):
    """The uploads folder refused a write or a removal."""


def upload_label(name: str) -> Text:
    """An upload's name in menus: its file name (the API answers it in the reader's language)."""
    return Text("Upload: {name}", name=name)


def upload_description(rows: int, features: int, target: str) -> Text:
    return Text(
        "uploaded CSV: {rows} rows, {features} features, target '{target}' (last column); "
        "every column standardised like the book",
        rows=rows,
        features=features,
        target=target,
    )


@dataclass(frozen=True)
class DatasetEntry:
    """A row of the catalogue: available data sets carry their data, unavailable ones a reason."""

    id: str
    label: str
    kind: str
    available: bool
    reason: str | None
    dataset: Dataset | None
    owner: str | None = None  # uploads: who may delete it


def _clean_filename(name: str | None) -> str | None:
    """Only for display: the last path component, printable, at most 100 characters."""
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable())[:100]
    return base or None


class DatasetRegistry:
    def __init__(
        self,
        data_dir: Path,
        upload_budget_bytes: int = 256 * 2**20,
        limits: Limits = UPLOAD_LIMITS,
        uploads_dir: Path | None = None,
        in_use: Callable[[], set[str]] = set,
    ) -> None:
        self.data_dir = data_dir
        self.upload_budget_bytes = upload_budget_bytes
        self.limits = limits
        self.in_use = in_use  # ids of data sets that queued or running jobs train on
        self.folder = UploadFolder(uploads_dir) if uploads_dir is not None else None
        self._lock = threading.Lock()
        self._parses = threading.BoundedSemaphore(MAX_PARSES)
        self._uploads: dict[str, Upload] = {}
        self._synthetic = make_synthetic()
        self._airfoil: Dataset | None = None
        self._airfoil_reason: str | None = None
        self.reload_airfoil()
        if self.folder is not None:
            for upload in sorted(self.folder.load_all(), key=lambda u: u.dataset.created_at):
                self._uploads[upload.dataset.id] = upload

    def reload_airfoil(self) -> None:
        try:
            airfoil, reason = load_airfoil(self.data_dir / FILENAME), None
        except DataError as exc:
            airfoil, reason = None, str(exc)
        with self._lock:
            self._airfoil, self._airfoil_reason = airfoil, reason

    def entries(self) -> list[DatasetEntry]:
        """airfoil first (even when unavailable), then synthetic, then uploads oldest first."""
        with self._lock:
            airfoil = DatasetEntry(
                "airfoil",
                "NASA airfoil self-noise",
                "airfoil",
                self._airfoil is not None,
                self._airfoil_reason,
                self._airfoil,
            )
            uploads = [
                DatasetEntry(u.dataset.id, u.dataset.label, u.dataset.kind, True, None, u.dataset, u.owner)
                for u in self._uploads.values()
            ]
        synthetic = self._synthetic
        return [airfoil, DatasetEntry(synthetic.id, synthetic.label, synthetic.kind, True, None, synthetic), *uploads]

    def get(self, dataset_id: str) -> Dataset:
        """The data set; KeyError if unknown, DatasetUnavailable if known but unusable."""
        for entry in self.entries():
            if entry.id == dataset_id:
                if entry.dataset is None:
                    raise DatasetUnavailable(f"dataset '{dataset_id}' is unavailable: {entry.reason}")
                return entry.dataset
        raise KeyError(dataset_id)

    def known_ids(self) -> list[str]:
        return [entry.id for entry in self.entries()]

    def uploads_bytes(self) -> int:
        with self._lock:
            return sum(u.nbytes for u in self._uploads.values())

    def touch(self, dataset_id: str) -> None:
        """A job is about to train on it: it becomes the most recently used."""
        with self._lock:
            upload = self._uploads.get(dataset_id)
            if upload is not None:
                upload.last_used = time.time()
        if upload is not None and self.folder is not None:
            try:
                self.folder.write_meta(upload)
            except OSError as exc:  # the order of eviction after a restart is all that is lost
                log.warning("could not record the use of %s: %s", dataset_id, exc)

    # --- uploads ------------------------------------------------------------------------------

    def add_upload(self, file: BinaryIO | bytes, filename: str | None = None, owner: str | None = None) -> Dataset:
        """Parse, check, standardise and keep a CSV; the same content from the same owner returns
        the same data set. ``file`` is read from disk in chunks (bytes are for tests and scripts)."""
        stream = io.BytesIO(file) if isinstance(file, bytes) else file
        facts = scan(stream, salt=(owner or "").encode() + b"\0")
        if facts.blank:
            raise DataError("the file is empty")
        dataset_id = "upload-" + facts.digest[:16]
        with self._lock:
            if dataset_id in self._uploads:
                self._uploads[dataset_id].last_used = time.time()
                return self._uploads[dataset_id].dataset
        if not self._parses.acquire(blocking=False):
            raise ParsersBusy(f"{MAX_PARSES} uploads are being read right now; retry in {PARSE_RETRY_SECONDS} s")
        try:
            dataset = self._parse(stream, facts.lines, dataset_id, filename)
        finally:
            self._parses.release()
        return self._keep(Upload(dataset, owner, time.time()))

    def _parse(self, stream: BinaryIO, max_lines: int, dataset_id: str, filename: str | None) -> Dataset:
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            table = parse_table(text, self.limits, max_lines=max_lines)
        finally:
            text.detach()  # the caller's file stays open
        names = table.names
        X, y = split_xy(standardise(table.values, table.header, in_place=True))
        del table
        shown = _clean_filename(filename)
        return Dataset(
            id=dataset_id,
            label=str(upload_label(shown or dataset_id)),
            kind="upload",
            X=X,
            y=y,
            columns=names,
            filename=shown,
            description=str(upload_description(X.shape[0], X.shape[1], names[-1])),
        )

    def _keep(self, upload: Upload) -> Dataset:
        dataset = upload.dataset
        with self._lock:
            if dataset.id in self._uploads:
                return self._uploads[dataset.id].dataset
            self._make_room(dataset.nbytes)
            self._uploads[dataset.id] = upload
        if self.folder is not None:
            try:
                self.folder.save(upload)
            except OSError as exc:
                with self._lock:
                    self._uploads.pop(dataset.id, None)
                with contextlib.suppress(OSError):  # what was written of it, if anything
                    self.folder.delete(dataset.id)
                raise UploadDiskError(f"the upload could not be stored on the server's disk ({exc.strerror})") from exc
        return dataset

    def _make_room(self, needed: int) -> None:
        """Evict least recently used uploads (not those in use) until ``needed`` bytes fit; call locked."""
        if needed > self.upload_budget_bytes:
            raise UploadStoreFull(
                f"this data set needs {needed / 2**20:.1f} MB in memory; the server keeps at most "
                f"{self.upload_budget_bytes / 2**20:.0f} MB of uploads (OPTLAB_UPLOAD_MEMORY_MB)"
            )
        used = sum(u.nbytes for u in self._uploads.values())
        busy = self.in_use()
        for upload in sorted(self._uploads.values(), key=lambda u: u.last_used):
            if used + needed <= self.upload_budget_bytes:
                break
            if upload.dataset.id in busy:
                continue
            self._evict(upload.dataset.id)
            used -= upload.nbytes
        if used + needed > self.upload_budget_bytes:
            raise UploadStoreFull(
                f"the uploads kept use {used / 2**20:.1f} of {self.upload_budget_bytes / 2**20:.0f} MB and are all "
                f"in use by queued or running jobs; this set needs {needed / 2**20:.1f} MB: retry when they end"
            )

    def _evict(self, dataset_id: str) -> None:
        del self._uploads[dataset_id]
        log.info("upload %s evicted (least recently used) to make room for a new one", dataset_id)
        if self.folder is not None:
            try:
                self.folder.delete(dataset_id)
            except OSError as exc:
                log.warning("could not remove the files of %s: %s", dataset_id, exc)

    def owner_of(self, dataset_id: str) -> str | None:
        """An upload's owner; KeyError if no such upload (the built-in sets are nobody's)."""
        with self._lock:
            return self._uploads[dataset_id].owner

    def delete_upload(self, dataset_id: str) -> bool:
        """Forget an upload (disk, then memory); jobs already queued keep their copy. False if unknown."""
        with self._lock:
            if dataset_id not in self._uploads:
                return False
        if self.folder is not None:
            try:
                self.folder.delete(dataset_id)
            except OSError as exc:
                raise UploadDiskError(f"the upload's files could not be removed ({exc.strerror})") from exc
        with self._lock:
            return self._uploads.pop(dataset_id, None) is not None
