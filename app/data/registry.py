"""Which data sets the server offers: airfoil (if its file is usable), synthetic, uploads.

Uploads live in memory for the server's lifetime, addressed by an id made from their content
(never by anything the user names), within a memory budget.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from app.data.airfoil import FILENAME, load_airfoil
from app.data.dataset import DataError, Dataset, split_xy, standardise
from app.data.synthetic import make_synthetic
from app.data.table import UPLOAD_LIMITS, Limits, decode, parse_table


class DatasetUnavailable(LookupError):
    """Known but not usable here (e.g. the airfoil file is missing); the message says why."""


class UploadStoreFull(RuntimeError):
    """The memory kept for uploads is used up."""


@dataclass(frozen=True)
class DatasetEntry:
    """A row of the catalogue: available data sets carry their data, unavailable ones a reason."""

    id: str
    label: str
    kind: str
    available: bool
    reason: str | None
    dataset: Dataset | None


def _clean_filename(name: str | None) -> str | None:
    """Only for display: the last path component, printable, at most 100 characters."""
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable())[:100]
    return base or None


class DatasetRegistry:
    def __init__(self, data_dir: Path, upload_budget_bytes: int = 256 * 2**20, limits: Limits = UPLOAD_LIMITS) -> None:
        self.data_dir = data_dir
        self.upload_budget_bytes = upload_budget_bytes
        self.limits = limits
        self._lock = threading.Lock()
        self._uploads: dict[str, Dataset] = {}
        self._synthetic = make_synthetic()
        self._airfoil: Dataset | None = None
        self._airfoil_reason: str | None = None
        self.reload_airfoil()

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
            uploads = list(self._uploads.values())
        rest = [self._synthetic, *uploads]
        return [airfoil, *(DatasetEntry(d.id, d.label, d.kind, True, None, d) for d in rest)]

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
            return sum(d.nbytes for d in self._uploads.values())

    def add_upload(self, content: bytes, filename: str | None = None) -> Dataset:
        """Parse, check and standardise a CSV; the same content returns the same data set."""
        dataset_id = "upload-" + hashlib.sha256(content).hexdigest()[:16]
        with self._lock:
            if dataset_id in self._uploads:
                return self._uploads[dataset_id]
        table = parse_table(decode(content), self.limits)
        names = table.names
        X, y = split_xy(standardise(table.values, table.header))
        shown = _clean_filename(filename)
        dataset = Dataset(
            id=dataset_id,
            label=f"Upload: {shown or dataset_id}",
            kind="upload",
            X=X,
            y=y,
            columns=names,
            filename=shown,
            description=(
                f"uploaded CSV: {X.shape[0]} rows, {X.shape[1]} features, target '{names[-1]}' (last column); "
                "every column standardised like the book"
            ),
        )
        with self._lock:
            if dataset_id in self._uploads:
                return self._uploads[dataset_id]
            used = sum(d.nbytes for d in self._uploads.values())
            if used + dataset.nbytes > self.upload_budget_bytes:
                raise UploadStoreFull(
                    f"the server keeps uploads for its lifetime and their memory is used up "
                    f"({used / 2**20:.1f} of {self.upload_budget_bytes / 2**20:.0f} MB; this set needs "
                    f"{dataset.nbytes / 2**20:.1f} MB); use a data set already uploaded"
                )
            self._uploads[dataset_id] = dataset
        return dataset
