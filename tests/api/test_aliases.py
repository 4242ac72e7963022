"""Hyper-parameters under the book's and PyTorch's other names: lr, alpha, momentum, beta."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.optim.registry import get_optimizer
from app.optim.spec import HyperParamError
from tests.utils import WAIT, parse_sse


def trajectory(optimizer: str, hyperparams: dict[str, float], steps: int = 20) -> dict[str, Any]:
    return {"function": "quadratic", "steps": steps, "runs": [{"optimizer": optimizer, "hyperparams": hyperparams}]}


def errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["msg"] for e in response.json()["detail"]}


@pytest.mark.parametrize(
    ("optimizer", "alias", "name"),
    [
        ("gd", "lr", "eta"),
        ("rmsprop", "alpha", "gamma"),
        ("momentum", "momentum", "gamma"),
        ("momentum", "beta", "gamma"),
        ("adam", "lr", "eta"),
    ],
)
def test_an_alias_runs_the_same_path_and_is_answered_by_its_name(
    client: TestClient, optimizer: str, alias: str, name: str
) -> None:
    value = 0.3 if name == "eta" else 0.7
    by_alias = client.post("/api/trajectories", json=trajectory(optimizer, {alias: value}))
    by_name = client.post("/api/trajectories", json=trajectory(optimizer, {name: value}))
    assert by_alias.status_code == by_name.status_code == 200, by_alias.text
    run, twin = by_alias.json()["runs"][0], by_name.json()["runs"][0]
    assert run["hyperparams"][name] == value and alias not in run["hyperparams"]
    assert run["hyperparams"] == twin["hyperparams"]
    assert run["points"] == twin["points"]
    default = get_optimizer(optimizer).defaults()[name]
    assert default != value  # the alias really set the value
    stored = client.get(f"/api/runs/{by_alias.json()['run_id']}").json()
    assert stored["config"]["runs"][0]["hyperparams"] == run["hyperparams"]


def test_the_book_rmsprop_case_through_pytorchs_names(client: TestClient) -> None:
    """RMSProp η=0.4, γ=0.9 from (−5, −2) on 0.1·x1² + 2·x2² for 20 steps: x1 = −0.010599, x2 ≈ 0."""
    body = client.post("/api/trajectories", json=trajectory("rmsprop", {"lr": 0.4, "alpha": 0.9})).json()
    x1, x2 = body["runs"][0]["points"][-1]
    assert round(x1, 6) == -0.010599 and abs(x2) < 5e-7


def test_the_stream_takes_aliases_too(client: TestClient) -> None:
    events = parse_sse(client.post("/api/trajectories/stream", json=trajectory("momentum", {"momentum": 0.9})).text)
    meta = events[0]["data"]
    assert meta["runs"][0]["hyperparams"] == {"eta": 0.4, "gamma": 0.9}


@pytest.mark.parametrize(
    ("optimizer", "given", "field", "words"),
    [
        ("gd", {"eta": 0.1, "lr": 0.2}, "runs[0].hyperparams.lr", ["'eta'", "'lr'", "not both"]),
        ("rmsprop", {"alpha": 0.8, "gamma": 0.9}, "runs[0].hyperparams.gamma", ["'gamma'", "'alpha'", "not both"]),
        ("momentum", {"momentum": 0.8, "beta": 0.9}, "runs[0].hyperparams.beta", ["aliases of 'gamma'", "not both"]),
    ],
)
def test_a_name_and_its_alias_together_are_refused(
    client: TestClient, optimizer: str, given: dict[str, float], field: str, words: list[str]
) -> None:
    found = errors(client.post("/api/trajectories", json=trajectory(optimizer, given)))
    assert list(found) == [field]
    assert all(word in found[field] for word in words), found[field]


def test_an_alias_out_of_bounds_names_the_alias_and_its_parameter(client: TestClient) -> None:
    found = errors(client.post("/api/trajectories", json=trajectory("rmsprop", {"alpha": 1.0})))
    assert "alias of gamma" in found["runs[0].hyperparams.alpha"] and "[0, 1)" in found["runs[0].hyperparams.alpha"]


def test_aliases_belong_to_their_optimizer(client: TestClient) -> None:
    """alpha is RMSProp's (torch.optim.RMSprop), momentum and beta are momentum's; AdaDelta has no η."""
    for optimizer, alias in [("adam", "alpha"), ("rmsprop", "momentum"), ("rmsprop", "beta"), ("adadelta", "lr")]:
        found = errors(client.post("/api/trajectories", json=trajectory(optimizer, {alias: 0.5})))
        assert "unknown hyper-parameter" in found[f"runs[0].hyperparams.{alias}"]


def test_a_job_takes_aliases_and_keeps_the_names(client: TestClient) -> None:
    body = {
        "dataset": "synthetic",
        "epochs": 1,
        "runs": [
            {"optimizer": "rmsprop", "impl": "torch", "hyperparams": {"lr": 0.02, "alpha": 0.95}},
            {"optimizer": "momentum", "hyperparams": {"lr": 0.01, "momentum": 0.8}},
        ],
    }
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    client.app.state.jobs.wait(job_id, WAIT)  # type: ignore[attr-defined]
    record = client.get(f"/api/jobs/{job_id}").json()
    assert [run["hyperparams"] for run in record["runs"]] == [
        {"eta": 0.02, "gamma": 0.95, "eps": 1e-8},
        {"eta": 0.01, "gamma": 0.8},
    ]
    stored = client.get(f"/api/runs/{job_id}").json()
    assert [run["hyperparams"] for run in stored["config"]["runs"]] == [run["hyperparams"] for run in record["runs"]]
    both = dict(body, runs=[{"optimizer": "adagrad", "hyperparams": {"lr": 0.1, "eta": 0.1}}])
    assert "not both" in errors(client.post("/api/jobs", json=both))["runs[0].hyperparams.eta"]


def test_the_catalogue_lists_every_alias(client: TestClient) -> None:
    listed = {
        (opt["name"], hp["name"]): hp["aliases"]
        for opt in client.get("/api/optimizers").json()
        for hp in opt["hyperparams"]
    }
    assert listed[("sgd", "eta")] == ["lr"]
    assert listed[("rmsprop", "gamma")] == ["alpha"]
    assert listed[("momentum", "gamma")] == ["momentum", "beta"]
    assert listed[("adadelta", "rho")] == [] and listed[("adam", "beta1")] == []


def test_resolve_accepts_aliases_for_every_path() -> None:
    """Training and any future path resolve through the same registry call."""
    spec = get_optimizer("rmsprop")
    assert spec.resolve({"lr": 0.01, "alpha": 0.5}, "torch", "training") == {"eta": 0.01, "gamma": 0.5, "eps": 1e-8}
    with pytest.raises(HyperParamError, match="not both") as caught:
        spec.resolve({"gamma": 0.5, "alpha": 0.5})
    assert caught.value.key == "alpha"
