"""The in-memory data set and the book's preprocessing (standardise every column)."""

from __future__ import annotations

import itertools
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


def standardise(values: np.ndarray, columns: tuple[str, ...] | list[str] = (), in_place: bool = False) -> np.ndarray:
    """(v − mean) / std per column over all rows, population std (ddof=0), as the book does.

    Computed in float64; a constant column (std 0) cannot be standardised and is refused. With
    ``in_place`` a float64 array is overwritten rather than copied (an upload's table: its memory is
    the largest part of a parse). The columns go a few at a time, so numpy's temporaries stay a
    fraction of the table; blocks of at least two columns keep numpy's summation order, so the
    figures are bit for bit those of one whole-array computation.
    """
    values = np.asarray(values, dtype=np.float64)
    if not in_place:
        values = values.copy()
    width = values.shape[1]
    for a, b in _column_blocks(width):
        block = values[:, a:b]
        with np.errstate(all="ignore"):
            mean = block.mean(axis=0)
            std = block.std(axis=0)
        for j in range(a, b):
            if not np.isfinite(std[j - a]) or not np.isfinite(mean[j - a]):
                raise DataError(f"{column_name(columns, j)}: values too large to standardise")
            if std[j - a] == 0.0:
                raise DataError(
                    f"{column_name(columns, j)} is constant (every value is {values[0, j]:g}), "
                    "so it cannot be standardised"
                )
        with np.errstate(all="ignore"):
            block -= mean
            block /= std
        bad = ~np.isfinite(block).all(axis=0)
        if bad.any():
            j = a + int(np.nonzero(bad)[0][0])
            raise DataError(f"{column_name(columns, j)}: values too large to standardise")
    return values


def _column_blocks(width: int, per_block: int = 4) -> list[tuple[int, int]]:
    """[a, b) ranges of ``per_block`` columns, none narrower than two (a 1-wide block sums differently)."""
    edges = [*range(0, width, per_block), width]
    if len(edges) > 2 and edges[-1] - edges[-2] < 2:
        del edges[-2]
    return list(itertools.pairwise(edges))


def split_xy(standardised: np.ndarray) -> tuple[Tensor, Tensor]:
    """Features = every column but the last, target = the last; float32 like the book (one copy each)."""
    X = np.ascontiguousarray(standardised[:, :-1], dtype=np.float32)
    y = np.ascontiguousarray(standardised[:, -1], dtype=np.float32)
    return torch.from_numpy(X), torch.from_numpy(y)
