"""Uploaded data sets on disk, so that they survive a restart.

Each upload is two files in the uploads folder: ``<id>.npy``, the standardised table (float32,
the features then the target, exactly the tensors the engine trains on), and ``<id>.json``, what
the catalogue shows plus its owner and when it was last used. Both are written to a temporary
name and renamed, so a crash leaves either the whole upload or none of it; a pair that cannot be
read at start is skipped with a warning (and left for the operator).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch

from app.data.dataset import Dataset

log = logging.getLogger(__name__)

_ID = re.compile(r"upload-[0-9a-f]{16}")


@dataclass
class Upload:
    """An upload in the registry: its data set, its owner, and its last use (for eviction)."""

    dataset: Dataset
    owner: str | None
    last_used: float

    @property
    def nbytes(self) -> int:
        return self.dataset.nbytes


class UploadFolder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load_all(self) -> list[Upload]:
        """Every readable upload in the folder (none if the folder does not exist yet)."""
        if not self.directory.is_dir():
            return []
        uploads = []
        for meta in sorted(self.directory.glob("upload-*.json")):
            if not _ID.fullmatch(meta.stem):
                continue
            try:
                uploads.append(self._load(meta))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("uploaded data set %s cannot be read, skipped: %s", meta.stem, exc)
        return uploads

    def _load(self, meta_path: Path) -> Upload:
        meta = json.loads(meta_path.read_text())
        table = np.load(meta_path.with_suffix(".npy"), allow_pickle=False)
        if table.dtype != np.float32 or table.ndim != 2 or table.shape[1] != len(meta["columns"]):
            raise ValueError(
                f"the table is {table.dtype} {table.shape}, not float32 with {len(meta['columns'])} columns"
            )
        dataset = Dataset(
            id=meta_path.stem,
            label=str(meta["label"]),
            kind="upload",
            X=torch.from_numpy(np.ascontiguousarray(table[:, :-1])),
            y=torch.from_numpy(np.ascontiguousarray(table[:, -1])),
            columns=tuple(str(c) for c in meta["columns"]),
            description=str(meta["description"]),
            filename=meta.get("filename"),
            created_at=datetime.fromtimestamp(float(meta["created_at"]), UTC),
        )
        return Upload(dataset, meta.get("owner"), float(meta.get("last_used", meta["created_at"])))

    def save(self, upload: Upload) -> None:
        """Write both files (the table first: a listed upload always has its data). Raises OSError."""
        self.directory.mkdir(parents=True, exist_ok=True)
        data = upload.dataset
        table = np.empty((data.rows, data.features + 1), dtype=np.float32)
        table[:, :-1], table[:, -1] = data.X.numpy(), data.y.numpy()
        base = self.directory / data.id
        self._atomic(base.with_suffix(".npy"), lambda f: np.save(f, table, allow_pickle=False))
        self.write_meta(upload)

    def write_meta(self, upload: Upload) -> None:
        data = upload.dataset
        meta = {
            "label": data.label,
            "columns": list(data.columns),
            "description": data.description,
            "filename": data.filename,
            "created_at": data.created_at.timestamp(),
            "owner": upload.owner,
            "last_used": upload.last_used,
        }
        text = json.dumps(meta).encode()
        self._atomic((self.directory / data.id).with_suffix(".json"), lambda f: f.write(text))

    def delete(self, dataset_id: str) -> None:
        for suffix in (".json", ".npy"):  # the listing goes first
            (self.directory / dataset_id).with_suffix(suffix).unlink(missing_ok=True)

    def _atomic(self, path: Path, write: Callable[[BinaryIO], object]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
