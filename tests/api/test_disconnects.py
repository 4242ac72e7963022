"""100 event streams opened and dropped mid-way leave nothing behind: no stream slot, no job
subscription, no trajectory generator (so no computation), no busy pool thread, no asyncio task and no
other thread. Checked on a real server through GET /api/debug/stats, with a bounded wait."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.utils import LONG_JOB, eventually, running_server

pytestmark = pytest.mark.slow

STREAMS = 100  # half trajectory comparisons, half job event streams
WAIT = 60.0  # an upper bound on waits, never a timing assertion
LONG_COMPARISON = {  # 10,000 steps × 8 runs: many seconds of work if nobody stopped it
    "function": "quadratic",
    "steps": 10_000,
    "runs": [{"optimizer": name} for name in ("gd", "sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "gd")],
}


async def open_and_drop(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: Any,
    events: int,
    opened: asyncio.Event,
    everyone: asyncio.Event,
) -> int:
    """Read ``events`` events, say so, wait until every stream is open, then drop the connection."""
    seen = 0
    async with client.stream(method, path, json=body) as response:
        assert response.status_code == 200, await response.aread()
        lines = response.aiter_lines()  # held: an abandoned line iterator, once collected, closes the connection
        async for line in lines:
            seen += line.startswith("event:")
            if seen >= events:
                break
        opened.set()
        await everyone.wait()
    return seen  # leaving the block closes the half-read response: the server sees the client go


async def stats(client: httpx.AsyncClient) -> dict[str, Any]:
    return dict((await client.get("/api/debug/stats")).json())


def leftovers(now: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """What is still held beyond the baseline (empty when everything was freed)."""
    held = {
        "open streams": now["streams"]["open"],
        "trajectory generators": now["streams"]["trajectory_generators"],
        "job subscribers": now["jobs"]["subscribers"],
        "busy pool threads": now["threads"]["pool_busy"],
        "extra asyncio tasks": now["tasks"] - baseline["tasks"],
        "extra non-pool threads": (now["threads"]["other"] + now["threads"]["jobs"])
        - (baseline["threads"]["other"] + baseline["threads"]["jobs"]),
    }
    return {name: count for name, count in held.items() if count}


async def scenario(url: str) -> None:
    limits = httpx.Limits(max_connections=STREAMS + 10, max_keepalive_connections=10)
    async with httpx.AsyncClient(base_url=url, timeout=WAIT, limits=limits) as client:
        jobs = [(await client.post("/api/jobs", json=LONG_JOB)).json()["id"] for _ in range(2)]
        try:
            for job_id in jobs:
                deadline = time.monotonic() + WAIT
                while (await client.get(f"/api/jobs/{job_id}")).json()["status"] != "running":
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.05)
            baseline = await stats(client)
            assert not leftovers(baseline, baseline) and baseline["streams"]["open"] == 0
            comparisons_before = (await client.get("/api/runs", params={"kind": "trajectory"})).json()["total"]

            everyone = asyncio.Event()
            opened = [asyncio.Event() for _ in range(STREAMS)]
            tasks = [
                asyncio.create_task(
                    open_and_drop(client, "POST", "/api/trajectories/stream", LONG_COMPARISON, 2, opened[i], everyone)
                    if i % 2 == 0
                    else open_and_drop(
                        client, "GET", f"/api/jobs/{jobs[i % 4 // 2]}/events", None, 3, opened[i], everyone
                    )
                )
                for i in range(STREAMS)
            ]
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in opened)), WAIT)
            during = await stats(client)
            assert during["streams"]["open"] == STREAMS  # the counters see every stream
            assert during["jobs"]["subscribers"] == STREAMS // 2
            assert during["streams"]["trajectory_generators"] == STREAMS // 2
            everyone.set()
            assert all(seen >= 2 for seen in await asyncio.wait_for(asyncio.gather(*tasks), WAIT))

            deadline = time.monotonic() + WAIT
            while held := leftovers(now := await stats(client), baseline):
                assert time.monotonic() < deadline, f"still held after {WAIT:.0f} s: {held}"
                await asyncio.sleep(0.1)
            assert now["threads"]["pool"] <= now["threads"]["pool_limit"]  # idle pool threads are bounded
            assert [(await client.get(f"/api/jobs/{job_id}")).json()["status"] for job_id in jobs] == ["running"] * 2
            comparisons_after = (await client.get("/api/runs", params={"kind": "trajectory"})).json()["total"]
            assert comparisons_after == comparisons_before  # no dropped comparison ran on to its end
        finally:
            for job_id in jobs:
                await client.post(f"/api/jobs/{job_id}/cancel")


def test_dropped_streams_leave_nothing_behind(tmp_path: Path) -> None:
    env = {
        "OPTLAB_DB_PATH": str(tmp_path / "runs.sqlite3"),
        "OPTLAB_WARM_UP": "false",
        "OPTLAB_MAX_STREAMS_PER_CLIENT": str(STREAMS + 10),
        "OPTLAB_MAX_CONCURRENT_JOBS": "2",
    }
    with running_server(env) as (url, _):
        asyncio.run(scenario(url))


# --- what a dropped stream leaves in the log -----------------------------------------------------


def drop(port: int, request: bytes, how: str, read: int = 100) -> None:
    """Send ``request`` on a raw socket, read a little of the answer, then leave: a FIN, or a reset (RST)."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the answer backs up, as on a slow link
        sock.sendall(request)
        sock.recv(read)
        if how == "rst":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_dropped_stream_logs_at_most_one_info_line(tmp_path: Path) -> None:
    """A client leaving a job's or a comparison's stream, politely or with a reset, mid-replay or while
    waiting: uvicorn's access line, nothing else (it used to be a 70-line ERROR traceback)."""
    log = tmp_path / "server.log"
    with running_server({"OPTLAB_WARM_UP": "false"}, log=log, log_level="info") as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with httpx.Client(base_url=url, timeout=WAIT) as client:
            ended = client.post("/api/jobs", json={**LONG_JOB, "epochs": 3}).json()["id"]
            running = client.post("/api/jobs", json=LONG_JOB).json()["id"]
            assert "event: end" in client.get(f"/api/jobs/{ended}/events").text  # ~50 events to replay
            paths = [f"/api/jobs/{ended}/events"]  # the read to its end just above
            for how in ("fin", "rst") * 5:  # the traceback came from a race: give it chances
                for job_id in (ended, running):
                    path = f"/api/jobs/{job_id}/events"
                    drop(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(), how)
                    paths.append(path)
                body = json.dumps(LONG_COMPARISON).encode()
                head = "POST /api/trajectories/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                drop(port, f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body, how, read=2000)
                paths.append("/api/trajectories/stream")
            time.sleep(1.0)  # whatever the server would log about them, it has logged by now
            assert eventually(lambda: client.get("/api/debug/stats").json()["streams"]["open"] == 0, wait=WAIT)
            client.post(f"/api/jobs/{running}/cancel")
    lines = log.read_text().splitlines()
    assert not [line for line in lines if not line.startswith("INFO:")], "\n".join(lines)
    for path in set(paths):
        assert sum(path in line for line in lines) == paths.count(path), path  # one access line each
