"""Uploads in the registry: parsed from a file with bounded memory, at most two at once, kept on disk
across restarts, owned, deletable; standardised bit for bit as one whole-array computation."""

from __future__ import annotations

import io
import tempfile
import threading
import tracemalloc
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pytest

from app.data.dataset import Dataset, standardise
from app.data.registry import MAX_PARSES, DatasetRegistry, ParsersBusy, UploadDiskError
from app.data.table import scan
from tests.data.test_data import csv_bytes, good_rows

ALICE, BOB = "a" * 24, "b" * 24


def realistic_csv(rows: int, cols: int, seed: int = 0) -> bytes:
    """Measurements as people upload them: six significant digits, a header."""
    values = np.random.default_rng(seed).standard_normal((rows, cols)) * [10.0**k for k in range(cols)]
    header = ",".join(f"c{j}" for j in range(cols))
    return (header + "\n" + "\n".join(",".join(f"{v:.6g}" for v in row) for row in values) + "\n").encode()


def peak_ratio(content: bytes) -> float:
    """Peak memory allocated while the registry reads ``content`` from a file, over the file's size."""
    registry = DatasetRegistry(Path("/nonexistent"))
    with tempfile.TemporaryFile() as file:
        file.write(content)
        tracemalloc.start()
        try:
            registry.add_upload(file, "m.csv", owner=ALICE)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak / len(content)


def test_a_realistic_upload_is_parsed_in_about_its_own_size() -> None:
    content = realistic_csv(40_000, 6)  # ≈ 2.5 MB
    assert peak_ratio(content) < 2.5  # the text is never held whole; the table is the main cost


def test_the_worst_upload_stays_within_a_few_times_its_size() -> None:
    """One-digit integers: 2 bytes of text per number, 8 of float64 for the book's standardisation
    and 4 of float32 for the engine; nothing else grows with the file."""
    digits = np.random.default_rng(1).integers(0, 10, (20_000, 50))
    content = ("\n".join(",".join(map(str, row)) for row in digits) + "\n").encode()
    assert peak_ratio(content) < 6.5


def test_standardising_by_blocks_is_bit_for_bit_the_whole_array_formula() -> None:
    rng = np.random.default_rng(2)
    for rows, cols in ((1503, 6), (5000, 2), (777, 5), (3000, 9), (100, 50)):
        values = rng.standard_normal((rows, cols)) * rng.uniform(1, 1e4, cols) + rng.uniform(-1e5, 1e5, cols)
        expected = (values - values.mean(axis=0)) / values.std(axis=0)
        assert np.array_equal(standardise(values), expected), (rows, cols)
        copy = values.copy()
        assert standardise(copy, in_place=True) is copy and np.array_equal(copy, expected)


def test_scanning_names_the_offending_byte_without_reading_the_file_at_once() -> None:
    facts = scan(io.BytesIO(b"a,b\n1,2\n"), chunk=3)
    assert (facts.size, facts.lines, facts.blank) == (8, 3, False)
    with pytest.raises(ValueError, match="invalid byte at offset 70000"):
        scan(io.BytesIO(b"1,2\n" * 17500 + b"\xff,1\n"), chunk=1000)
    assert scan(io.BytesIO("é,1\n".encode() * 10), chunk=1).size == 50  # a character split across chunks is fine


def test_the_same_content_is_one_upload_per_owner() -> None:
    registry = DatasetRegistry(Path("/nonexistent"))
    content = csv_bytes(good_rows(20))
    mine = registry.add_upload(content, owner=ALICE)
    assert registry.add_upload(content, owner=ALICE).id == mine.id
    theirs = registry.add_upload(content, owner=BOB)
    assert theirs.id != mine.id and registry.owner_of(theirs.id) == BOB and registry.owner_of(mine.id) == ALICE


def test_at_most_two_parses_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = DatasetRegistry(Path("/nonexistent"))
    gate = threading.Event()
    started = threading.Semaphore(0)
    original = registry._parse

    def held_parse(stream: BinaryIO, max_lines: int, dataset_id: str, filename: str | None) -> Dataset:
        started.release()
        gate.wait(10)
        return original(stream, max_lines, dataset_id, filename)

    monkeypatch.setattr(registry, "_parse", held_parse)
    threads = [
        threading.Thread(target=registry.add_upload, args=(csv_bytes(good_rows(20 + k)),), kwargs={"owner": ALICE})
        for k in range(MAX_PARSES)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert started.acquire(timeout=10)
    with pytest.raises(ParsersBusy, match="retry in"):
        registry.add_upload(csv_bytes(good_rows(40)), owner=BOB)
    gate.set()
    for thread in threads:
        thread.join(10)
    assert registry.add_upload(csv_bytes(good_rows(40)), owner=BOB).rows == 40


def test_uploads_are_kept_on_disk_and_come_back_after_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    first = DatasetRegistry(Path("/nonexistent"), uploads_dir=folder)
    kept = first.add_upload(realistic_csv(300, 4), "lab/results.csv", owner=ALICE)
    assert sorted(p.name for p in folder.iterdir()) == [f"{kept.id}.json", f"{kept.id}.npy"]
    again = DatasetRegistry(Path("/nonexistent"), uploads_dir=folder).get(kept.id)
    assert again.X.equal(kept.X) and again.y.equal(kept.y) and again.columns == kept.columns
    assert (again.filename, again.label, again.created_at) == (kept.filename, kept.label, kept.created_at)
    restarted = DatasetRegistry(Path("/nonexistent"), uploads_dir=folder)
    assert restarted.owner_of(kept.id) == ALICE and restarted.delete_upload(kept.id)
    assert list(folder.iterdir()) == [] and kept.id not in DatasetRegistry(Path("/x"), uploads_dir=folder).known_ids()


def test_an_unreadable_stored_upload_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    good = DatasetRegistry(Path("/nonexistent"), uploads_dir=folder).add_upload(csv_bytes(good_rows(20)), owner=ALICE)
    (folder / "upload-0123456789abcdef.json").write_text("{not json")
    (folder / good.id).with_suffix(".npy").write_bytes(b"truncated")
    registry = DatasetRegistry(Path("/nonexistent"), uploads_dir=folder)
    assert [e.id for e in registry.entries()] == ["airfoil", "synthetic"]


def test_an_upload_that_cannot_be_written_is_refused_and_not_listed(tmp_path: Path) -> None:
    blocker = tmp_path / "uploads"
    blocker.write_text("a file where the folder should be")
    registry = DatasetRegistry(Path("/nonexistent"), uploads_dir=blocker)
    with pytest.raises(UploadDiskError, match="could not be stored"):
        registry.add_upload(csv_bytes(good_rows(20)), owner=ALICE)
    assert [e.id for e in registry.entries()] == ["airfoil", "synthetic"]
