"""Jobs over several seeds through the API: the mean, its spread, the band per point, and time per point."""

from __future__ import annotations

import csv
import io
import statistics
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.utils import WAIT, errors, stream, submit, until_stored

FIVE_SEEDS = {
    "dataset": "synthetic",
    "batch_size": 10,
    "epochs": 2,
    "seed": 3,
    "seeds": 5,
    "device": "cpu",
    "runs": [
        {"optimizer": "rmsprop", "hyperparams": {"eta": 0.01, "gamma": 0.9}},
        {"optimizer": "adagrad", "impl": "torch", "hyperparams": {"eta": 0.1}},
    ],
}


def finished(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    job_id = submit(client, body)
    assert client.app.state.jobs.wait(job_id, WAIT)  # type: ignore[attr-defined]
    record: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
    assert record["status"] == "done", record
    return record


def test_five_seeds_report_the_mean_and_spread_of_five_one_seed_jobs(client: TestClient) -> None:
    job = finished(client, FIVE_SEEDS)
    assert job["seeds"] == 5 and job["seed"] == 3
    singles = [finished(client, {**FIVE_SEEDS, "seed": 3 + k, "seeds": 1}) for k in range(5)]
    for i, run in enumerate(job["runs"]):
        finals = [single["runs"][i]["final_loss"] for single in singles]
        assert len(set(finals)) == 5
        assert run["final_loss"] == pytest.approx(statistics.mean(finals), rel=1e-6)
        assert run["final_loss_sd"] == pytest.approx(statistics.stdev(finals), rel=1e-4)
        assert run["final_loss_min"] == pytest.approx(min(finals), rel=1e-6)
        assert run["final_loss_max"] == pytest.approx(max(finals), rel=1e-6)
        assert run["points"] == len(run["losses"]) == len(run["losses_min"]) == len(run["losses_max"]) == 31
        for t in range(31):
            seeds = [single["runs"][i]["losses"][t] for single in singles]
            assert run["losses_min"][t] == pytest.approx(min(seeds), rel=1e-6)
            assert run["losses_max"][t] == pytest.approx(max(seeds), rel=1e-6)
            assert run["losses_min"][t] <= run["losses"][t] <= run["losses_max"][t]
        assert run["summary"].startswith(f"loss: {run['final_loss']:.6f}")


def test_the_stream_carries_the_band_and_the_times(client: TestClient) -> None:
    job_id = submit(client, FIVE_SEEDS)
    events = stream(client, job_id)
    record = client.get(f"/api/jobs/{job_id}").json()
    assert events[0]["data"]["seeds"] == 5
    for i, run in enumerate(record["runs"]):
        for key in ("epochs", "losses", "losses_min", "losses_max", "elapsed"):
            streamed = [v for e in events if e["event"] == "progress" for v in e["data"]["runs"][i][key]]
            assert streamed == run[key], key
    ended = [e["data"] for e in events if e["event"] == "run"]
    assert {e["index"]: e["final_loss_sd"] for e in ended} == {
        i: r["final_loss_sd"] for i, r in enumerate(record["runs"])
    }


def test_elapsed_time_grows_from_zero_to_the_runs_training_time(client: TestClient) -> None:
    job = finished(client, {**FIVE_SEEDS, "seeds": 1})
    for run in job["runs"]:
        elapsed = run["elapsed"]
        assert elapsed[0] == 0.0 and len(elapsed) == 31
        assert elapsed == sorted(elapsed) and elapsed[-1] > 0
        assert elapsed[-1] == pytest.approx(run["sec_per_epoch"] * job["epochs"])


def test_one_seed_is_the_job_of_today(client: TestClient) -> None:
    body = {key: value for key, value in FIVE_SEEDS.items() if key != "seeds"}
    job = finished(client, body)
    assert job["seeds"] == 1
    for run in job["runs"]:
        assert run["losses_min"] == run["losses"] == run["losses_max"]
        assert run["final_loss_sd"] is None
        assert run["final_loss_min"] == run["final_loss"] == run["final_loss_max"] == run["losses"][-1]


def test_the_history_keeps_the_seeds_and_the_band(client: TestClient) -> None:
    job = finished(client, FIVE_SEEDS)
    stored = until_stored(client, job["id"], lambda r: r["status"] == "done")  # the listener writes after the job ends
    assert stored["config"]["seeds"] == 5
    for saved, series, live in zip(stored["runs"], stored["series"], job["runs"], strict=True):
        assert saved["final_loss_sd"] == live["final_loss_sd"] and saved["final_loss_min"] == live["final_loss_min"]
        assert series["losses_min"] == live["losses_min"] and series["elapsed"] == live["elapsed"]


def test_the_csv_of_a_multi_seed_job_has_the_band_and_the_seconds(client: TestClient) -> None:
    job = finished(client, FIVE_SEEDS)
    until_stored(client, job["id"], lambda r: r["status"] == "done")
    text = client.get(f"/api/runs/{job['id']}/export", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["run", "optimizer", "impl", "epoch", "loss", "loss_min", "loss_max", "seconds"]
    last = rows[30]
    run = job["runs"][0]
    assert float(last["loss_min"]) == run["losses_min"][-1] and float(last["seconds"]) == run["elapsed"][-1]


@pytest.mark.parametrize("seeds", [0, 33, -1, 2.5, True, "5"])
def test_seeds_out_of_range_or_not_an_integer_are_refused_by_name(client: TestClient, seeds: Any) -> None:
    found = errors(client.post("/api/jobs", json={**FIVE_SEEDS, "seeds": seeds}))
    assert list(found) == ["seeds"]
