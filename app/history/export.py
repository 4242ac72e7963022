"""A stored record as CSV: one row per point (2D comparison), per loss point (training job) or per
cell (sweep)."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.history.store import RunRecord


def _sweep_rows(record: RunRecord) -> tuple[list[str], list[list[Any]]]:
    """One row per cell, row by row (Y), then column by column (X)."""
    x, y = record.config["axes"]
    metrics = list(record.config["metrics"])
    cells = record.series[0].get("cells", {}) if record.series else {}
    header = ["row", "col", x["param"], y["param"], *metrics]
    rows = []
    for r, y_value in enumerate(y["values"]):
        for c, x_value in enumerate(x["values"]):
            values = [cells[name][r][c] if name in cells else None for name in metrics]
            rows.append([r, c, x_value, y_value, *values])
    return header, rows


def _csv_rows(record: RunRecord) -> tuple[list[str], list[list[Any]]]:
    """One row per point (trajectory), per loss point (training), runs one after another, or per cell."""
    rows: list[list[Any]] = []
    if record.kind == "sweep":
        return _sweep_rows(record)
    if record.kind == "trajectory":
        header = ["run", "optimizer", "impl", "step", "x1", "x2", "value", "lr_eff_x1", "lr_eff_x2"]
        for i, (run, series) in enumerate(zip(record.runs, record.series, strict=True)):
            rates = [[None, None], *series.get("lr_eff", [])]
            for t, (point, value) in enumerate(zip(series["points"], series["values"], strict=True)):
                rows.append([i, run["optimizer"], run["impl"], t, *point, value, *rates[t]])
    else:
        header = ["run", "optimizer", "impl", "epoch", "loss"]
        # A job over several seeds adds the seeds' range and the training time; one seed keeps the plain table.
        extra = ["losses_min", "losses_max", "elapsed"] if record.config.get("seeds", 1) > 1 else []
        header += [{"losses_min": "loss_min", "losses_max": "loss_max", "elapsed": "seconds"}[key] for key in extra]
        for i, (run, series) in enumerate(zip(record.runs, record.series, strict=True)):
            columns = [series["epochs"], series["losses"], *(series[key] for key in extra)]
            for values in zip(*columns, strict=True):
                rows.append([i, run["optimizer"], run["impl"], *values])
    return header, rows


def to_csv(record: RunRecord) -> str:
    header, rows = _csv_rows(record)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
