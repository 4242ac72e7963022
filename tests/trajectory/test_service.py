"""Computed once: a repeat (one-shot or streamed) gets the same run id and one history record, from
the cache or from the history; identical requests at the same time share one computation; a
client that leaves stores nothing and frees its worker."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.history.store import RunStore
from app.main import create_app
from app.schemas.trajectories import TrajectoryRequest
from app.trajectory.pool import WorkerPool
from app.trajectory.service import TrajectoryService
from app.trajectory.work import History
from tests.utils import ADMIN, BOOK, another_browser, parse_sse, running_server

WAIT = 60.0  # a bound on waits, never a timing assertion
# Seconds of torch.optim (8 runs × 6,000 steps), within max_response_points.
LONG = {"steps": 6000, "runs": [{"optimizer": "adam", "impl": "torch", "hyperparams": {"eta": 0.01}}] * 8}


def records(client: TestClient) -> int:
    return int(client.get("/api/runs", params={"kind": "trajectory"}).json()["total"])


def compute(client: TestClient) -> dict[str, int]:
    return dict(client.get("/api/debug/stats", headers=ADMIN).json()["compute"])


def test_a_repeat_is_answered_from_the_cache_with_the_same_run_id(client: TestClient) -> None:
    first = client.post("/api/trajectories", json=BOOK).json()
    tasks = compute(client)["tasks"]
    again = client.post("/api/trajectories", json={**BOOK, "start": [-5.0, -2.0]}).json()  # the same, spelt out
    assert again == first
    assert compute(client)["tasks"] == tasks  # no worker was asked
    assert records(client) == 1


def test_a_streamed_repeat_still_streams_and_ends_with_the_same_run_id(client: TestClient) -> None:
    body = {**BOOK, "steps": 120}
    events = [parse_sse(client.post("/api/trajectories/stream", json=body).text) for _ in range(2)]
    one_shot = client.post("/api/trajectories", json=body).json()
    for run in events:
        assert [e["event"] for e in run][:2] == ["meta", "step"] and run[-1]["event"] == "done"
        assert run[-1]["data"]["run_id"] == one_shot["run_id"]
    assert [e["data"] for e in events[0]] == [e["data"] for e in events[1]]
    assert records(client) == 1


def test_after_a_restart_a_repeat_comes_from_the_history(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
        cookies = dict(client.cookies)  # the same browser after the restart
    store = RunStore(settings.database_path)
    record = store.get(run_id)
    assert record is not None
    record.series[0]["values"][0] = 123.0  # a mark only the stored record carries
    store.save(record)
    with TestClient(create_app(settings), cookies=cookies) as client:
        answer = client.post("/api/trajectories", json=BOOK).json()
        streamed = parse_sse(client.post("/api/trajectories/stream", json=BOOK).text)
    assert answer["run_id"] == run_id and answer["runs"][0]["values"][0] == 123.0
    assert streamed[1]["data"]["runs"][0]["values"][0] == 123.0 and streamed[-1]["data"]["run_id"] == run_id
    assert store.list(store_filter())[0] == 1


def store_filter() -> Any:
    from app.history.store import RunFilter

    return RunFilter(kind="trajectory")


@pytest.mark.parametrize("body", [BOOK, {**BOOK, "steps": 3000}])  # computed here, and in a worker
def test_a_deleted_record_comes_back_when_the_request_is_repeated(client: TestClient, body: dict[str, Any]) -> None:
    run_id = client.post("/api/trajectories", json=body).json()["run_id"]
    assert client.delete(f"/api/runs/{run_id}").status_code == 204
    assert client.post("/api/trajectories", json=body).json()["run_id"] == run_id  # from the cache
    assert client.get(f"/api/runs/{run_id}").status_code == 200  # stored again before the answer
    assert client.delete(f"/api/runs/{run_id}").status_code == 204
    done = parse_sse(client.post("/api/trajectories/stream", json=body).text)[-1]["data"]
    assert done["run_id"] == run_id and client.get(f"/api/runs/{run_id}").status_code == 200


def test_identical_requests_at_the_same_time_are_computed_once(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[bytes], int]:  # the answers, and how many were computed
        RunStore(tmp_path / "runs.sqlite3")
        pool = WorkerPool(2)
        history = History(tmp_path / "runs.sqlite3", 10_000, 2**30)
        service = TrajectoryService(history=history, pool=pool, cache_bytes=2**20, max_response_points=10**6)
        try:
            req = TrajectoryRequest.model_validate({**BOOK, "steps": 3000})
            answers = await asyncio.gather(*(service.answer(req) for _ in range(10)))
            streams = [service.stream(req) for _ in range(5)]
            for stream in streams:
                assert [e.name async for e in stream][-1] == "done"
            return answers, service.computed
        finally:
            await pool.close()

    answers, computed = asyncio.run(asyncio.wait_for(scenario(), WAIT))
    assert len(set(answers)) == 1 and computed == 1
    assert RunStore(tmp_path / "runs.sqlite3").list(store_filter())[0] == 1


def test_a_one_shot_client_that_leaves_stops_its_computation_and_stores_nothing(tmp_path: Path) -> None:
    with running_server({"OPTLAB_DB_PATH": str(tmp_path / "runs.sqlite3")}) as (url, _):
        host, port = url.removeprefix("http://").split(":")
        body = json.dumps(LONG).encode()
        with httpx.Client(base_url=url, timeout=WAIT) as client:
            with socket.create_connection((host, int(port))) as sock:
                head = f"POST /api/trajectories HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
                deadline = time.monotonic() + WAIT
                while client.get("/api/debug/stats").json()["compute"]["busy"] == 0:
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
            deadline = time.monotonic() + WAIT  # the socket is closed: the server sees the client go
            while (stats := client.get("/api/debug/stats").json()["compute"])["busy"]:
                assert time.monotonic() < deadline, stats
                time.sleep(0.01)
            assert stats["entries"] == 0
            assert client.get("/api/runs", params={"kind": "trajectory"}).json()["total"] == 0


def test_browsers_share_one_record_of_one_computation_owned_by_the_first(client: TestClient) -> None:
    client.get("/healthz")
    other = another_browser(client)
    other.get("/healthz")
    mine, again, theirs = (c.post("/api/trajectories", json=BOOK).json() for c in (client, client, other))
    assert mine["run_id"] == again["run_id"] == theirs["run_id"]
    assert mine["runs"] == theirs["runs"] and compute(client)["computed"] == 1
    everyone = client.get("/api/runs", params={"scope": "all"}).json()
    assert [r["id"] for r in everyone["items"]] == [mine["run_id"]]
    assert other.delete(f"/api/runs/{mine['run_id']}").status_code == 403  # readable by all, the first's to delete
    assert other.get(f"/api/runs/{mine['run_id']}").status_code == 200
