from typing import get_args

from fastapi.testclient import TestClient

from app.schemas import JobStatus
from app.training.jobs import TERMINAL


def test_healthz_reports_ok(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["torch"].startswith("2.")


def test_healthz_gives_the_job_statuses_the_job_manager_uses(client: TestClient) -> None:
    statuses = client.get("/healthz").json()["job_statuses"]
    assert set(statuses["finished"]) == TERMINAL  # what the page treats as final is what the manager does
    assert statuses["active"] + statuses["finished"] == list(get_args(JobStatus))


def test_optimizers_list_every_book_optimizer_with_bounds(client: TestClient) -> None:
    optimizers = {o["name"]: o for o in client.get("/api/optimizers").json()}
    assert set(optimizers) == {"gd", "sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"}
    rmsprop = {hp["name"]: hp for hp in optimizers["rmsprop"]["hyperparams"]}
    assert rmsprop["gamma"]["default"] == 0.9 and rmsprop["gamma"]["bounds"] == "[0, 1)"
    assert rmsprop["eps"]["default"] == 1e-6 and rmsprop["eps"]["torch_default"] == 1e-8
    assert rmsprop["eta"]["training_default"] == 0.01
    assert optimizers["rmsprop"]["impls"] == ["book", "torch"]
    assert "alpha" in optimizers["rmsprop"]["torch_notes"]


def test_functions_carry_box_start_and_minima(client: TestClient) -> None:
    functions = {f["name"]: f for f in client.get("/api/functions").json()}
    assert {"quadratic", "bowl", "rosenbrock", "beale", "himmelblau", "rastrigin", "saddle"} <= set(functions)
    quadratic = functions["quadratic"]
    assert quadratic["start"] == [-5.0, -2.0] and quadratic["minima"] == [[0.0, 0.0]]
    assert "0.1x_1^2" in quadratic["latex"]


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert len(response.content) > 1_000_000
