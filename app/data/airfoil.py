"""The NASA airfoil self-noise data, prepared exactly as the book's ``get_data_ch11``.

Run as ``python -m app.data.airfoil FILE`` to check a file with the app's own loader (the
Docker build does): prints a one-line summary and exits 0, or prints the reason and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.data.dataset import DataError, Dataset, split_xy, standardise
from app.data.table import Limits, decode, parse_table

FILENAME = "airfoil_self_noise.dat"
ROWS, COLUMNS, KEPT = 1503, 6, 1500
COLUMN_NAMES = ("frequency", "angle", "chord", "velocity", "thickness", "sound_pressure")
MAX_BYTES = 1_000_000  # the real file is ~60 kB


# The page shows these in its language: app/i18n/data.py hands them to the translators.
LABEL = "NASA airfoil self-noise"
DESCRIPTION = (
    "NASA airfoil self-noise (UCI 291), as in D2L ch. 7: 6 columns standardised over all "
    f"{ROWS} rows, first {KEPT} rows kept; 5 features, target: scaled sound pressure [dB]"
)


def load_airfoil(path: Path) -> Dataset:
    """Standardise all 6 columns over all 1503 rows (population std), keep the first 1500.

    Raises DataError (missing, unreadable or not 1503×6 numeric) with the reason.
    """
    if not path.is_file():
        raise DataError(f"{path.name} not found in the data directory (OPTLAB_DATA_DIR)")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataError(f"{path.name} is {path.stat().st_size:,} bytes; the airfoil file is about 60 kB")
        content = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path.name}: {exc.strerror}") from None
    limits = Limits(min_columns=COLUMNS, max_columns=COLUMNS, min_rows=ROWS, max_rows=ROWS)
    try:
        table = parse_table(decode(content), limits, delimiter="\t", allow_header=False)
    except DataError as exc:
        raise DataError(f"{path.name}: {exc} (expected {ROWS} rows × {COLUMNS} tab-separated numbers)") from None
    X, y = split_xy(standardise(table.values, COLUMN_NAMES)[:KEPT])
    return Dataset(
        id="airfoil",
        label=LABEL,
        kind="airfoil",
        X=X,
        y=y,
        columns=COLUMN_NAMES,
        description=DESCRIPTION,
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.data.airfoil FILE", file=sys.stderr)
        return 2
    try:
        data = load_airfoil(Path(argv[0]))
    except DataError as exc:
        print(f"airfoil check failed: {exc}")
        return 1
    print(
        f"airfoil ok: {argv[0]}: {ROWS}×{COLUMNS} numeric; kept {data.rows} rows, "
        f"{data.features} features, target mean {float(data.y.mean()):+.4f} std {float(data.y.std(correction=0)):.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
