"""Numeric tables from text (CSV, TSV): every refusal names the line and the column.

One parser serves the airfoil file and user uploads, so both are held to the same rules.
Lines are counted as an editor shows them (1-based, the header included).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from app.data.dataset import DataError, column_name

DELIMITERS = {"\t": "tab", ";": "semicolon", ",": "comma"}


@dataclass(frozen=True)
class Limits:
    min_columns: int = 2
    max_columns: int = 50
    min_rows: int = 10
    max_rows: int = 200_000


UPLOAD_LIMITS = Limits()


@dataclass(frozen=True)
class Table:
    values: np.ndarray  # float64, rows × columns, every value finite
    header: tuple[str, ...]  # the file's column names, () without a header row
    delimiter: str

    @property
    def names(self) -> tuple[str, ...]:
        """Header names, or x1…xF and y when the file has none."""
        if self.header:
            return self.header
        n = self.values.shape[1]
        return (*(f"x{j + 1}" for j in range(n - 1)), "y")


def decode(content: bytes) -> str:
    """UTF-8 text (a BOM is dropped); binary files are refused early with the offset."""
    if b"\x00" in content[:8192]:
        raise DataError("the file is binary (it contains NUL bytes); upload a CSV text file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"the file is not UTF-8 text (invalid byte at offset {exc.start})") from None


def sniff_delimiter(line: str) -> str:
    for delimiter in DELIMITERS:
        if delimiter in line:
            return delimiter
    return ","


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_blank(row: list[str]) -> bool:
    return all(not field.strip() for field in row)


def parse_table(
    text: str,
    limits: Limits = UPLOAD_LIMITS,
    delimiter: str | None = None,
    allow_header: bool = True,
) -> Table:
    """Parse a numeric table; the first row may be a header (every field a name, none a number)."""
    if delimiter is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: tuple[str, ...] = ()
    width = 0
    rows: list[list[float]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if _is_blank(row):
                continue
            fields = [field.strip() for field in row]
            line = reader.line_num
            if not width:
                width = len(fields)
                if width < limits.min_columns or width > limits.max_columns:
                    raise DataError(
                        f"line {line} has {width} column{'s' if width != 1 else ''} "
                        f"(separator: {DELIMITERS.get(delimiter, repr(delimiter))}); need "
                        f"{limits.min_columns} to {limits.max_columns}: the features, then the target last"
                    )
                if allow_header and all(_number(f) is None for f in fields):
                    header = tuple(f or f"column {j + 1}" for j, f in enumerate(fields))
                    continue
            elif len(fields) != width:
                raise DataError(f"line {line} has {len(fields)} columns, expected {width} like the first line")
            if len(rows) >= limits.max_rows:
                raise DataError(f"more than {limits.max_rows:,} data rows (line {line} is one too many)")
            try:
                rows.append([float(f) for f in fields])
            except ValueError:
                j = next(j for j, f in enumerate(fields) if _number(f) is None)
                what = "is empty" if not fields[j] else f"'{fields[j][:40]}' is not a number"
                hint = "; a header row must name every column" if not rows and not header else ""
                raise DataError(f"line {line}, {column_name(header, j)}: {what}{hint}") from None
            lines.append(line)
    except csv.Error as exc:
        raise DataError(f"line {reader.line_num}: {exc}") from None
    if len(rows) < limits.min_rows:
        raise DataError(f"{len(rows)} data row{'s' if len(rows) != 1 else ''}; need at least {limits.min_rows}")
    values = np.asarray(rows, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        i, j = (int(k) for k in np.argwhere(~finite)[0])
        raise DataError(f"line {lines[i]}, {column_name(header, j)}: {values[i, j]} is not a finite number")
    return Table(values, header, delimiter)
