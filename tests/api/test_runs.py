"""Run history over HTTP: every comparison is stored, listed, opened, exported and deleted."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.utils import BOOK, parse_sse


def test_a_comparison_is_stored_and_opens_by_id(client: TestClient) -> None:
    answer = client.post("/api/trajectories", json=BOOK).json()
    run = client.get(f"/api/runs/{answer['run_id']}").json()
    assert run["kind"] == "trajectory" and run["status"] == "done"
    assert run["optimizers"] == ["adagrad", "rmsprop"]
    assert [s["points"] for s in run["series"]] == [r["points"] for r in answer["runs"]]
    assert run["config"]["runs"][1]["hyperparams"] == {"eta": 0.4, "gamma": 0.9, "eps": 1e-6}
    assert run["runs"][1]["final"] == answer["runs"][1]["points"][-1]


def test_a_diverged_comparison_reads_back_as_it_was_answered(client: TestClient) -> None:
    body = {"steps": 40, "runs": [{"optimizer": "gd", "hyperparams": {"eta": 12.0}}, {"optimizer": "adagrad"}]}
    answer = client.post("/api/trajectories", json=body).json()
    assert [r["status"] for r in answer["runs"]] == ["diverged", "ok"]
    run = client.get(f"/api/runs/{answer['run_id']}").json()
    for series, result in zip(run["series"], answer["runs"], strict=True):
        assert series == {key: result[key] for key in ("points", "values", "lr_eff", "state")}
    assert run["runs"][0]["diverged_at"] == answer["runs"][0]["diverged_at"] == 4


def test_a_streamed_comparison_is_stored_when_done(client: TestClient) -> None:
    events = parse_sse(client.post("/api/trajectories/stream", json=BOOK).text)
    run_id = events[-1]["data"]["run_id"]
    assert client.get(f"/api/runs/{run_id}").json()["series"][0]["points"][-1][0] == -2.382562771979649


def test_list_filters_by_kind_optimizer_and_status(client: TestClient) -> None:
    first = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    second = client.post("/api/trajectories", json={"runs": [{"optimizer": "adam"}]}).json()["run_id"]
    page = client.get("/api/runs").json()
    assert page["total"] == 2 and [item["id"] for item in page["items"]] == [second, first]
    assert [i["id"] for i in client.get("/api/runs", params={"optimizer": "adam"}).json()["items"]] == [second]
    assert client.get("/api/runs", params={"kind": "training"}).json()["total"] == 0
    assert client.get("/api/runs", params={"status": "done", "limit": 1}).json()["items"][0]["id"] == second


def test_list_refuses_bad_filters_by_name(client: TestClient) -> None:
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"kind": "x"}, "kind"),
        ({"limit": 0}, "limit"),
    ]
    for params, field in cases:
        response = client.get("/api/runs", params=params)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field


def test_export_csv_has_a_row_per_point(client: TestClient) -> None:
    answer = client.post("/api/trajectories", json=BOOK).json()
    run_id = answer["run_id"]
    response = client.get(f"/api/runs/{run_id}/export", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert f"optimizer-lab-trajectory-{run_id}.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 * 21
    last = rows[-1]
    assert last["optimizer"] == "rmsprop" and last["step"] == "20"
    assert [float(last["x1"]), float(last["x2"])] == answer["runs"][1]["points"][-1]  # every digit kept
    assert f"{float(last['x1']):f}" == "-0.010599"  # the book's figure
    assert rows[0]["lr_eff_x1"] == ""


def test_export_json_round_trips(client: TestClient) -> None:
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    exported = client.get(f"/api/runs/{run_id}/export").json()
    assert exported == client.get(f"/api/runs/{run_id}").json()


def test_delete_then_404(client: TestClient) -> None:
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    assert client.delete(f"/api/runs/{run_id}").status_code == 204
    assert client.get(f"/api/runs/{run_id}").status_code == 404
    assert client.delete(f"/api/runs/{run_id}").status_code == 404
    assert client.get(f"/api/runs/{run_id}/export").status_code == 404
