"""The in-memory data set and the book's preprocessing (standardise every column)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import torch
from torch import Tensor


class DataError(ValueError):
    """Data refused; the message says what is wrong and where (line, column)."""


@dataclass(frozen=True)
class Dataset:
    """Standardised features ``X`` (n×F, float32) and target ``y`` (n, float32), on the CPU."""

    id: str
    label: str
    kind: str  # "airfoil" | "synthetic" | "upload"
    X: Tensor
    y: Tensor
    columns: tuple[str, ...]  # F feature names, then the target's
    description: str
    synthetic: bool = False
    filename: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def rows(self) -> int:
        return int(self.X.shape[0])

    @property
    def features(self) -> int:
        return int(self.X.shape[1])

    @property
    def nbytes(self) -> int:
        return self.X.element_size() * self.X.nelement() + self.y.element_size() * self.y.nelement()


def column_name(columns: tuple[str, ...] | list[str], j: int) -> str:
    """'column 3 ('x3')' for messages: 1-based like a spreadsheet, with the file's header name if any."""
    name = columns[j] if j < len(columns) else ""
    return f"column {j + 1} ('{name}')" if name else f"column {j + 1}"


def standardise(values: np.ndarray, columns: tuple[str, ...] | list[str] = ()) -> np.ndarray:
    """(v − mean) / std per column over all rows, population std (ddof=0), as the book does.

    Computed in float64; a constant column (std 0) cannot be standardised and is refused.
    """
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        mean = values.mean(axis=0)
        std = values.std(axis=0)
        out = (values - mean) / std
    for j in range(values.shape[1]):
        if not np.isfinite(std[j]) or not np.isfinite(mean[j]):
            raise DataError(f"{column_name(columns, j)}: values too large to standardise")
        if std[j] == 0.0:
            raise DataError(
                f"{column_name(columns, j)} is constant (every value is {values[0, j]:g}), so it cannot be standardised"
            )
    if not np.isfinite(out).all():
        j = int(np.nonzero(~np.isfinite(out).all(axis=0))[0][0])
        raise DataError(f"{column_name(columns, j)}: values too large to standardise")
    result: np.ndarray = out
    return result


def split_xy(standardised: np.ndarray) -> tuple[Tensor, Tensor]:
    """Features = every column but the last, target = the last; float32 like the book."""
    data = torch.from_numpy(np.ascontiguousarray(standardised, dtype=np.float32))
    return data[:, :-1].contiguous(), data[:, -1].contiguous()
