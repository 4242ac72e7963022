from typing import get_args

from fastapi.testclient import TestClient

from app.schemas.base import JobStatus
from app.training.job import TERMINAL


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


def test_every_optimizer_carries_its_notation_as_mathml_for_both_impls(client: TestClient) -> None:
    """The notation names exactly the state a real run reports, so the page can label every number."""
    optimizers = client.get("/api/optimizers").json()
    for impl in ("book", "torch"):
        runs = [{"optimizer": o["name"], "impl": impl} for o in optimizers]
        answered = client.post("/api/trajectories", json={"steps": 2, "runs": runs}).json()["runs"]
        for info, run in zip(optimizers, answered, strict=True):
            notation = info["notation"][impl]
            assert set(notation["state"]) == set(run["state"]), (info["name"], impl)
            assert set(notation["symbols"]) == {"previous", "gradient", "point"}
            assert set(notation["gradient"]) == {"2d", "training"}
            assert "mathcal{B}_t" in notation["gradient"]["training"]["latex"]
            formulas = [
                *notation["rule"],
                *notation["gradient"].values(),
                notation["rate"],
                *notation["state"].values(),
                *notation["symbols"].values(),
            ]
            for formula in formulas:
                assert formula["mathml"].startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
                assert formula["mathml"].endswith("</math>") and formula["latex"]
    adagrad = next(o for o in optimizers if o["name"] == "adagrad")["notation"]
    assert "<msqrt>" in adagrad["book"]["rate"]["mathml"] and "<mfrac>" in adagrad["book"]["rate"]["mathml"]
    assert adagrad["book"]["rate"]["latex"] != adagrad["torch"]["rate"]["latex"]  # ε inside vs outside the root


def test_functions_carry_their_formula_as_mathml(client: TestClient) -> None:
    functions = {f["name"]: f for f in client.get("/api/functions").json()}
    assert "<msubsup><mi>x</mi><mn>1</mn><mn>2</mn></msubsup>" in functions["quadratic"]["mathml"]
    assert functions["rastrigin"]["mathml"].count("<mi>cos</mi>") == 2
    assert functions["custom"]["mathml"] == ""
