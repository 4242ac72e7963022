"""The trajectory API: contract, every 422 case, and the SSE stream against the one-shot answer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.utils import BOOK, parse_sse


def test_trajectories_return_the_books_numbers(client: TestClient) -> None:
    response = client.post("/api/trajectories", json=BOOK)
    assert response.status_code == 200
    adagrad, rmsprop = response.json()["runs"]
    assert f"{adagrad['points'][-1][0]:f} {adagrad['points'][-1][1]:f}" == "-2.382563 -0.158591"
    assert f"{rmsprop['points'][-1][0]:f}" == "-0.010599"
    for run in (adagrad, rmsprop):
        assert len(run["points"]) == 21 and run["points"][0] == [-5.0, -2.0]
        assert len(run["values"]) == 21 and len(run["lr_eff"]) == 20
        assert run["status"] == "ok" and run["diverged_at"] is None
    assert rmsprop["hyperparams"] == {"eta": 0.4, "gamma": 0.9, "eps": 1e-6}


def test_defaults_fill_in_start_and_hyperparameters(client: TestClient) -> None:
    body = client.post("/api/trajectories", json={"runs": [{"optimizer": "adam", "impl": "torch"}]}).json()
    assert body["function"] == "quadratic" and body["start"] == [-5.0, -2.0] and body["steps"] == 20
    assert body["runs"][0]["hyperparams"] == {"eta": 0.4, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def test_divergence_is_reported_with_its_step(client: TestClient) -> None:
    request = {"steps": 50, "runs": [{"optimizer": "gd", "hyperparams": {"eta": 11}}]}
    body = client.post("/api/trajectories", json=request)
    run = body.json()["runs"][0]
    assert run["status"] == "diverged" and run["diverged_at"] == 4 and len(run["points"]) == 4


def with_run(**run: Any) -> dict[str, Any]:
    return {"runs": [{"optimizer": "rmsprop", **run}]}


BAD_REQUESTS = [
    ("eta zero", with_run(hyperparams={"eta": 0}), "runs[0].hyperparams.eta"),
    ("eta negative", with_run(hyperparams={"eta": -0.1}), "runs[0].hyperparams.eta"),
    ("gamma one", with_run(hyperparams={"gamma": 1.0}), "runs[0].hyperparams.gamma"),
    ("gamma negative", with_run(hyperparams={"gamma": -0.1}), "runs[0].hyperparams.gamma"),
    ("unknown hyper-parameter", with_run(hyperparams={"beta": 0.5}), "runs[0].hyperparams.beta"),
    ("unknown optimizer", {"runs": [{"optimizer": "lbfgs"}]}, "runs[0].optimizer"),
    ("unknown impl", with_run(impl="jax"), "runs[0].impl"),
    ("unknown function", {**with_run(), "function": "sphere"}, "function"),
    ("steps zero", {**with_run(), "steps": 0}, "steps"),
    ("steps too many", {**with_run(), "steps": 10_001}, "steps"),
    ("steps not an int", {**with_run(), "steps": 2.5}, "steps"),
    ("steps boolean", {**with_run(), "steps": True}, "steps"),
    ("no runs", {"runs": []}, "runs"),
    ("nine runs", {"runs": [{"optimizer": "gd"}] * 9}, "runs"),
    ("start of three", {**with_run(), "start": [1, 2, 3]}, "start"),
    ("start too far", {**with_run(), "start": [1e9, 0]}, "start"),
    ("box upside down", {**with_run(), "box": [1, -1, -1, 1]}, "box"),
    ("extra field", {**with_run(), "colour": "red"}, "colour"),
    ("eta as text", with_run(hyperparams={"eta": "0.4"}), "runs[0].hyperparams.eta"),
]


@pytest.mark.parametrize(("case", "body", "field"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
@pytest.mark.parametrize("path", ["/api/trajectories", "/api/trajectories/stream"])
def test_bad_input_is_a_422_naming_the_field(client: TestClient, path: str, case: str, body: Any, field: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(d["field"] == field and d["msg"].startswith(field) for d in detail), detail
    assert not any("Value error" in d["msg"] for d in detail), detail  # pydantic's prefix reads as noise


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(client: TestClient, token: str) -> None:
    raw = '{"runs": [{"optimizer": "rmsprop", "hyperparams": {"eta": ' + token + "}}]}"
    response = client.post("/api/trajectories", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "runs[0].hyperparams.eta"


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post("/api/trajectories", content="{", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "body"


def test_stream_orders_meta_steps_done_and_matches_the_one_shot_answer(client: TestClient) -> None:
    body = {**BOOK, "steps": 120}
    whole = client.post("/api/trajectories", json=body).json()
    response = client.post("/api/trajectories/stream", json=body)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [e["event"] for e in events]
    assert names[0] == "meta" and names[-1] == "done" and set(names[1:-1]) == {"step"} and len(names) > 3
    assert [int(e["id"]) for e in events] == list(range(len(events)))

    meta = events[0]["data"]
    assert meta["steps"] == 120 and [r["optimizer"] for r in meta["runs"]] == ["adagrad", "rmsprop"]
    assert len(meta["contour"]["z"]) == len(meta["contour"]["x2"])

    streamed: list[dict[str, list[Any]]] = [{"points": [], "values": [], "lr_eff": [], "s": []} for _ in range(2)]
    for event in events[1:-1]:
        assert event["data"]["first"] == len(streamed[0]["points"])
        for acc, part in zip(streamed, event["data"]["runs"], strict=True):
            for key in ("points", "values", "lr_eff"):
                acc[key] += part[key]
            acc["s"] += part["state"].get("s", [])
    for acc, run in zip(streamed, whole["runs"], strict=True):
        want = {"points": run["points"], "values": run["values"], "lr_eff": run["lr_eff"], "s": run["state"]["s"]}
        assert acc == want
    assert events[-1]["data"]["runs"] == [{"status": "ok", "diverged_at": None, "points": 121}] * 2


def test_stream_reports_divergence_in_done(client: TestClient) -> None:
    body = {"steps": 200, "runs": [{"optimizer": "gd", "hyperparams": {"eta": 11}}, {"optimizer": "rmsprop"}]}
    events = parse_sse(client.post("/api/trajectories/stream", json=body).text)
    assert events[-1]["data"]["runs"][0] == {"status": "diverged", "diverged_at": 4, "points": 4}
    assert events[-1]["data"]["runs"][1]["points"] == 201


def test_a_preview_is_answered_but_not_stored(client: TestClient) -> None:
    """What the 2D lab's sliders send while they are dragged: the same answer, nothing in the history."""
    before = client.get("/api/runs").json()["total"]
    preview = client.post("/api/trajectories", params={"preview": "true"}, json=BOOK)
    assert preview.status_code == 200, preview.text
    assert preview.json()["run_id"] is None and preview.json()["store_error"] is None
    assert client.get("/api/runs").json()["total"] == before
    kept = client.post("/api/trajectories", json=BOOK).json()
    assert kept["run_id"] is not None and kept["runs"] == preview.json()["runs"]
    assert client.get("/api/runs").json()["total"] == before + 1
    assert client.post("/api/trajectories", params={"preview": "maybe"}, json=BOOK).status_code == 422
