"""/api/sweeps over HTTP: submit, follow (SSE), read the cells, cancel, the shared queue, the history;
every cell of a training sweep equals its configuration trained alone through /api/jobs."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.utils import LONG_JOB, WAIT, airfoil_file, another_browser, parse_sse, submit, until

TRAINING: dict[str, Any] = {
    "kind": "training",
    "optimizer": "momentum",
    "dataset": "airfoil",
    "batch_size": 10,
    "epochs": 2,
    "seed": 3,
    "device": "cpu",
    "axes": [
        {"param": "eta", "from": 0.01, "to": 3, "n": 6, "scale": "log"},
        {"param": "gamma", "values": [0, 0.5, 0.9, 0.99]},
    ],
}
# About 16,000 cells × 3,000 steps: seconds of work, so there is time to cancel it.
LONG_SWEEP: dict[str, Any] = {
    **TRAINING,
    "epochs": 20,
    "axes": [{"param": "eta", "from": 0.001, "to": 0.1, "n": 256}, {"param": "gamma", "from": 0, "to": 0.9, "n": 64}],
}


@pytest.fixture
def roomy(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"max_sweep_work": 10**9}))) as client:
        yield client


@pytest.fixture
def tight(settings: Settings) -> Iterator[TestClient]:
    """One job or sweep at a time and no waiting room."""
    update = {"max_concurrent_jobs": 1, "max_queued_jobs": 0, "max_sweep_work": 10**9}
    with TestClient(create_app(settings.model_copy(update=update))) as client:
        yield client


def sweep(client: TestClient, body: dict[str, Any]) -> str:
    response = client.post("/api/sweeps", json=body)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def events(client: TestClient, sweep_id: str, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/sweeps/{sweep_id}/events{query}")
    assert response.status_code == 200, response.text
    return parse_sse(response.text)


def wait_for(client: TestClient, sweep_id: str, condition: Any) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        state = dict(client.get(f"/api/sweeps/{sweep_id}").json())
        if condition(state):
            return state
        time.sleep(0.01)
    raise AssertionError(f"sweep {sweep_id} never got there")


# --- a sweep from start to end ------------------------------------------------------------


def test_a_training_sweep_streams_its_rows_and_is_stored(client: TestClient) -> None:
    airfoil_file()
    response = client.post("/api/sweeps", json=TRAINING)
    assert response.status_code == 202
    created = response.json()
    sweep_id = created["id"]
    assert created == {
        "id": sweep_id,
        "status": "queued",
        "url": f"/api/sweeps/{sweep_id}",
        "events": f"/api/sweeps/{sweep_id}/events",
    }
    assert response.headers["location"] == created["url"]

    stream = events(client, sweep_id)
    names = [e["event"] for e in stream]
    assert names[0] == "meta" and names[-1] == "done" and set(names[1:-1]) == {"progress"}
    assert [e["id"] for e in stream] == list(range(1, len(stream) + 1))
    meta = stream[0]["data"]
    assert meta["shape"] == [4, 6] and meta["metrics"] == ["final_loss", "diverged_at"]
    assert meta["axes"][1] == {"param": "gamma", "values": [0, 0.5, 0.9, 0.99], "scale": "linear"}
    eta = meta["axes"][0]["values"]
    assert eta[0] == 0.01 and eta[-1] == 3 and len(eta) == 6
    assert all(math.isclose(b / a, (3 / 0.01) ** 0.2) for a, b in itertools.pairwise(eta))
    assert meta["hyperparams"] == {}  # momentum has only the two swept
    assert meta["problem"]["dataset"] == "airfoil" and meta["problem"]["steps"] == 2 * 150

    state = client.get(f"/api/sweeps/{sweep_id}").json()
    assert state["status"] == "done" and state["progress"] == 1 and state["rows_done"] == 4
    # The rows streamed, put together, are the cells.
    streamed: dict[str, list[Any]] = {"final_loss": [None] * 4, "diverged_at": [None] * 4}
    for event in stream[1:-1]:
        data = event["data"]
        for name, rows in data.get("cells", {}).items():
            streamed[name][data["first"] : data["first"] + data["rows"]] = rows
    assert streamed == state["cells"]
    losses, diverged = state["cells"]["final_loss"], state["cells"]["diverged_at"]
    assert [len(row) for row in losses] == [6] * 4
    assert any(v is not None for row in diverged for v in row), "η = 3 with momentum diverges"
    for loss_row, div_row in zip(losses, diverged, strict=True):
        for loss, at in zip(loss_row, div_row, strict=True):
            assert (loss is None) == (at is not None)

    done = stream[-1]["data"]
    assert done["status"] == "done" and done["run_id"] == sweep_id
    record = client.get(f"/api/runs/{done['run_id']}").json()
    assert record["kind"] == "sweep" and record["status"] == "done"
    assert record["series"][0]["cells"] == state["cells"]
    assert record["config"]["axes"] == state["axes"] and record["config"]["problem"]["seed"] == 3
    assert record["runs"][0]["best"]["value"] == min(v for row in losses for v in row if v is not None)
    assert client.get(f"/runs/{sweep_id}").status_code == 200
    listed = client.get("/api/runs", params={"kind": "sweep"}).json()
    assert [item["id"] for item in listed["items"]] == [sweep_id]
    csv = client.get(f"/api/runs/{sweep_id}/export", params={"format": "csv"}).text.splitlines()
    assert csv[0] == "row,col,eta,gamma,final_loss,diverged_at" and len(csv) == 1 + 24


def test_every_cell_equals_its_configuration_trained_alone(client: TestClient) -> None:
    airfoil_file()
    sweep_id = sweep(client, TRAINING)
    events(client, sweep_id)
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    eta, gamma = (axis["values"] for axis in state["axes"])
    diverged = [(r, c) for r, row in enumerate(state["cells"]["diverged_at"]) for c, v in enumerate(row) if v]
    cells = [(0, 0), (3, 5), (2, 1), (1, 4), diverged[0]]
    for r, c in cells:
        job = {
            "dataset": "airfoil",
            "batch_size": 10,
            "epochs": 2,
            "seed": 3,
            "device": "cpu",
            "runs": [{"optimizer": "momentum", "hyperparams": {"eta": eta[c], "gamma": gamma[r]}}],
        }
        alone = until(client, submit(client, job), {"done"})["runs"][0]
        loss = state["cells"]["final_loss"][r][c]
        assert state["cells"]["diverged_at"][r][c] == alone["diverged_at"]
        if alone["final_loss"] is None:
            assert loss is None
        else:
            assert math.isclose(loss, alone["final_loss"], rel_tol=1e-6), (r, c)


def test_a_late_or_reconnecting_subscriber_gets_what_it_missed(client: TestClient) -> None:
    airfoil_file()
    sweep_id = sweep(client, TRAINING)
    stream = events(client, sweep_id)
    assert events(client, sweep_id) == stream  # a second tab
    assert events(client, sweep_id, "?after=2") == stream[2:]
    resumed = client.get(f"/api/sweeps/{sweep_id}/events", headers={"Last-Event-ID": "1"})
    assert parse_sse(resumed.text) == stream[1:]
    assert client.get(f"/api/sweeps/{sweep_id}/events?after={len(stream)}").status_code == 204


def test_cancel_keeps_the_rows_done(roomy: TestClient) -> None:
    airfoil_file()
    sweep_id = sweep(roomy, LONG_SWEEP)
    wait_for(roomy, sweep_id, lambda s: s["rows_done"] > 0)
    answer = roomy.post(f"/api/sweeps/{sweep_id}/cancel")
    assert answer.status_code == 200 and "cells" not in answer.json()
    state = wait_for(roomy, sweep_id, lambda s: s["status"] != "running")
    assert state["status"] == "cancelled" and 0 < state["rows_done"] < 64
    done_rows = state["cells"]["final_loss"][: state["rows_done"]]
    assert all(v is not None for row in done_rows for v in row)
    assert all(v is None for row in state["cells"]["final_loss"][state["rows_done"] :] for v in row)
    assert events(roomy, sweep_id)[-1]["data"]["status"] == "cancelled"
    record = roomy.get(f"/api/runs/{sweep_id}").json()
    assert record["status"] == "cancelled" and record["series"][0]["cells"] == state["cells"]
    again = roomy.post(f"/api/sweeps/{sweep_id}/cancel")
    assert again.status_code == 409


def test_sweeps_and_jobs_share_the_queue(tight: TestClient) -> None:
    airfoil_file()
    job_id = submit(tight, LONG_JOB)
    refused = tight.post("/api/sweeps", json=TRAINING)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "queue is full" in refused.json()["detail"]
    tight.post(f"/api/jobs/{job_id}/cancel")
    until(tight, job_id, {"cancelled"})

    sweep_id = sweep(tight, LONG_SWEEP)
    job = tight.post("/api/jobs", json={**LONG_JOB, "epochs": 1})
    assert job.status_code == 429 and int(job.headers["retry-after"]) >= 1
    assert tight.post("/api/sweeps", json=TRAINING).status_code == 429
    tight.post(f"/api/sweeps/{sweep_id}/cancel")
    wait_for(tight, sweep_id, lambda s: s["status"] == "cancelled")
    assert tight.post("/api/sweeps", json=TRAINING).status_code == 202


def test_unknown_sweeps_are_404(client: TestClient) -> None:
    for path in ("/api/sweeps/nope", "/api/sweeps/nope/events"):
        assert client.get(path).status_code == 404
    assert client.post("/api/sweeps/nope/cancel").status_code == 404


# --- trajectory sweeps ------------------------------------------------------------------------

TRAJECTORY: dict[str, Any] = {
    "kind": "trajectory",
    "optimizer": "momentum",
    "function": "quadratic",
    "start": [-5, -2],
    "steps": 60,
    "axes": [
        {"param": "eta", "from": 0.01, "to": 3, "n": 7, "scale": "log"},
        {"param": "gamma", "values": [0, 0.5, 0.9, 0.99]},
    ],
}


def lone_run(client: TestClient, body: dict[str, Any], hyperparams: dict[str, float], start: list[float]) -> Any:
    request = {
        "function": body.get("function", "quadratic"),
        "start": start,
        "steps": body["steps"],
        "seed": body.get("seed", 0),
        "runs": [{"optimizer": body["optimizer"], "impl": body.get("impl", "book"), "hyperparams": hyperparams}],
    }
    if "expression" in body:
        request["expression"] = body["expression"]
    response = client.post("/api/trajectories", json=request)
    assert response.status_code == 200, response.text
    return response.json()["runs"][0]


def assert_cell_is_its_lone_run(
    client: TestClient, state: dict[str, Any], body: dict[str, Any], r: int, c: int
) -> None:
    x, y = state["axes"]
    hyperparams = dict(state["hyperparams"])
    start = list(state["problem"]["start"])
    for axis, value in ((x, x["values"][c]), (y, y["values"][r])):
        if axis["param"] in ("x1", "x2"):
            start[int(axis["param"][1]) - 1] = value
        else:
            hyperparams[axis["param"]] = value
    alone = lone_run(client, body, hyperparams, start)
    cells = {name: grid[r][c] for name, grid in state["cells"].items()}
    assert cells["diverged_at"] == alone["diverged_at"], (r, c)
    f_star, minima = state["problem"]["f_star"], state["problem"]["minima"]
    if f_star is not None:
        reached = [t for t, v in enumerate(alone["values"]) if v - f_star <= 1e-6]
        assert cells["steps_to_tol"] == (reached[0] if reached else None), (r, c)
    if alone["status"] == "diverged":
        assert cells["final_value"] is None and cells["minimum"] is None
        return
    assert math.isclose(cells["final_value"], alone["values"][-1], rel_tol=1e-12, abs_tol=1e-300), (r, c)
    if minima:
        x1, x2 = alone["points"][-1]
        gaps = [math.dist((x1, x2), m) for m in minima]
        assert cells["minimum"] == gaps.index(min(gaps))
        assert math.isclose(cells["distance"], min(gaps), rel_tol=1e-12, abs_tol=1e-300)


def test_a_trajectory_sweep_equals_its_cells_run_alone(client: TestClient) -> None:
    sweep_id = sweep(client, TRAJECTORY)
    stream = events(client, sweep_id)
    assert stream[-1]["data"]["status"] == "done", stream[-1]
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    assert state["metrics"] == ["final_value", "distance", "steps_to_tol", "diverged_at", "minimum"]
    assert [len(state["cells"]["final_value"]), len(state["cells"]["final_value"][0])] == [4, 7]
    diverged = [(r, c) for r, row in enumerate(state["cells"]["diverged_at"]) for c, v in enumerate(row) if v]
    assert diverged, "momentum with η = 3 diverges on the quadratic"
    reached = [(r, c) for r, row in enumerate(state["cells"]["steps_to_tol"]) for c, v in enumerate(row) if v]
    assert reached and len(reached) < 28
    for r, c in [(0, 0), (2, 4), (3, 6), (1, 2), diverged[0], reached[0]]:
        assert_cell_is_its_lone_run(client, state, TRAJECTORY, r, c)


def test_the_book_cell_is_the_books_figure(client: TestClient) -> None:
    axes = [{"param": "eta", "values": [0.4]}, {"param": "gamma", "values": [0.9]}]
    body = {**TRAJECTORY, "optimizer": "rmsprop", "steps": 20, "axes": axes}
    sweep_id = sweep(client, body)
    events(client, sweep_id)
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    # RMSProp η=0.4, γ=0.9 from (−5, −2), 20 steps: x1 = −0.010599, x2 = 0.000000 (D2L 7.6).
    assert math.isclose(state["cells"]["final_value"][0][0], 0.1 * 0.010599**2, rel_tol=2e-4)
    assert math.isclose(state["cells"]["distance"][0][0], 0.010599, rel_tol=1e-4)


@pytest.mark.parametrize(
    ("body", "cells"),
    [
        ({"optimizer": "sgd", "hyperparams": {"noise": 0.5}, "seed": 7}, [(0, 0), (2, 3), (1, 5)]),
        ({"optimizer": "adam", "impl": "torch"}, [(0, 1), (3, 6)]),
        ({"optimizer": "rmsprop", "function": "rosenbrock", "start": [-1.5, 2]}, [(1, 1), (3, 5), (2, 0)]),
        (
            {"optimizer": "adagrad", "function": "custom", "expression": "0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)"},
            [(0, 3), (2, 2)],
        ),
    ],
)
def test_cells_equal_their_lone_runs_whatever_the_optimizer(
    client: TestClient, body: dict[str, Any], cells: list[tuple[int, int]]
) -> None:
    spec = {**TRAJECTORY, **body, "steps": 40}
    second = {"param": "eps", "values": [1e-8, 1e-6, 1e-3, 0.1]}
    if spec["optimizer"] in ("momentum",):
        second = {"param": "gamma", "values": [0, 0.5, 0.9, 0.99]}
    if spec["optimizer"] == "sgd":
        second = {"param": "noise", "values": [0.1, 0.5, 1, 2]}
        spec["hyperparams"] = {}
    spec["axes"] = [{"param": "eta", "from": 0.001, "to": 1, "n": 7, "scale": "log"}, second]
    sweep_id = sweep(client, spec)
    assert events(client, sweep_id)[-1]["data"]["status"] == "done"
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    for r, c in cells:
        assert_cell_is_its_lone_run(client, state, spec, r, c)


def test_a_basin_map_colours_each_start_by_the_minimum_it_reached(client: TestClient) -> None:
    body = {
        "kind": "trajectory",
        "optimizer": "adam",
        "function": "himmelblau",
        "steps": 300,
        "hyperparams": {"eta": 0.1},
        "axes": [{"param": "x1", "from": -5, "to": 5, "n": 24}, {"param": "x2", "from": -5, "to": 5, "n": 24}],
    }
    sweep_id = sweep(client, body)
    events(client, sweep_id)
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    assert len(state["problem"]["minima"]) == 4
    minimum, distance = state["cells"]["minimum"], state["cells"]["distance"]
    near = [(r, c) for r in range(24) for c in range(24) if distance[r][c] is not None and distance[r][c] < 1e-2]
    settled = {minimum[r][c] for r, c in near}
    assert settled == {0, 1, 2, 3}, "from a 24 × 24 grid of starts Adam finds all four minima"
    assert minimum[23][23] == 0 and minimum[0][0] == 2  # (5, 5) rolls to (3, 2); (−5, −5) to (−3.78, −3.28)
    for r, c in [(0, 0), (23, 23), (5, 17), (12, 12)]:
        assert_cell_is_its_lone_run(client, state, body, r, c)


def test_rastrigin_basins_are_its_local_minima(client: TestClient) -> None:
    body = {
        "kind": "trajectory",
        "optimizer": "gd",
        "function": "rastrigin",
        "steps": 200,
        "hyperparams": {"eta": 0.001},
        "axes": [{"param": "x1", "from": -2.2, "to": 2.2, "n": 9}, {"param": "x2", "values": [-0.1, 1.1]}],
    }
    sweep_id = sweep(client, body)
    events(client, sweep_id)
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    minima = state["problem"]["minima"]
    assert len(minima) == 121 and minima[0] == [0, 0]
    reached = [minima[m] for m in state["cells"]["minimum"][0]]
    assert [round(p[0]) for p in reached] == [-2, -2, -1, -1, 0, 1, 1, 2, 2]  # plain GD stays in its start's basin
    assert all(round(p[1]) == 0 for p in reached)
    assert state["cells"]["steps_to_tol"][0][4] is not None and state["cells"]["steps_to_tol"][0][0] is None


# --- owners -------------------------------------------------------------------------------------


def test_only_its_owner_cancels_a_sweep_and_the_history_knows_whose_it_is(roomy: TestClient) -> None:
    airfoil_file()
    sweep_id = sweep(roomy, LONG_SWEEP)
    other = another_browser(roomy)
    assert other.get(f"/api/sweeps/{sweep_id}").json()["mine"] is False
    assert roomy.get(f"/api/sweeps/{sweep_id}").json()["mine"] is True
    refused = other.post(f"/api/sweeps/{sweep_id}/cancel")
    assert refused.status_code == 403 and "cancel sweep" in refused.json()["detail"]
    assert roomy.post(f"/api/sweeps/{sweep_id}/cancel").status_code == 200
    wait_for(roomy, sweep_id, lambda s: s["status"] == "cancelled" and s["run_id"] == sweep_id)  # and stored
    mine = roomy.get("/api/runs", params={"kind": "sweep"}).json()["items"]
    theirs = other.get("/api/runs", params={"kind": "sweep"}).json()["items"]
    assert [item["id"] for item in mine] == [sweep_id] and theirs == []


def test_sweeps_and_jobs_share_a_browsers_share_of_the_queue(settings: Settings) -> None:
    airfoil_file()
    update = {"max_jobs_per_client": 2, "max_sweep_work": 10**9}
    with TestClient(create_app(settings.model_copy(update=update))) as client:
        job_id = submit(client, LONG_JOB)
        sweep_id = sweep(client, LONG_SWEEP)
        for path, body in (("/api/sweeps", TRAINING), ("/api/jobs", LONG_JOB)):
            refused = client.post(path, json=body)
            assert refused.status_code == 429 and "jobs or sweeps" in refused.json()["detail"]
            assert int(refused.headers["retry-after"]) >= 1
        assert another_browser(client).post("/api/sweeps", json=TRAINING).status_code == 202  # others still can
        client.post(f"/api/jobs/{job_id}/cancel")
        until(client, job_id, {"cancelled"})
        assert client.post("/api/sweeps", json=TRAINING).status_code == 202
        client.post(f"/api/sweeps/{sweep_id}/cancel")
