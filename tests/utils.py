"""What the tests share: paths, the book's requests, SSE parsing, job helpers and a real server.

``running_server`` starts uvicorn on a free loopback port with a fresh database, with the same
flags as ``make run``; the browser tests and the benchmarks use it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OPTLAB_DATA_DIR", ROOT.parent / "shared" / "data")).resolve()
ARTIFACTS = ROOT / "test-artifacts"
# TestClient (and schemathesis in-process) name the host 'testserver'; real servers are reached on loopback
TEST_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ADMIN_TOKEN = "teacher-token-for-tests"  # the settings fixture's OPTLAB_ADMIN_TOKEN
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def airfoil_file() -> Path:
    """The book's data file; a test that needs it fails (never skips) when it is missing."""
    path = DATA_DIR / "airfoil_self_noise.dat"
    if not path.is_file():
        raise AssertionError(f"the airfoil data are not in {DATA_DIR}: set OPTLAB_DATA_DIR to the folder holding it")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    env: dict[str, str] | None = None,
    log: Path | None = None,
    start_timeout: float = 60,
    log_level: str = "warning",
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Yield (base URL, process) of a uvicorn serving app.main:app on 127.0.0.1 with a fresh database.

    Its output goes to ``log`` when given (quoted in the error should it not start), else to ours.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        full_env = {
            **os.environ,
            "OPTLAB_DATA_DIR": os.environ.get("OPTLAB_DATA_DIR", str(DATA_DIR)),
            "OPTLAB_DB_PATH": str(Path(tmp) / "runs.sqlite3"),
            **(env or {}),
        }
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            log_level,
            "--timeout-graceful-shutdown",
            "5",
        ]  # as `make run` and the image
        out = stack.enter_context(log.open("wb")) if log else None
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT if out else None)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc, start_timeout, log)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float, log: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                said = f":\n{log.read_text(errors='replace')}" if log else ""
                raise RuntimeError(f"the server did not start (exit code {proc.poll()}){said}") from None
            time.sleep(0.2)


WAIT_S = 15  # upper bound on waiting for a server-side effect (never a timing assertion)


def eventually(condition: Callable[[], bool], wait: float = WAIT_S) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@contextmanager
def serve(app: FastAPI, log_level: str = "warning") -> Iterator[int]:
    """uvicorn in a thread of this process on a free loopback port (the app's state stays at hand); yields the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert eventually(lambda: server.started), "uvicorn did not start"
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(WAIT_S)
        sock.close()


# --- requests and clients ---------------------------------------------------------------------

BOOK: dict[str, Any] = {
    "function": "quadratic",
    "start": [-5, -2],
    "steps": 20,
    "runs": [
        {"optimizer": "adagrad", "impl": "book", "hyperparams": {"eta": 0.4}},
        {"optimizer": "rmsprop", "impl": "book", "hyperparams": {"eta": 0.4, "gamma": 0.9}},
    ],
}
WAIT = 60.0  # an upper bound on waits, never a timing assertion
# A training run's curve as jobs and records carry it: x, the mean loss over the seeds, their range, training seconds.
CURVES = ("epochs", "losses", "losses_min", "losses_max", "elapsed")
BOOK_JOB: dict[str, Any] = {
    "dataset": "synthetic",
    "batch_size": 10,
    "epochs": 2,
    "seed": 0,
    "device": "cpu",
    "runs": [
        {"optimizer": "adagrad", "impl": "book", "hyperparams": {"eta": 0.1}},
        {"optimizer": "rmsprop", "impl": "book", "hyperparams": {"eta": 0.01, "gamma": 0.9}},
    ],
}
LONG_JOB: dict[str, Any] = {  # 150,000 steps of two torch runs: always cancelled
    "dataset": "synthetic",
    "batch_size": 1,
    "epochs": 100,
    "runs": [{"optimizer": "rmsprop", "impl": "torch"}, {"optimizer": "adam", "impl": "torch"}],
}


def another_browser(client: TestClient) -> TestClient:
    """A second cookie jar on the app ``client`` is serving (a second owner). Not entered as a
    context: the app's lifespan (its job workers) runs once, under ``client``."""
    return TestClient(client.app)


def stream(
    client: TestClient, job_id: str, headers: dict[str, str] | None = None, query: str = ""
) -> list[dict[str, Any]]:
    response = client.get(f"/api/jobs/{job_id}/events{query}", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def submit(client: TestClient, body: dict[str, Any]) -> str:
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def until(client: TestClient, job_id: str, statuses: set[str]) -> dict[str, Any]:
    for _ in range(int(WAIT / 0.01)):
        record = client.get(f"/api/jobs/{job_id}").json()
        if record["status"] in statuses:
            return dict(record)
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} never reached {statuses}")


def errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {e["field"]: e["msg"] for e in response.json()["detail"]}


def parse_sse(text: str) -> list[dict[str, Any]]:
    """The events of an SSE body as ``{"event", "id" (int), "data" (parsed JSON)}``; comments and
    blocks without an event name (a lone ``retry:``) are passed over."""
    events = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if not line.startswith(":"):
                key, _, value = line.partition(": ")
                fields[key] = value
        if "event" in fields:
            events.append({"event": fields["event"], "id": int(fields["id"]), "data": json.loads(fields["data"])})
    return events


def until_stored(client: TestClient, run_id: str, check: Any) -> dict[str, Any]:
    """The stored run once ``check(run)`` holds (bounded wait)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        response = client.get(f"/api/runs/{run_id}")
        if response.status_code == 200 and check(response.json()):
            return dict(response.json())
        time.sleep(0.01)
    raise AssertionError(f"run {run_id} never satisfied the check")
