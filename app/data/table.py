"""Numeric tables from text (CSV, TSV): every refusal names the line and the column.

One parser serves the airfoil file and user uploads, so both are held to the same rules.
Lines are counted as an editor shows them (1-based, the header included).

Memory stays close to the table's own size: the text is read line by line (an upload is parsed
from its file on disk, never held as one string) and the numbers go straight into one float64
array, allocated once from an upper bound on the rows (the file's line count).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO, TextIO

import numpy as np

from app.data.dataset import DataError, column_name

DELIMITERS = {"\t": "tab", ";": "semicolon", ",": "comma"}


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class FileFacts:
    """What one pass over an upload's bytes tells before parsing it."""

    size: int
    lines: int  # an upper bound on its rows
    digest: str  # sha256 of the salt and the content
    blank: bool  # nothing but white space


def scan(file: BinaryIO, salt: bytes = b"", chunk: int = 1 << 16) -> FileFacts:
    """Hash, count lines and check the text encoding of a file in fixed-size chunks.

    The same refusals as :func:`decode` (binary, not UTF-8 with the offset), without holding the file.
    """
    digest = hashlib.sha256(salt)
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = lines = 0
    blank = True
    file.seek(0)
    while block := file.read(chunk):
        if size < 8192 and b"\x00" in block[: 8192 - size]:
            raise DataError("the file is binary (it contains NUL bytes); upload a CSV text file")
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            raise DataError(f"the file is not UTF-8 text (invalid byte at offset {size + exc.start})") from None
        digest.update(block)
        blank = blank and block.isspace()
        lines += block.count(b"\n")
        size += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise DataError(f"the file is not UTF-8 text (invalid byte at offset {size - 1})") from None
    file.seek(0)
    return FileFacts(size=size, lines=lines + 1, digest=digest.hexdigest(), blank=blank)


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
    source: str | TextIO,
    limits: Limits = UPLOAD_LIMITS,
    delimiter: str | None = None,
    allow_header: bool = True,
    max_lines: int | None = None,
) -> Table:
    """Parse a numeric table from text or a seekable text stream (an upload's file); the first row
    may be a header (every field a name, none a number). ``max_lines`` bounds the rows (a stream's
    line count); for text it is counted here."""
    if isinstance(source, str):
        max_lines = source.count("\n") + 1
        source = io.StringIO(source, newline="")
    if delimiter is None:
        first = next((line for line in source if line.strip()), "")
        delimiter = sniff_delimiter(first)
        source.seek(0)
    rows = _Rows(limits, delimiter, min(max_lines or limits.max_rows, limits.max_rows))
    reader = csv.reader(source, delimiter=delimiter)
    try:
        for row in reader:
            if not _is_blank(row):
                rows.add([field.strip() for field in row], reader.line_num, allow_header)
    except csv.Error as exc:
        raise DataError(f"line {reader.line_num}: {exc}") from None
    return rows.table()


class _Rows:
    """The rows read so far, in one float64 array allocated from a bound on their number."""

    def __init__(self, limits: Limits, delimiter: str, capacity: int) -> None:
        self.limits, self.delimiter, self.capacity = limits, delimiter, capacity
        self.header: tuple[str, ...] = ()
        self.width = 0
        self.values = np.empty((0, 0))
        self.lines = np.empty(capacity, dtype=np.int32)  # the line of each row, for the messages
        self.count = 0

    def add(self, fields: list[str], line: int, allow_header: bool) -> None:
        if not self.width:
            self._first(fields, line)
            if allow_header and all(_number(f) is None for f in fields):
                self.header = tuple(f or f"column {j + 1}" for j, f in enumerate(fields))
                return
        elif len(fields) != self.width:
            raise DataError(f"line {line} has {len(fields)} columns, expected {self.width} like the first line")
        count, limits = self.count, self.limits
        if count >= limits.max_rows:
            raise DataError(f"more than {limits.max_rows:,} data rows (line {line} is one too many)")
        if count >= len(self.values):  # the bound was too low (it never is for a line count): grow
            self.values = np.concatenate([self.values, np.empty_like(self.values[: count + 1])])
            self.lines = np.concatenate([self.lines, np.empty_like(self.lines[: count + 1])])
        try:
            self.values[count] = [float(f) for f in fields]
        except ValueError:
            j = next(j for j, f in enumerate(fields) if _number(f) is None)
            what = "is empty" if not fields[j] else f"'{fields[j][:40]}' is not a number"
            hint = "; a header row must name every column" if not count and not self.header else ""
            raise DataError(f"line {line}, {column_name(self.header, j)}: {what}{hint}") from None
        self.lines[count] = line
        self.count += 1

    def _first(self, fields: list[str], line: int) -> None:
        """The first row sets the width (and the array's), within the limits."""
        width, limits = len(fields), self.limits
        if width < limits.min_columns or width > limits.max_columns:
            raise DataError(
                f"line {line} has {width} column{'s' if width != 1 else ''} "
                f"(separator: {DELIMITERS.get(self.delimiter, repr(self.delimiter))}); need "
                f"{limits.min_columns} to {limits.max_columns}: the features, then the target last"
            )
        self.width = width
        self.values = np.empty((self.capacity, width), dtype=np.float64)

    def table(self) -> Table:
        count = self.count
        if count < self.limits.min_rows:
            raise DataError(f"{count} data row{'s' if count != 1 else ''}; need at least {self.limits.min_rows}")
        values = self.values[:count]
        for a in range(0, len(values), 4096):  # in slices: a mask of the whole table would cost an eighth of it
            finite = np.isfinite(values[a : a + 4096])
            if not finite.all():
                i, j = (int(k) for k in np.argwhere(~finite)[0])
                i += a
                where = f"line {self.lines[i]}, {column_name(self.header, j)}"
                raise DataError(f"{where}: {values[i, j]} is not a finite number")
        return Table(values, self.header, self.delimiter)
