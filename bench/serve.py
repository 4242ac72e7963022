"""Start the real server on a free loopback port for a benchmark, and stop it afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    env: dict[str, str] | None = None,
    log: Path | None = None,
    start_timeout: float = 60,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Yield (base URL, process) of a uvicorn serving app.main:app on 127.0.0.1 with a fresh database.

    Its output goes to ``log`` when given (quoted in the error should it not start), else to ours.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        full_env = {
            **os.environ,
            "OPTLAB_DATA_DIR": os.environ.get("OPTLAB_DATA_DIR", str(ROOT.parent / "shared" / "data")),
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
            "warning",
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
