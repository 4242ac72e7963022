"""Training jobs in the run history: stored on every state, in order, through shutdown and restarts;
the contour behind a stored comparison; the debug counters."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.history.listener import JobHistory
from app.history.store import RunRecord, RunStore
from app.main import create_app
from app.training.snapshot import JobSnapshot
from tests.utils import ADMIN, BOOK, BOOK_JOB, CURVES, LONG_JOB, WAIT, stream, submit, until, until_stored


def stored(client: TestClient, run_id: str) -> dict[str, Any]:
    response = client.get(f"/api/runs/{run_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def one_at_a_time(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"max_concurrent_jobs": 1}))) as client:
        yield client


# --- every job is stored ---------------------------------------------------------------------


def test_a_finished_job_is_stored_with_its_curves_and_figures(client: TestClient) -> None:
    job_id = submit(client, BOOK_JOB)
    stream(client, job_id)  # ends with the job
    job = client.get(f"/api/jobs/{job_id}").json()
    run = until_stored(client, job_id, lambda r: r["status"] == "done")
    assert run["kind"] == "training" and run["device"] == "cpu" and run["optimizers"] == ["adagrad", "rmsprop"]
    assert run["series"] == [{key: r[key] for key in CURVES} for r in job["runs"]]
    for saved, live in zip(run["runs"], job["runs"], strict=True):
        for key in ("optimizer", "impl", "hyperparams", "status", "final_loss", "sec_per_epoch", "summary", "points"):
            assert saved[key] == live[key], key
    assert run["config"]["runs"][1]["hyperparams"] == {"eta": 0.01, "gamma": 0.9, "eps": 1e-6}
    config = run["config"]
    assert (config["dataset"]["id"], config["batch_size"], config["epochs"]) == ("synthetic", 10, 2)
    assert run["timings"]["finished_at"] == job["finished_at"] and run["timings"]["error"] is None
    assert run["created_at"] == job["created_at"]
    listed = client.get("/api/runs", params={"kind": "training", "optimizer": "rmsprop"}).json()
    assert [item["id"] for item in listed["items"]] == [job_id]


def test_a_training_run_exports_one_csv_row_per_loss_point(client: TestClient) -> None:
    job_id = submit(client, BOOK_JOB)
    stream(client, job_id)
    job = client.get(f"/api/jobs/{job_id}").json()
    until_stored(client, job_id, lambda r: r["status"] == "done")
    response = client.get(f"/api/runs/{job_id}/export", params={"format": "csv"})
    assert response.status_code == 200
    assert f"optimizer-lab-training-{job_id}.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["run", "optimizer", "impl", "epoch", "loss"]
    assert len(rows) == sum(run["points"] for run in job["runs"])
    last = rows[-1]
    assert (last["run"], last["optimizer"], float(last["epoch"])) == ("1", "rmsprop", 2.0)
    assert float(last["loss"]) == job["runs"][1]["losses"][-1]


def test_queued_and_running_states_are_stored_as_they_happen(one_at_a_time: TestClient) -> None:
    client = one_at_a_time
    first, second = submit(client, LONG_JOB), submit(client, LONG_JOB)
    running = until_stored(client, first, lambda r: r["status"] == "running")
    assert {r["status"] for r in running["runs"]} == {"running"} and running["timings"]["started_at"] is not None
    queued = stored(client, second)
    assert queued["status"] == "queued" and {r["status"] for r in queued["runs"]} == {"queued"}
    assert queued["series"] == [{key: [] for key in CURVES}] * 2
    for job_id in (second, first):
        client.post(f"/api/jobs/{job_id}/cancel")
    for job_id in (first, second):
        until_stored(client, job_id, lambda r: r["status"] == "cancelled")
    assert stored(client, first)["series"][0]["losses"]  # the points it made before it stopped


def test_an_older_snapshot_never_overwrites_a_newer_one(client: TestClient, tmp_path: Any) -> None:
    job_id = submit(client, BOOK_JOB)
    stream(client, job_id)
    done: JobSnapshot = client.app.state.jobs.snapshot(job_id)  # type: ignore[attr-defined]
    queued = replace(done, status="queued", last_event_id=1)
    store = RunStore(tmp_path / "other.sqlite3")
    history = JobHistory(store)
    history(done)
    history(queued)  # e.g. the request thread's snapshot, delivered after the worker's
    saved = store.get(job_id)
    assert saved is not None and saved.status == "done"
    history(replace(done, last_event_id=done.last_event_id + 1, status="failed"))  # newer: written
    assert store.get(job_id).status == "failed"  # type: ignore[union-attr]


def test_shutdown_stores_the_running_job_as_interrupted_with_its_points(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        job_id = submit(client, LONG_JOB)
        deadline = time.monotonic() + WAIT
        while client.get(f"/api/jobs/{job_id}").json()["runs"][0]["points"] < 2:
            assert time.monotonic() < deadline, "the job made no progress"
            time.sleep(0.01)
    record = RunStore(settings.database_path).get(job_id)  # the app has stopped
    assert record is not None and record.status == "interrupted"
    assert {run["status"] for run in record.runs} == {"interrupted"}
    assert record.timings["error"] == "the server stopped during the job"
    assert len(record.series[0]["losses"]) >= 2


def test_an_unfinished_record_found_at_start_up_is_interrupted_run_by_run(tmp_path: Any) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    runs = [
        {"optimizer": "adam", "status": "running", "summary": ""},
        {"optimizer": "sgd", "status": "diverged", "summary": "diverged at epoch 0.5"},
    ]
    saved = store.save(
        RunRecord(kind="training", status="running", title="t", optimizers=["adam", "sgd"], config={}, runs=runs)
    )
    assert store.mark_interrupted() == 1
    again = store.get(saved.id)
    assert again is not None and again.status == "interrupted"
    assert again.runs == [{"optimizer": "adam", "status": "interrupted", "summary": "interrupted"}, runs[1]]


def test_a_run_still_in_progress_cannot_be_deleted(client: TestClient) -> None:
    job_id = submit(client, LONG_JOB)
    until_stored(client, job_id, lambda r: r["status"] == "running")
    refused = client.delete(f"/api/runs/{job_id}")
    assert refused.status_code == 409 and "cancel" in refused.json()["detail"]
    client.post(f"/api/jobs/{job_id}/cancel")
    until_stored(client, job_id, lambda r: r["status"] == "cancelled")
    assert client.delete(f"/api/runs/{job_id}").status_code == 204
    assert client.get(f"/api/runs/{job_id}").status_code == 404


def test_a_job_from_before_a_restart_points_to_its_record(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        job_id = submit(client, BOOK_JOB)
        stream(client, job_id)
        until_stored(client, job_id, lambda r: r["status"] == "done")
    with TestClient(create_app(settings)) as client:  # a new process on the same database
        for path in (f"/api/jobs/{job_id}", f"/api/jobs/{job_id}/events"):
            response = client.get(path)
            assert response.status_code == 404 and f"/api/runs/{job_id}" in response.json()["detail"]
        assert stored(client, job_id)["status"] == "done"
        assert "/api/runs" not in client.get("/api/jobs/0123456789ab").json()["detail"]


# --- the contour behind a stored comparison ---------------------------------------------------


def test_the_contour_of_a_stored_comparison(client: TestClient) -> None:
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    contour = client.get(f"/api/runs/{run_id}/contour").json()
    info = next(f for f in client.get("/api/functions").json() if f["name"] == "quadratic")
    assert contour["function"] == "quadratic" and contour["box"] == info["box"]
    assert len(contour["x1"]) == len(contour["x2"]) == len(contour["z"]) == len(contour["z"][0]) == 80
    x1, x2 = contour["x1"][-1], contour["x2"][0]
    assert contour["z"][0][-1] == pytest.approx(0.1 * x1**2 + 2 * x2**2)  # row along x2, column along x1


def test_the_contour_of_a_custom_function_uses_its_box(client: TestClient) -> None:
    body = {
        "function": "custom",
        "expression": "x1**2 - x2",
        "box": [-1, 3, 0, 2],
        "start": [1, 1],
        "runs": [{"optimizer": "gd"}],
    }
    run_id = client.post("/api/trajectories", json=body).json()["run_id"]
    contour = client.get(f"/api/runs/{run_id}/contour").json()
    assert contour["expression"] == "x1**2 - x2" and contour["box"] == [-1, 3, 0, 2]
    assert contour["x1"][0] == -1 and contour["x2"][-1] == 2
    assert contour["z"][-1][0] == pytest.approx(1 - 2)


def test_training_runs_and_unknown_ids_have_no_contour(client: TestClient) -> None:
    job_id = submit(client, BOOK_JOB)
    stream(client, job_id)
    until_stored(client, job_id, lambda r: r["status"] == "done")
    response = client.get(f"/api/runs/{job_id}/contour")
    assert response.status_code == 404 and "training" in response.json()["detail"]
    assert client.get("/api/runs/0123456789ab/contour").status_code == 404


# --- the debug counters -----------------------------------------------------------------------


def test_debug_stats_count_threads_streams_and_jobs(client: TestClient) -> None:
    stats = client.get("/api/debug/stats", headers=ADMIN).json()
    workers = client.app.state.settings.max_concurrent_jobs  # type: ignore[attr-defined]
    assert stats["threads"]["jobs"] == stats["jobs"]["workers"] == workers
    assert stats["threads"]["other"] >= 1  # the main thread at least: job workers are not counted there
    assert stats["threads"]["os"] >= stats["threads"]["total"]  # the OS sees torch's threads too
    assert stats["threads"]["pool_busy"] == 0  # the endpoint runs on the event loop
    assert stats["streams"] == {"open": 0, "trajectory_generators": 0}
    assert stats["jobs"]["subscribers"] == 0 and stats["tasks"] >= 1 and stats["rss_bytes"] > 0
    job_id = submit(client, LONG_JOB)
    during = client.get("/api/debug/stats", headers=ADMIN).json()["jobs"]
    client.post(f"/api/jobs/{job_id}/cancel")
    assert during["queued"] + during["running"] == 1 and during["jobs"] == stats["jobs"]["jobs"] + 1
    until(client, job_id, {"cancelled"})
    assert client.get("/api/debug/stats", headers=ADMIN).json()["jobs"]["running"] == 0
