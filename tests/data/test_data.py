"""Data sets: the book's airfoil preprocessing, the synthetic set, and every CSV refusal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from app.data.airfoil import FILENAME, load_airfoil, main
from app.data.dataset import DataError, standardise
from app.data.registry import DatasetRegistry, DatasetUnavailable, UploadStoreFull
from app.data.synthetic import make_synthetic
from app.data.table import Limits, decode, parse_table
from tests.utils import DATA_DIR, ROOT

AIRFOIL = Path(DATA_DIR) / FILENAME


def csv_bytes(rows: list[list[object]], header: list[str] | None = None, sep: str = ",") -> bytes:
    lines = [sep.join(header)] if header else []
    lines += [sep.join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def good_rows(n: int = 12, cols: int = 3) -> list[list[object]]:
    return [[(i * (j + 2)) % 7 + 0.5 * j + i / 10 for j in range(cols)] for i in range(n)]


# --- airfoil --------------------------------------------------------------------------------


def test_airfoil_is_standardised_as_the_book_over_all_1503_rows() -> None:
    data = load_airfoil(AIRFOIL)
    assert data.X.shape == (1500, 5) and data.y.shape == (1500,)
    assert data.X.dtype == torch.float32 and data.y.dtype == torch.float32
    # An independent computation: numpy's own reader, mean and population std over all 1503 rows.
    raw = np.loadtxt(AIRFOIL, delimiter="\t")
    assert raw.shape == (1503, 6)
    expected = ((raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=0))[:1500]
    np.testing.assert_allclose(data.X.numpy(), expected[:, :5], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(data.y.numpy(), expected[:, 5], rtol=1e-6, atol=1e-6)
    # Standardised over 1503 rows, not 1500: the kept rows are close to, but not exactly, mean 0.
    assert abs(float(data.y.double().mean())) > 1e-4
    assert not data.synthetic and data.columns[-1] == "sound_pressure"


def test_a_missing_airfoil_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        load_airfoil(tmp_path / FILENAME)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda lines: lines[:1500], "1500 data rows; need at least 1503"),
        (lambda lines: [*lines, lines[0]], "more than 1,503 data rows"),
        (lambda lines: [lines[0].replace("0.3048", "abc"), *lines[1:]], "line 1, column 3: 'abc' is not a number"),
        (lambda lines: [*lines[:9], lines[9] + "\t1", *lines[10:]], "line 10 has 7 columns, expected 6"),
        (lambda lines: [line.replace("\t", ",") for line in lines], "line 1 has 1 column"),
        (lambda lines: [lines[0].replace("126.201", "nan"), *lines[1:]], "line 1, column 6: nan is not a finite"),
    ],
)
def test_a_malformed_airfoil_file_is_refused_with_the_reason(
    tmp_path: Path,
    edit: Callable[[list[str]], list[str]],
    reason: str,
) -> None:
    lines = AIRFOIL.read_text().splitlines()
    path = tmp_path / FILENAME
    path.write_text("\n".join(edit(lines)) + "\n")
    with pytest.raises(DataError, match=reason):
        load_airfoil(path)


def test_the_data_check_cli_accepts_the_real_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(AIRFOIL)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("airfoil ok:") and "1503×6" in out and out.count("\n") == 1


def test_the_data_check_cli_fails_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dat"
    bad.write_text("1\t2\n")
    result = subprocess.run(
        [sys.executable, "-m", "app.data.airfoil", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "airfoil check failed" in result.stdout and "line 1 has 2 columns" in result.stdout
    assert "Warning" not in result.stderr


# --- synthetic ------------------------------------------------------------------------------


def test_synthetic_is_seeded_shaped_like_airfoil_and_labelled() -> None:
    a, b = make_synthetic(), make_synthetic()
    assert a.X.shape == (1500, 5) and a.y.shape == (1500,)
    assert torch.equal(a.X, b.X) and torch.equal(a.y, b.y)
    assert a.synthetic and "synthetic" in a.label.lower() and "SYNTHETIC" in a.description
    full = torch.cat([a.X, a.y[:, None]], dim=1).double()
    assert torch.allclose(full.mean(0), torch.zeros(6, dtype=torch.float64), atol=1e-6)
    assert torch.allclose(full.std(0, correction=0), torch.ones(6, dtype=torch.float64), atol=1e-6)
    # A linear relation with noise: least squares explains most but not all of y.
    coef = torch.linalg.lstsq(a.X.double(), a.y.double()[:, None]).solution
    residual = float(((a.X.double() @ coef).squeeze() - a.y.double()).var())
    assert 0.05 < residual < 0.5


# --- CSV parsing ----------------------------------------------------------------------------


def test_a_csv_with_header_is_standardised_and_keeps_every_row() -> None:
    rows = good_rows(40, 4)
    registry = DatasetRegistry(Path("/nonexistent"))
    data = registry.add_upload(csv_bytes(rows, ["a", "b", "c", "target"]), "my data.csv")
    values = np.asarray(rows, dtype=np.float64)
    expected = (values - values.mean(0)) / values.std(0)
    np.testing.assert_allclose(data.X.numpy(), expected[:, :3], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(data.y.numpy(), expected[:, 3], rtol=1e-6, atol=1e-6)
    assert data.columns == ("a", "b", "c", "target") and data.filename == "my data.csv"
    assert data.id.startswith("upload-") and registry.get(data.id) is data
    assert registry.add_upload(csv_bytes(rows, ["a", "b", "c", "target"]), "again.csv") is data  # same content


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separators_are_recognised(sep: str) -> None:
    table = parse_table(csv_bytes(good_rows(), sep=sep).decode())
    assert table.values.shape == (12, 3) and table.header == ()
    assert table.names == ("x1", "x2", "y")


def test_quoted_fields_blank_lines_and_a_bom_are_fine() -> None:
    text = '\ufeff"x","y"\n\n"1.5","2"\n' + "".join(f"{i},{i * 2 + 1}\n" for i in range(12)) + "\n\n"
    table = parse_table(decode(text.encode("utf-8")))
    assert table.header == ("x", "y") and table.values.shape == (13, 2)


BAD_CSVS = [
    (b"", "the file is empty"),
    (b" \n\t\n", "the file is empty"),
    (csv_bytes(good_rows(9)), "9 data rows; need at least 10"),
    (csv_bytes([[1], [2]] * 6), "line 1 has 1 column"),
    (csv_bytes([list(range(51))] * 12), "line 1 has 51 columns"),
    (csv_bytes([*good_rows(5), [1, 2], *good_rows(6)]), "line 6 has 2 columns, expected 3"),
    (csv_bytes([*good_rows(5), [1, "abc", 3], *good_rows(6)], ["p", "q", "r"]), r"line 7, column 2 \('q'\): 'abc' is"),
    (csv_bytes([*good_rows(3), [1, "", 3], *good_rows(8)]), "line 4, column 2: is empty"),
    (csv_bytes([*good_rows(3), [1, "inf", 3], *good_rows(8)]), "line 4, column 2: inf is not a finite number"),
    (csv_bytes([*good_rows(3), ["nan", 1, 3], *good_rows(8)]), "line 4, column 1: nan is not a finite number"),
    (csv_bytes([["1", "x", "3"], *good_rows(11)]), "line 1, column 2: 'x' is not a number; a header row"),
    (csv_bytes([[i, 7, i * i] for i in range(12)]), "column 2 is constant \\(every value is 7\\)"),
    (csv_bytes([[i, 1e308 * (i % 2), i * i] for i in range(12)]), "column 2: values too large"),
    ("x,y\n1,é\n".encode("latin-1"), "not UTF-8 text \\(invalid byte at offset 6\\)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_CSVS)
def test_every_bad_csv_is_refused_with_what_and_where(content: bytes, reason: str) -> None:
    registry = DatasetRegistry(Path("/nonexistent"))
    with pytest.raises(DataError, match=reason):
        registry.add_upload(content, "bad.csv")
    assert [e.id for e in registry.entries()] == ["airfoil", "synthetic"]


def test_too_many_rows_are_refused_at_the_first_extra_line() -> None:
    limits = Limits(max_rows=20)
    with pytest.raises(DataError, match=r"more than 20 data rows \(line 22 is one too many\)"):
        parse_table(csv_bytes(good_rows(30), ["a", "b", "c"]).decode(), limits)


def test_a_full_upload_budget_evicts_the_least_recently_used() -> None:
    in_use: set[str] = set()
    registry = DatasetRegistry(Path("/nonexistent"), upload_budget_bytes=1300, in_use=lambda: in_use)
    a = registry.add_upload(csv_bytes(good_rows(50)), owner="a" * 20)  # 50 × 3 float32 = 600 bytes
    b = registry.add_upload(csv_bytes(good_rows(51)), owner="a" * 20)  # 612: both fit
    registry.touch(a.id)  # a job trains on a: b is now the least recently used
    c = registry.add_upload(csv_bytes(good_rows(52)), owner="b" * 20)
    assert [e.id for e in registry.entries()][2:] == [a.id, c.id]
    in_use.update({a.id, c.id})  # both in use by queued or running jobs: neither may go
    with pytest.raises(UploadStoreFull, match="in use by queued or running jobs"):
        registry.add_upload(csv_bytes(good_rows(53)))
    with pytest.raises(UploadStoreFull, match="at most 0 MB of uploads"):  # alone larger than the budget
        registry.add_upload(csv_bytes(good_rows(200)))
    assert [e.id for e in registry.entries()][2:] == [a.id, c.id]
    assert b.id not in registry.known_ids()


def test_the_catalogue_says_why_airfoil_is_unavailable(tmp_path: Path) -> None:
    registry = DatasetRegistry(tmp_path)
    airfoil = registry.entries()[0]
    assert airfoil.id == "airfoil" and not airfoil.available and "not found" in (airfoil.reason or "")
    with pytest.raises(DatasetUnavailable, match="not found"):
        registry.get("airfoil")
    assert registry.get("synthetic").synthetic
    with pytest.raises(KeyError):
        registry.get("../../etc/passwd")


def test_standardise_is_population_std() -> None:
    values = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    out = standardise(values)
    np.testing.assert_allclose(out.std(axis=0, ddof=0), [1.0, 1.0])
    np.testing.assert_allclose(out[:, 0], [-np.sqrt(1.5), 0.0, np.sqrt(1.5)])
