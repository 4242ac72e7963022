"""/api/jobs over HTTP: submit, validate, follow (SSE), reconnect, cancel, queue limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.utils import BOOK_JOB, LONG_JOB, WAIT, errors, stream, submit, until


@pytest.fixture
def tight(settings: Settings) -> Iterator[TestClient]:
    """One job at a time and no waiting room."""
    app = create_app(settings.model_copy(update={"max_concurrent_jobs": 1, "max_queued_jobs": 0}))
    with TestClient(app) as client:
        yield client


# --- a job from start to end ----------------------------------------------------------------


def test_a_job_is_accepted_streamed_and_kept(client: TestClient) -> None:
    response = client.post("/api/jobs", json=BOOK_JOB)
    assert response.status_code == 202
    created = response.json()
    job_id = created["id"]
    assert created == {
        "id": job_id,
        "status": "queued",
        "url": f"/api/jobs/{job_id}",
        "events": f"/api/jobs/{job_id}/events",
    }
    assert response.headers["location"] == created["url"]

    events = stream(client, job_id)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert [e["event"] for e in events[:2]] == ["job", "status"] and events[-1]["event"] == "end"
    first = events[0]["data"]
    assert first["status"] == "queued" and first["points"] == 31 and first["dataset"]["synthetic"] is True
    assert first["runs"][1]["hyperparams"] == {"eta": 0.01, "gamma": 0.9, "eps": 1e-6}
    assert events[1]["data"]["status"] == "running" and events[1]["data"]["device"] == "cpu"
    assert events[-1]["data"]["status"] == "done"
    assert [e["data"]["status"] for e in events if e["event"] == "run"] == ["done", "done"]

    record = client.get(f"/api/jobs/{job_id}").json()
    assert record["status"] == "done" and record["last_event_id"] == len(events)
    for i, run in enumerate(record["runs"]):
        streamed = [v for e in events if e["event"] == "progress" for v in e["data"]["runs"][i]["losses"]]
        assert run["losses"] == streamed and len(streamed) == 31
        assert run["epochs"][0] == 0 and run["epochs"][-1] == 2
        assert run["status"] == "done" and run["sec_per_epoch"] > 0
        assert run["summary"] == f"loss: {run['final_loss']:.6f}, {run['sec_per_epoch']:.6f} sec per epoch"


def test_defaults_are_the_book_training_defaults(client: TestClient) -> None:
    job_id = submit(
        client,
        {
            "runs": [
                {"optimizer": "rmsprop"},
                {"optimizer": "rmsprop", "impl": "torch"},
                {"optimizer": "adagrad"},
                {"optimizer": "sgd"},
            ]
        },
    )
    record = client.get(f"/api/jobs/{job_id}").json()
    assert (record["dataset"]["id"], record["batch_size"], record["epochs"], record["seed"]) == ("airfoil", 10, 2, 0)
    assert record["device_requested"] == "auto"
    assert record["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    hps = [run["hyperparams"] for run in record["runs"]]
    assert hps == [
        {"eta": 0.01, "gamma": 0.9, "eps": 1e-6},
        {"eta": 0.01, "gamma": 0.9, "eps": 1e-8},
        {"eta": 0.1, "eps": 1e-6},
        {"eta": 0.05, "noise": 0.0},
    ]


def test_jobs_are_listed_newest_first_without_curves(client: TestClient) -> None:
    first, second = submit(client, BOOK_JOB), submit(client, BOOK_JOB)
    listed = client.get("/api/jobs").json()
    assert [job["id"] for job in listed][:2] == [second, first]
    assert "losses" not in listed[0]["runs"][0] and "status" in listed[0]["runs"][0]


def test_unknown_jobs_are_404(client: TestClient) -> None:
    for method, path in (
        ("GET", "/api/jobs/nope"),
        ("POST", "/api/jobs/nope/cancel"),
        ("GET", "/api/jobs/nope/events"),
    ):
        response = client.request(method, path)
        assert response.status_code == 404 and "nope" in response.json()["detail"]


# --- validation -----------------------------------------------------------------------------


def test_requests_are_validated_naming_the_field(client: TestClient) -> None:
    run = [{"optimizer": "rmsprop"}]
    assert "batch_size" in errors(client.post("/api/jobs", json={"batch_size": 1501, "runs": run}))
    assert "at most 1500" in errors(client.post("/api/jobs", json={"batch_size": 1501, "runs": run}))["batch_size"]
    assert "epochs" in errors(client.post("/api/jobs", json={"epochs": 101, "runs": run}))
    assert "epochs" in errors(client.post("/api/jobs", json={"epochs": 0, "runs": run}))
    assert "runs" in errors(client.post("/api/jobs", json={"runs": []}))
    assert "runs" in errors(client.post("/api/jobs", json={"runs": run * 9}))
    assert "seed" in errors(client.post("/api/jobs", json={"seed": -1, "runs": run}))
    assert "device" in errors(client.post("/api/jobs", json={"device": "tpu", "runs": run}))
    assert "runs[0].hyperparams.eta" in errors(
        client.post("/api/jobs", json={"runs": [{"optimizer": "rmsprop", "hyperparams": {"eta": -1}}]})
    )
    assert "runs[0].optimizer" in errors(client.post("/api/jobs", json={"runs": [{"optimizer": "lbfgs"}]}))
    assert "color" in errors(client.post("/api/jobs", json={"runs": run, "color": "red"}))
    unknown = errors(client.post("/api/jobs", json={"dataset": "../etc/passwd", "runs": run}))
    assert "unknown dataset" in unknown["dataset"] and "synthetic" in unknown["dataset"]


def test_too_long_a_job_is_refused(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_job_steps": 1000}))) as client:
        message = errors(client.post("/api/jobs", json={"batch_size": 1, "runs": [{"optimizer": "sgd"}]}))["epochs"]
        assert "3,000 steps" in message and "limit is 1,000" in message


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_a_422_naming_device(client: TestClient) -> None:
    message = errors(client.post("/api/jobs", json={"device": "cuda", "runs": [{"optimizer": "rmsprop"}]}))["device"]
    assert "CUDA is not available" in message


def test_the_servers_own_checks_refuse_every_field_at_once(client: TestClient) -> None:
    """Data set, batch size and device are checked against the server's state after the schema: all
    of them in one 422, so the page marks every bad field on the first try."""
    body = {"dataset": "synthetic", "batch_size": 1501, "device": "cuda", "runs": [{"optimizer": "rmsprop"}]}
    fields = set(errors(client.post("/api/jobs", json=body)))
    assert fields == ({"batch_size"} if torch.cuda.is_available() else {"batch_size", "device"})
    fields = set(errors(client.post("/api/jobs", json={**body, "dataset": "nope", "batch_size": 10})))
    assert fields == ({"dataset"} if torch.cuda.is_available() else {"dataset", "device"})


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_cuda_job_reports_its_device(client: TestClient) -> None:
    job_id = submit(client, {**BOOK_JOB, "device": "cuda"})
    assert stream(client, job_id)[-1]["data"]["status"] == "done"
    assert client.get(f"/api/jobs/{job_id}").json()["device"] == "cuda"


def test_an_unavailable_dataset_is_refused_with_the_reason(settings: Settings, tmp_path: Any) -> None:
    with TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}))) as client:
        message = errors(client.post("/api/jobs", json={"runs": [{"optimizer": "rmsprop"}]}))["dataset"]
        assert "unavailable" in message and "not found" in message
        assert client.post("/api/jobs", json={**BOOK_JOB, "dataset": "synthetic"}).status_code == 202


# --- reconnecting ---------------------------------------------------------------------------


def test_last_event_id_gets_exactly_the_missed_events(client: TestClient) -> None:
    job_id = submit(client, BOOK_JOB)
    everything = stream(client, job_id)
    for seen in (1, 2, 17, len(everything) - 1):
        rest = stream(client, job_id, headers={"Last-Event-ID": str(seen)})
        assert rest == everything[seen:]
    assert stream(client, job_id, query="?after=5") == everything[5:]
    assert stream(client, job_id, headers={"Last-Event-ID": "3"}, query="?after=5") == everything[3:]
    # Nothing left to send: 204 makes an EventSource stop reconnecting.
    assert client.get(f"/api/jobs/{job_id}/events", headers={"Last-Event-ID": str(len(everything))}).status_code == 204
    assert "Last-Event-ID" in errors(client.get(f"/api/jobs/{job_id}/events", headers={"Last-Event-ID": "x"}))


def test_every_tab_gets_the_same_stream(client: TestClient) -> None:
    job_id = submit(client, BOOK_JOB)
    results: list[list[dict[str, Any]]] = [[], [], []]

    def watch(k: int) -> None:
        results[k] = stream(client, job_id)

    threads = [threading.Thread(target=watch, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert results[0] == results[1] == results[2] and results[0][-1]["event"] == "end"
    assert client.app.state.jobs.stats()["subscribers"] == 0  # type: ignore[attr-defined]


# --- cancel, limits, responsiveness ---------------------------------------------------------


def test_cancel_a_running_job(client: TestClient) -> None:
    job_id = submit(client, LONG_JOB)
    until(client, job_id, {"running"})
    response = client.post(f"/api/jobs/{job_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] in {"running", "cancelled"}
    events = stream(client, job_id)
    assert events[-1]["event"] == "end" and events[-1]["data"]["status"] == "cancelled"
    record = client.get(f"/api/jobs/{job_id}").json()
    assert record["status"] == "cancelled" and record["progress"] < 1
    assert {run["status"] for run in record["runs"]} == {"cancelled"}
    again = client.post(f"/api/jobs/{job_id}/cancel")
    assert again.status_code == 409 and "already ended" in again.json()["detail"]


def test_a_full_queue_answers_429_with_retry_after(tight: TestClient) -> None:
    job_id = submit(tight, LONG_JOB)
    refused = tight.post("/api/jobs", json=BOOK_JOB)
    assert refused.status_code == 429
    assert refused.headers["retry-after"].isdigit() and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "queue is full" in refused.json()["detail"]
    tight.post(f"/api/jobs/{job_id}/cancel")
    until(tight, job_id, {"cancelled"})
    assert tight.post("/api/jobs", json=BOOK_JOB).status_code == 202


def test_the_server_answers_while_a_job_trains(client: TestClient) -> None:
    threads: list[str] = []
    client.app.state.jobs.add_listener(  # type: ignore[attr-defined]
        lambda record: threads.append(threading.current_thread().name)
    )
    job_id = submit(client, LONG_JOB)
    before = until(client, job_id, {"running"})
    for _ in range(3):
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
    assert client.get("/api/optimizers").status_code == 200
    during = client.get(f"/api/jobs/{job_id}").json()
    assert during["status"] == "running"  # the job kept going while the server answered
    for _ in range(int(WAIT / 0.01)):
        if client.get(f"/api/jobs/{job_id}").json()["progress"] > before["progress"]:
            break
        time.sleep(0.01)
    else:
        raise AssertionError("the job made no progress")
    client.post(f"/api/jobs/{job_id}/cancel")
    until(client, job_id, {"cancelled"})
    assert threads[1].startswith("optlab-job-")  # 'running' was announced from a worker thread
