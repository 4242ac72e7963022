"""A server killed with SIGKILL mid-job and started again on the same database: every finished run is
intact, and the jobs that were running or queued are 'interrupted' (the record and each of its runs)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.utils import BOOK, BOOK_JOB, CURVES, LONG_JOB, running_server

pytestmark = pytest.mark.slow

WAIT = 60.0  # an upper bound on waits, never a timing assertion


def until(http: httpx.Client, path: str, check: Any) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        response = http.get(path)
        if response.status_code == 200 and check(response.json()):
            return dict(response.json())
        time.sleep(0.02)
    raise AssertionError(f"{path} never satisfied the check")


def test_finished_runs_survive_a_kill_and_the_killed_jobs_are_interrupted(tmp_path: Path) -> None:
    env = {
        "OPTLAB_DB_PATH": str(tmp_path / "runs.sqlite3"),
        "OPTLAB_WARM_UP": "false",
        "OPTLAB_MAX_CONCURRENT_JOBS": "1",
    }
    with running_server(env) as (url, process), httpx.Client(base_url=url, timeout=WAIT) as http:
        comparison = http.post("/api/trajectories", json=BOOK).json()["run_id"]
        short = http.post("/api/jobs", json=BOOK_JOB).json()["id"]
        assert "event: end" in http.get(f"/api/jobs/{short}/events").text  # the stream ends with the job
        job = http.get(f"/api/jobs/{short}").json()
        before = {
            comparison: http.get(f"/api/runs/{comparison}").json(),
            short: until(http, f"/api/runs/{short}", lambda r: r["status"] == "done"),
        }
        killed = http.post("/api/jobs", json=LONG_JOB).json()["id"]
        waiting = http.post("/api/jobs", json=LONG_JOB).json()["id"]  # one job at a time: this one waits
        until(http, f"/api/runs/{killed}", lambda r: r["status"] == "running")
        until(http, f"/api/jobs/{killed}", lambda j: j["runs"][0]["points"] >= 2)  # mid-job
        assert http.get(f"/api/runs/{waiting}").json()["status"] == "queued"
        process.kill()  # SIGKILL: no shutdown code runs
        process.wait(WAIT)
        cookies = http.cookies  # the same browser comes back: its records are still its own

    with running_server(env) as (url, _), httpx.Client(base_url=url, timeout=WAIT, cookies=cookies) as http:
        for run_id, run in before.items():
            assert http.get(f"/api/runs/{run_id}").json() == run  # untouched, series and all
        assert before[short]["series"] == [{key: r[key] for key in CURVES} for r in job["runs"]]
        for run_id in (killed, waiting):
            run = http.get(f"/api/runs/{run_id}").json()
            assert run["status"] == "interrupted" and {r["status"] for r in run["runs"]} == {"interrupted"}
        listed = http.get("/api/runs", params={"status": "interrupted"}).json()
        assert {item["id"] for item in listed["items"]} == {killed, waiting}
        assert {item["id"] for item in http.get("/api/runs", params={"status": "done"}).json()["items"]} == set(before)
        gone = http.get(f"/api/jobs/{killed}")
        assert gone.status_code == 404 and f"/api/runs/{killed}" in gone.json()["detail"]
        link = http.get(f"/runs/{short}")  # the run's permanent page still opens
        assert link.status_code == 200 and link.headers["content-type"].startswith("text/html")


def test_sigterm_mid_job_with_a_watcher_stops_the_server_and_interrupts_the_job(tmp_path: Path) -> None:
    """`docker stop` and Ctrl+C send SIGTERM: an open event stream must not hold the server up until the
    job ends (uvicorn waits for open responses); the job is stopped and recorded 'interrupted'."""
    env = {"OPTLAB_DB_PATH": str(tmp_path / "runs.sqlite3"), "OPTLAB_WARM_UP": "false"}
    endless = {**LONG_JOB, "runs": LONG_JOB["runs"] * 4}  # minutes of work: only a stop ends it early
    with running_server(env) as (url, process), httpx.Client(base_url=url, timeout=WAIT) as http:
        job = http.post("/api/jobs", json=endless).json()["id"]
        with http.stream("GET", f"/api/jobs/{job}/events") as events:
            lines = events.iter_lines()  # kept: dropping the iterator would close the stream
            assert next(lines) == "event: job"  # a watcher is attached
            until(http, f"/api/jobs/{job}", lambda j: j["runs"][0]["points"] >= 2)
            process.terminate()
            process.wait(WAIT)  # raises if the server waits for the stream, i.e. for the job to end
            with pytest.raises(httpx.RemoteProtocolError):
                list(lines)  # the server cut the stream short
    with running_server(env) as (url, _), httpx.Client(base_url=url, timeout=WAIT) as http:
        run = http.get(f"/api/runs/{job}").json()
        assert run["status"] == "interrupted"
        assert {r["status"] for r in run["runs"]} == {"interrupted"}
