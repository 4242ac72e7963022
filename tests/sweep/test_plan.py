"""A sweep's body: axes expanded as asked, defaults filled in, and every bad field a 422 naming it."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.sweep.axes import spaced
from tests.utils import errors

ETA = {"param": "eta", "from": 0.01, "to": 2, "n": 8, "scale": "log"}
GAMMA = {"param": "gamma", "values": [0, 0.5, 0.9, 0.99]}
BODY: dict[str, Any] = {"kind": "trajectory", "optimizer": "rmsprop", "axes": [ETA, GAMMA]}


def body(**changes: Any) -> dict[str, Any]:
    return {**BODY, **changes}


def axis(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not None}


def test_spacing_hits_both_ends_exactly() -> None:
    log = spaced(0.01, 2.0, 64, "log")
    assert log[0] == 0.01 and log[-1] == 2.0 and len(log) == 64
    ratios = [b / a for a, b in itertools.pairwise(log)]
    assert max(ratios) - min(ratios) < 1e-12
    lin = spaced(-5.0, 5.0, 11, "linear")
    assert lin == tuple(float(v) for v in range(-5, 6))


REFUSED = [
    (body(kind="everything"), "kind", "'trajectory' or 'training'"),
    (body(optimizer="lbfgs"), "optimizer", "unknown optimizer 'lbfgs'"),
    (body(axes=[ETA]), "axes", "at least 2"),
    (body(axes=[ETA, GAMMA, GAMMA]), "axes", "at most 2"),
    (body(axes=[axis(ETA, param="beta1"), GAMMA]), "axes[0].param", "unknown parameter 'beta1' for rmsprop"),
    (body(optimizer="adagrad", axes=[ETA, GAMMA]), "axes[1].param", "unknown parameter 'gamma' for adagrad"),
    (body(axes=[ETA, axis(ETA, n=4)]), "axes[1].param", "both axes sweep 'eta'"),
    (body(axes=[axis(ETA, n=1), GAMMA]), "axes[0].n", "greater than or equal to 2"),
    (body(axes=[axis(ETA, n=257), GAMMA]), "axes[0].n", "less than or equal to 256"),
    (body(axes=[ETA, {"param": "gamma", "values": [0.1] * 257}]), "axes[1].values", "at most 256"),
    (body(axes=[axis(ETA, to=0.01), GAMMA]), "axes[0].to", "greater than from"),
    (body(axes=[axis(ETA, **{"from": 0.5}, to=0.1), GAMMA]), "axes[0].to", "greater than from"),
    (body(axes=[ETA, {"param": "gamma", "from": -0.5, "to": 0.9, "n": 4, "scale": "log"}]), "axes[1].scale", "log"),
    (body(axes=[ETA, {"param": "gamma", "from": 0, "to": 0.9, "n": 4, "scale": "log"}]), "axes[1].scale", "log"),
    (body(axes=[axis(ETA, to=500), GAMMA]), "axes[0].to", "eta must be a finite number in (0, 100]"),
    (body(axes=[axis(ETA, **{"from": -1}, scale="linear"), GAMMA]), "axes[0].from", "(0, 100]"),
    (body(axes=[ETA, {"param": "gamma", "values": [0.5, 1.0]}]), "axes[1].values[1]", "[0, 1)"),
    (body(axes=[ETA, {**GAMMA, "n": 4}]), "axes[1].values", "not both"),
    (body(axes=[{"param": "eta", "from": 0.1, "n": 4}, GAMMA]), "axes[0].to", "required for a range"),
    (body(axes=[ETA, {"param": "gamma"}]), "axes[1].from", "required for a range"),
    (body(axes=[ETA, {"param": "gamma", "values": [0.1], "extra": 1}]), "axes[1].extra", "not permitted"),
    (body(axes=[ETA, {"param": "x1", "from": -2e5, "to": 0, "n": 4}]), "axes[1].from", "within ±100000"),
    (body(hyperparams={"eta": 0.4}), "hyperparams.eta", "swept by axes[0]"),
    (body(hyperparams={"eps": -1}), "hyperparams.eps", "[0, 1]"),
    (body(hyperparams={"rho": 0.5}), "hyperparams.rho", "unknown hyper-parameter 'rho'"),
    (body(steps=0), "steps", "greater than or equal to 1"),
    (body(function="nope"), "function", "unknown function 'nope'"),
    (body(function="custom"), "expression", "needs an expression"),
    (body(function="custom", expression="x1 +* x2"), "expression", ""),
    (body(expression="x1**2"), "expression", "only used with function 'custom'"),
    (body(start=[1, 2, 3]), "start", "at most 2"),
    (body(box=[1, 0, 0, 1]), "box", "min < max"),
    (body(dataset="airfoil"), "dataset", "kind 'training'"),
    (body(epochs=2), "epochs", "kind 'training'"),
    (body(kind="training", function="quadratic"), "function", "kind 'trajectory'"),
    (body(kind="training", steps=20), "steps", "kind 'trajectory'"),
    (body(kind="training", dataset="nope"), "dataset", "unknown dataset 'nope'"),
    (body(kind="training", batch_size=100_000), "batch_size", "at most"),
    (body(kind="training", device="tpu"), "device", "'auto', 'cpu' or 'cuda'"),
    (
        body(kind="training", axes=[ETA, {"param": "x2", "values": [0, 1]}]),
        "axes[1].param",
        "unknown parameter 'x2'",
    ),
]


@pytest.mark.parametrize(("request_body", "field", "fragment"), REFUSED)
def test_every_bad_field_is_a_422_that_names_it(
    client: TestClient, request_body: dict[str, Any], field: str, fragment: str
) -> None:
    found = errors(client.post("/api/sweeps", json=request_body))
    assert field in found, found
    assert fragment in found[field]
    assert found[field].startswith(f"{field}: ")


def test_nan_is_refused_by_name(client: TestClient) -> None:
    raw = '{"kind": "trajectory", "optimizer": "rmsprop", "axes": [{"param": "eta", "values": [0.1, NaN]}, %s]}'
    response = client.post(
        "/api/sweeps", content=raw % '{"param": "gamma", "values": [0.5]}', headers={"content-type": "application/json"}
    )
    assert "axes[0].values[1]" in errors(response)


def test_the_server_refuses_every_field_at_once(client: TestClient) -> None:
    bad = body(
        axes=[axis(ETA, to=0.001), {"param": "gamma", "values": [2.0]}], hyperparams={"eps": 5}, dataset="airfoil"
    )
    assert set(errors(client.post("/api/sweeps", json=bad))) == {
        "axes[0].to",
        "axes[1].values[0]",
        "hyperparams.eps",
        "dataset",
    }


def test_the_work_bound_is_a_422_that_says_it(client: TestClient) -> None:
    big = body(axes=[axis(ETA, n=256), {"param": "gamma", "from": 0, "to": 0.99, "n": 256}], steps=1000)
    message = errors(client.post("/api/sweeps", json=big))["axes"]
    assert "256 × 256 cells × 1,000 steps = 65,536,000 cell-steps" in message and "20,000,000" in message
    torch_big = body(impl="torch", axes=[axis(ETA, n=64), axis(GAMMA, values=[0.1 * i for i in range(10)])])
    assert "torch.optim" in errors(client.post("/api/sweeps", json={**torch_big, "steps": 1000}))["axes"]


def test_the_largest_grid_within_the_bound_is_accepted(client: TestClient) -> None:
    largest = body(axes=[axis(ETA, n=256), {"param": "gamma", "from": 0, "to": 0.99, "n": 256}], steps=300)
    response = client.post("/api/sweeps", json=largest)
    assert response.status_code == 202, response.text
    client.post(f"/api/sweeps/{response.json()['id']}/cancel")


def test_custom_expressions_count_their_terms_against_the_work(client: TestClient) -> None:
    grid = [axis(ETA, n=200), {"param": "gamma", "from": 0, "to": 0.9, "n": 200}]
    heavy = body(function="custom", expression="sin(x1)*cos(x2) + x1**2 + x2**2", axes=grid, steps=100)
    assert "exceeds the limit" in errors(client.post("/api/sweeps", json=heavy))["expression"]


def test_the_plan_fills_in_the_defaults(client: TestClient) -> None:
    sweep_id = client.post("/api/sweeps", json=body(axes=[ETA, {"param": "x2", "values": [-2, 0]}])).json()["id"]
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    assert state["hyperparams"] == {"gamma": 0.9, "eps": 1e-6}  # the 2D lab's defaults, eta swept
    problem = state["problem"]
    assert (problem["function"], problem["start"], problem["steps"], problem["seed"]) == ("quadratic", [-5, -2], 20, 0)
    assert problem["minima"] == [[0, 0]] and problem["f_star"] == 0
    eta = state["axes"][0]["values"]
    assert eta[0] == 0.01 and math.isclose(eta[1], 0.01 * 200 ** (1 / 7)) and eta[-1] == 2


def test_aliases_name_the_parameters_as_elsewhere(client: TestClient) -> None:
    aliased = body(axes=[axis(ETA, param="lr"), {"param": "alpha", "values": [0.5, 0.9]}], hyperparams={"eps": 1e-8})
    sweep_id = client.post("/api/sweeps", json=aliased).json()["id"]
    state = client.get(f"/api/sweeps/{sweep_id}").json()
    assert [a["param"] for a in state["axes"]] == ["eta", "gamma"] and state["hyperparams"] == {"eps": 1e-8}
    twice = body(axes=[ETA, axis(ETA, param="lr", n=4)])
    assert "both axes sweep 'eta'" in errors(client.post("/api/sweeps", json=twice))["axes[1].param"]
    swept = body(hyperparams={"lr": 0.1})
    assert "swept by axes[0]" in errors(client.post("/api/sweeps", json=swept))["hyperparams.lr"]
