"""Ownership without accounts: each browser (here, each cookie jar) owns what it makes; another may read
it but not cancel, delete or pin it (403); the admin token may do anything. Fair shares per owner:
jobs (429 beyond max_jobs_per_client) and one-shot computations (429 beyond max_compute_per_client)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.access import OWNER_COOKIE
from app.api.deps import COMPUTE_RETRY_AFTER_SECONDS, ComputeSlot
from app.config import Settings
from app.history.store import RunRecord
from app.main import create_app
from tests.utils import (
    ADMIN,
    BOOK,
    BOOK_JOB,
    LONG_JOB,
    WAIT_S,
    another_browser,
    eventually,
    serve,
    stream,
    submit,
    until,
)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def alice(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.get("/healthz")  # gets its owner cookie
        yield client


@pytest.fixture
def bob(alice: TestClient) -> TestClient:
    client = another_browser(alice)  # a second browser: a second cookie jar
    client.get("/healthz")
    assert client.cookies[OWNER_COOKIE] != alice.cookies[OWNER_COOKIE]
    return client


def forbidden(response: Any) -> str:
    assert response.status_code == 403, response.text
    detail = str(response.json()["detail"])
    assert "belongs to another user" in detail
    return detail


# --- jobs -----------------------------------------------------------------------------------------


def test_only_the_owner_or_the_admin_cancels_a_job(alice: TestClient, bob: TestClient) -> None:
    job_id = submit(alice, LONG_JOB)
    assert "cancel job" in forbidden(bob.post(f"/api/jobs/{job_id}/cancel"))
    assert bob.get(f"/api/jobs/{job_id}").json()["status"] in {"queued", "running"}  # untouched, and readable
    wrong = bob.post(f"/api/jobs/{job_id}/cancel", headers={"Authorization": "Bearer guess"})
    assert "does not match OPTLAB_ADMIN_TOKEN" in forbidden(wrong)
    assert alice.get(f"/api/jobs/{job_id}").json()["mine"] is True
    assert bob.get(f"/api/jobs/{job_id}").json()["mine"] is False
    assert [j["mine"] for j in bob.get("/api/jobs").json() if j["id"] == job_id] == [False]
    assert bob.post(f"/api/jobs/{job_id}/cancel", headers=ADMIN).status_code == 200  # the teacher may
    assert until(alice, job_id, {"cancelled"})["status"] == "cancelled"
    second = submit(alice, LONG_JOB)
    assert alice.post(f"/api/jobs/{second}/cancel").status_code == 200  # and the owner may


def test_the_owner_id_is_never_shown(alice: TestClient, bob: TestClient) -> None:
    owner = alice.cookies[OWNER_COOKIE]
    job_id = submit(alice, BOOK_JOB)
    events = alice.get(f"/api/jobs/{job_id}/events").text
    run_id = alice.post("/api/trajectories", json=BOOK).json()["run_id"]
    until(alice, job_id, {"done"})
    seen = [
        events,
        bob.get(f"/api/jobs/{job_id}").text,
        bob.get("/api/jobs").text,
        bob.get(f"/api/runs/{run_id}").text,
        bob.get(f"/api/runs/{job_id}").text,
        bob.get("/api/runs?scope=all").text,
        bob.get(f"/api/runs/{run_id}/export").text,
    ]
    assert not any(owner in text for text in seen)


def test_one_owner_may_queue_only_its_share_of_jobs(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"max_jobs_per_client": 2, "max_concurrent_jobs": 1}))
    with TestClient(app) as alice:
        bob = another_browser(alice)
        mine = [submit(alice, LONG_JOB) for _ in range(2)]
        refused = alice.post("/api/jobs", json=LONG_JOB)
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        assert "2 jobs or sweeps queued or running (the limit per user)" in refused.json()["detail"]
        theirs = submit(bob, LONG_JOB)  # someone else is not held up by alice's share
        alice.post(f"/api/jobs/{mine[0]}/cancel")
        until(alice, mine[0], {"cancelled"})
        mine.append(submit(alice, LONG_JOB))  # an ended job frees its place
        for client, job_id in ((alice, mine[1]), (alice, mine[2]), (bob, theirs)):
            client.post(f"/api/jobs/{job_id}/cancel")


# --- runs ---------------------------------------------------------------------------------------


def test_only_the_owner_or_the_admin_deletes_or_pins_a_run(alice: TestClient, bob: TestClient) -> None:
    run_id = alice.post("/api/trajectories", json=BOOK).json()["run_id"]
    shared = bob.get(f"/api/runs/{run_id}")  # a run's link can be shared
    assert shared.status_code == 200 and shared.json()["mine"] is False and shared.json()["series"]
    assert alice.get(f"/api/runs/{run_id}").json()["mine"] is True
    assert "delete run" in forbidden(bob.delete(f"/api/runs/{run_id}"))
    assert "pin run" in forbidden(bob.post(f"/api/runs/{run_id}/pin"))
    assert "unpin run" in forbidden(bob.delete(f"/api/runs/{run_id}/pin"))
    assert bob.get(f"/api/runs/{run_id}").json()["pinned"] is False

    pinned = alice.post(f"/api/runs/{run_id}/pin")
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True and pinned.json()["mine"] is True
    assert alice.get(f"/api/runs/{run_id}").json()["pinned"] is True
    assert bob.delete(f"/api/runs/{run_id}/pin", headers=ADMIN).json()["pinned"] is False  # the teacher may
    assert alice.post("/api/runs/0123456789ab/pin").status_code == 404
    assert bob.delete(f"/api/runs/{run_id}", headers=ADMIN).status_code == 204
    assert alice.get(f"/api/runs/{run_id}").status_code == 404


def test_a_job_record_belongs_to_the_jobs_owner(alice: TestClient, bob: TestClient) -> None:
    job_id = submit(alice, BOOK_JOB)
    stream(alice, job_id)
    until(alice, job_id, {"done"})
    assert eventually(lambda: alice.get(f"/api/runs/{job_id}").json()["status"] == "done")
    forbidden(bob.delete(f"/api/runs/{job_id}"))
    assert alice.post(f"/api/runs/{job_id}/pin").json()["pinned"] is True
    assert alice.delete(f"/api/runs/{job_id}").status_code == 204


def test_a_record_from_before_owners_is_the_admins(app: FastAPI, alice: TestClient) -> None:
    legacy = app.state.store.save(
        RunRecord(kind="trajectory", status="done", title="old", optimizers=["gd"], config={})
    )
    assert legacy.owner is None
    forbidden(alice.delete(f"/api/runs/{legacy.id}"))
    assert alice.get(f"/api/runs/{legacy.id}").json()["mine"] is False
    assert alice.delete(f"/api/runs/{legacy.id}", headers=ADMIN).status_code == 204


def test_history_lists_your_own_runs_unless_asked_for_all(alice: TestClient, bob: TestClient) -> None:
    hers = {alice.post("/api/trajectories", json={**BOOK, "seed": seed}).json()["run_id"] for seed in (1, 2)}
    assert alice.post("/api/trajectories", json={**BOOK, "seed": 1}).json()["run_id"] in hers  # a repeat: the same
    his = bob.post("/api/trajectories", json=BOOK).json()["run_id"]
    own = alice.get("/api/runs").json()
    assert own["scope"] == "own" and own["total"] == 2 and {r["id"] for r in own["items"]} == hers
    assert all(r["mine"] for r in own["items"])
    everyone = alice.get("/api/runs", params={"scope": "all"}).json()
    assert everyone["total"] == 3 and {r["id"] for r in everyone["items"]} == hers | {his}
    assert {r["id"]: r["mine"] for r in everyone["items"]}[his] is False
    assert [r["id"] for r in bob.get("/api/runs").json()["items"]] == [his]
    usage = alice.get("/api/runs").json()["usage"]
    assert usage["runs"] == 3 and usage["own_runs"] == 2 and 0 < usage["own_bytes"] < usage["bytes"]
    assert usage["max_runs"] == 10_000 and usage["max_bytes"] == 1000 * 2**20
    bad = alice.get("/api/runs", params={"scope": "mine"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "scope"


# --- one-shot computations ------------------------------------------------------------------------


def test_one_owner_may_run_only_its_share_of_computations(app: FastAPI, alice: TestClient, bob: TestClient) -> None:
    limiter = app.state.compute_limiter
    owner = alice.cookies[OWNER_COOKIE]
    held = [limiter.acquire(owner) for _ in range(limiter.per_client)]  # as if alice had 4 running
    assert all(held) and limiter.per_client == 4
    refused = alice.post("/api/trajectories", json=BOOK)
    assert refused.status_code == 429 and refused.headers["retry-after"] == str(COMPUTE_RETRY_AFTER_SECONDS)
    assert "4 computations running (the limit per user)" in refused.json()["detail"]
    assert bob.post("/api/trajectories", json=BOOK).status_code == 200  # not bob's problem
    limiter.release(owner)
    assert alice.post("/api/trajectories", json=BOOK).status_code == 200
    assert limiter.open_streams(owner) == 3  # the request gave its slot back


def test_a_computation_holds_its_slot_until_it_ends_even_if_its_client_left(settings: Settings) -> None:
    """Over a real connection: a client that gives up does not get its slot back before the work ends."""
    app = create_app(settings.model_copy(update={"max_compute_per_client": 1}))
    release = threading.Event()
    started = threading.Event()

    def slow(_slot: ComputeSlot) -> dict[str, bool]:  # a one-shot computation that takes as long as we say
        started.set()
        release.wait(WAIT_S)
        return {"done": True}

    app.add_api_route("/test/slow", slow, methods=["POST"])
    with serve(app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=WAIT_S) as client:
        client.get("/healthz")
        worker = threading.Thread(target=lambda: _give_up(port, dict(client.cookies)))
        worker.start()
        assert started.wait(WAIT_S)
        worker.join(WAIT_S)  # that client has gone; its computation still runs
        assert client.post("/api/trajectories", json=BOOK).status_code == 429
        release.set()
        owner = client.cookies[OWNER_COOKIE]
        assert eventually(lambda: app.state.compute_limiter.open_streams(owner) == 0)
        assert client.post("/api/trajectories", json=BOOK).status_code == 200


def _give_up(port: int, cookies: dict[str, str]) -> None:
    """Ask for the slow computation, wait half a second, and leave (the connection closes)."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies=cookies, timeout=0.5) as client:
        try:
            client.post("/test/slow")
        except httpx.ReadTimeout:
            return
    raise AssertionError("the slow computation answered before it was released")
