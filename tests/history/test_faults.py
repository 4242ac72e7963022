"""Faults of the history's file under a live server: removed, corrupted, made read-only. Every answer
stays JSON (503 naming the reason where the history is needed, never a 500), /healthz says what is
wrong, comparisons still come back, a job that cannot be stored stays in memory and says so, a
vanished file is recreated, and a corrupt file is set aside at the next start.

Read-only: the tests run as root, for whom a chmod changes nothing, so the file and its folder are
made immutable (``chattr +i``), which stops root too; as another user a chmod does the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from app.training import jobs as job_manager
from tests.utils import BOOK, BOOK_JOB, WAIT, eventually, running_server, serve

SIDECARS = ("-wal", "-shm", "-journal")


@pytest.fixture
def live(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FastAPI, httpx.Client]]:
    """The app under uvicorn in this process, and a client with its own owner cookie."""
    monkeypatch.setattr(job_manager, "RETELL_SECONDS", 0.2)  # a job not stored is offered again soon
    app = create_app(settings.model_copy(update={"max_kept_jobs": 1}))
    with serve(app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=WAIT) as client:
        yield app, client


def db_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in SIDECARS)]


def unavailable(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert reason in response.json()["detail"]


def finished_job(client: httpx.Client) -> dict[str, Any]:
    job_id = client.post("/api/jobs", json=BOOK_JOB).json()["id"]
    assert "event: end" in client.get(f"/api/jobs/{job_id}/events").text
    return dict(client.get(f"/api/jobs/{job_id}").json())


def test_a_vanished_file_is_recreated(live: tuple[FastAPI, httpx.Client]) -> None:
    app, client = live
    path: Path = app.state.store.path
    assert client.post("/api/trajectories", json=BOOK).json()["run_id"]
    for file in db_files(path):
        file.unlink(missing_ok=True)
    listed = client.get("/api/runs")
    assert listed.status_code == 200 and listed.json()["total"] == 0  # a fresh, empty history
    assert path.is_file()
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    assert client.get(f"/api/runs/{run_id}").status_code == 200
    assert client.get("/healthz").json()["database"] == "ok"


def test_a_corrupt_file_answers_503_and_nothing_is_lost(live: tuple[FastAPI, httpx.Client]) -> None:
    app, client = live
    path: Path = app.state.store.path
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    for file in db_files(path)[1:]:
        file.unlink(missing_ok=True)
    path.write_bytes(b"this is not a database " * 200)

    for response in (client.get("/api/runs"), client.get(f"/api/runs/{run_id}"), client.delete(f"/api/runs/{run_id}")):
        unavailable(response, "corrupt")
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert "corrupt" in health.json()["database"]
    page = client.get(f"/runs/{run_id}")  # the run's page says so too, as a page
    assert page.status_code == 503 and "text/html" in page.headers["content-type"] and "corrupt" in page.text

    comparison = client.post("/api/trajectories", json=BOOK)  # the 2D lab keeps working
    assert comparison.status_code == 200 and comparison.json()["run_id"] is None
    assert "corrupt" in comparison.json()["store_error"] and len(comparison.json()["runs"][0]["points"]) == 21
    streamed = client.post("/api/trajectories/stream", json=BOOK).text
    assert '"run_id":null' in streamed.replace(" ", "") and "store_error" in streamed

    jobs = [finished_job(client) for _ in range(2)]  # more than max_kept_jobs: none may be dropped
    for job in jobs:
        again = client.get(f"/api/jobs/{job['id']}").json()
        assert again["status"] == "done" and again["stored"] is False and "corrupt" in again["store_error"]
        assert len(again["runs"][0]["losses"]) == again["points"]  # the result is all there, in memory


def test_a_corrupt_file_at_start_is_set_aside_loudly(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite3"
    db.write_bytes(b"\x00garbage, not SQLite" * 100)
    log = tmp_path / "server.log"
    env = {"OPTLAB_DB_PATH": str(db), "OPTLAB_WARM_UP": "false"}
    with running_server(env, log=log) as (url, _), httpx.Client(base_url=url, timeout=WAIT) as client:
        assert client.get("/healthz").json() | {"status": "ok", "database": "ok"} == client.get("/healthz").json()
        run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
        assert client.get(f"/api/runs/{run_id}").status_code == 200
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("runs.sqlite3.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"\x00garbage")
    lines = [line for line in log.read_text().splitlines() if "RUN HISTORY CORRUPT" in line]
    assert len(lines) == 1 and aside[0].name in lines[0] and lines[0].startswith("ERROR")


@contextmanager
def read_only(paths: list[Path]) -> Iterator[None]:
    """Make files and folders unwritable for this process, root included; undo afterwards."""
    paths = [p for p in paths if p.exists()]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    chattr = shutil.which("chattr")
    done: list[Path] = []
    try:
        for p in paths:
            if chattr is None or subprocess.run([chattr, "+i", str(p)], capture_output=True).returncode != 0:
                pytest.skip("as root only an immutable file is read-only, and this file system refuses chattr +i")
            done.append(p)
        yield
    finally:
        for p in reversed(done):
            subprocess.run([str(chattr), "-i", str(p)], check=True)


def test_a_read_only_history_serves_reads_and_refuses_writes(live: tuple[FastAPI, httpx.Client]) -> None:
    app, client = live
    path: Path = app.state.store.path
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    stored = client.get(f"/api/runs/{run_id}").json()
    with read_only([*db_files(path), path.parent]):
        with pytest.raises(PermissionError):  # really read-only, for this (root) process too
            path.open("ab")
        assert client.get(f"/api/runs/{run_id}").json() == stored
        assert [r["id"] for r in client.get("/api/runs").json()["items"]] == [run_id]
        assert client.get(f"/api/runs/{run_id}/export", params={"format": "csv"}).status_code == 200
        unavailable(client.delete(f"/api/runs/{run_id}"), "read-only")
        unavailable(client.post(f"/api/runs/{run_id}/pin"), "read-only")
        health = client.get("/healthz")
        assert health.status_code == 503 and "read-only" in health.json()["database"]
        assert client.post("/api/trajectories", json=BOOK).json()["run_id"] == run_id  # stored: still there
        comparison = client.post("/api/trajectories", json={**BOOK, "seed": 7}).json()  # a new one cannot be
        assert comparison["run_id"] is None and "read-only" in comparison["store_error"]
        job = finished_job(client)
        assert job["stored"] is False and "read-only" in job["store_error"]
    # writable again: the job kept in memory is stored by the next offer, nothing lost
    assert eventually(lambda: client.get(f"/api/jobs/{job['id']}").json()["stored"], wait=WAIT)
    record = client.get(f"/api/runs/{job['id']}").json()
    assert record["status"] == "done" and record["series"][0]["losses"] == job["runs"][0]["losses"]
    assert client.get("/healthz").status_code == 200
    assert client.delete(f"/api/runs/{run_id}").status_code == 204
