"""The book's printed results, re-run through the public API exactly as GET /api/book says."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.book import catalogue
from app.book.catalogue import SOURCE, PrintedLoss, PrintedPoint, parse

BOOK = catalogue()
EXACT_2D = [r for r in BOOK.results if r.kind == "trajectory" and not r.random]
RANDOM_2D = [r for r in BOOK.results if r.kind == "trajectory" and r.random]
TRAINING = [r for r in BOOK.results if r.kind == "training"]


def request_body(result_id: str, client: TestClient, seed: int | None = None) -> dict[str, Any]:
    """The request exactly as the API hands it out, optionally with another seed."""
    entry = next(r for r in client.get("/api/book").json()["results"] if r["id"] == result_id)
    body = dict(entry["request"])
    if seed is not None:
        body["seed"] = seed
    return body


def final_point(client: TestClient, body: dict[str, Any]) -> list[float]:
    response = client.post("/api/trajectories", json=body)
    assert response.status_code == 200, response.text
    points: list[float] = response.json()["runs"][0]["points"][-1]
    return points


def test_the_catalogue_lists_every_result_with_its_request_and_formulas(client: TestClient) -> None:
    body = client.get("/api/book").json()
    assert (body["seeds"], body["decimals"], body["sigmas"]) == (10, 6, 3.0)
    sections = {r["section"] for r in body["results"]}
    assert sections == {"7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8"}
    assert len(EXACT_2D) == 8 and len(RANDOM_2D) == 1 and len(TRAINING) == 14
    for entry in body["results"]:
        assert set(entry["description"]) == {"en", "zh"} and all(entry["description"].values())
        assert entry["formulas"] and all(f["mathml"].startswith("<math") for f in entry["formulas"])
        key = "point" if entry["kind"] == "trajectory" else "loss"
        assert key in entry["printed"] and entry["printed"]["line"]
    assert {o["section"] for o in body["omitted"]} == {"7.4", "7.7"}
    assert [s["id"] for s in body["sections"]] == sorted(sections)
    assert all(s["title"]["en"] and s["title"]["zh"] for s in body["sections"])
    assert body["loss"]["mathml"].startswith("<math") and "\\frac{1}{2}" in body["loss"]["latex"]


@pytest.mark.parametrize("result", EXACT_2D, ids=lambda r: r.id)
def test_every_2d_result_prints_the_books_line(client: TestClient, result: Any) -> None:
    """The book's own output line, formatted from our point the way train_2d prints it."""
    x1, x2 = final_point(client, request_body(result.id, client))
    steps = result.request.steps
    assert isinstance(result.printed, PrintedPoint)
    assert f"epoch {steps}, x1 {x1:f}, x2 {x2:f}" == result.printed.line
    assert [round(x1, BOOK.decimals), round(x2, BOOK.decimals)] == list(result.printed.point)


@pytest.mark.parametrize("result", RANDOM_2D, ids=lambda r: r.id)
def test_a_random_2d_result_lies_within_our_spread(client: TestClient, result: Any) -> None:
    points = [final_point(client, request_body(result.id, client, seed)) for seed in range(BOOK.seeds)]
    assert len({tuple(p) for p in points}) == BOOK.seeds  # the seed does change the noise
    for axis, printed in enumerate(result.printed.point):
        values = [p[axis] for p in points]
        mean, sd = statistics.mean(values), statistics.stdev(values)
        assert abs(printed - mean) <= BOOK.sigmas * sd, (axis, printed, mean, sd)


def trained(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/api/jobs", json=body)
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    events = client.get(f"/api/jobs/{job_id}/events")  # the stream ends with the job
    assert events.status_code == 200
    job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["seeds"] == BOOK.seeds, job
    run: dict[str, Any] = job["runs"][0]
    return run


@pytest.mark.slow
@pytest.mark.parametrize("result", TRAINING, ids=lambda r: r.id)
def test_every_training_result_lies_within_our_mean_plus_minus_3_sd(client: TestClient, result: Any) -> None:
    """One job trains the result's settings over 10 seeds; the book's single unseeded run must look like one of them."""
    run = trained(client, request_body(result.id, client))
    mean, sd = run["final_loss"], run["final_loss_sd"]
    assert isinstance(result.printed, PrintedLoss)
    assert sd > 0 and run["final_loss_min"] < mean < run["final_loss_max"]
    assert abs(result.printed.loss - mean) <= BOOK.sigmas * sd, (result.printed.loss, mean, sd)


def test_a_request_the_api_would_refuse_fails_the_catalogue() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    with pytest.raises(ValidationError, match="eta"):
        parse(text.replace("hyperparams = { eta = 0.1 } }] }", "hyperparams = { eta = -0.1 } }] }", 1))
    with pytest.raises(ValueError, match="duplicate"):
        parse(text.replace('id = "7.2-sgd"', 'id = "7.2-gd"'))
    with pytest.raises(ValueError, match=r"section '7\.2' has no"):
        parse(text.replace('id = "7.2"\ntitle', 'id = "7.9"\ntitle'))
    with pytest.raises(ValueError, match="trains 10 seeds, not 3"):
        parse(text.replace("seeds = 10, runs", "seeds = 3, runs", 1))
