"""Security basics: headers on every answer, CORS closed unless configured, the body cap (413), the
per-client stream cap (429 + Retry-After) and the points-per-response bound.

Where the behaviour is about a real connection (a chunked body that never ends, streams held open,
a client that goes away) the app runs under uvicorn in a thread on a free loopback port.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.testclient import TestClient

from app.api.deps import STREAM_RETRY_AFTER_SECONDS as RETRY_AFTER_SECONDS
from app.api.deps import StreamSlot
from app.api.security import CSP, DOCS_CSP, SlotLimiter
from app.config import Settings
from app.main import create_app
from tests.utils import WAIT_S, eventually, serve

HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
TRAJECTORY = {"steps": 20, "runs": [{"optimizer": "adam"}]}


def make_app(settings: Settings, **limits: object) -> FastAPI:
    return create_app(settings.model_copy(update=limits))


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/", None),
        ("GET", "/healthz", None),
        ("GET", "/api/functions", None),
        ("GET", "/openapi.json", None),
        ("GET", "/static/favicon.svg", None),
        ("GET", "/vendor/plotly.min.js", None),
        ("GET", "/no/such/page", None),  # 404
        ("DELETE", "/healthz", None),  # 405
        ("POST", "/api/trajectories", {"steps": 0, "runs": []}),  # 422
        ("POST", "/api/trajectories", TRAJECTORY),
        ("POST", "/api/trajectories/stream", TRAJECTORY),  # SSE
    ],
)
def test_every_answer_carries_the_security_headers(
    client: TestClient,
    method: str,
    path: str,
    body: object,
) -> None:
    response = client.request(method, path, json=body)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)


def test_the_policy_allows_scripts_from_self_only(client: TestClient) -> None:
    policy = client.get("/healthz").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'" and "script-src" not in directives
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_only_the_api_docs_get_the_wider_docs_policy(client: TestClient) -> None:
    assert client.get("/docs").headers["content-security-policy"] == DOCS_CSP
    assert "cdn" not in DOCS_CSP and "https:" not in DOCS_CSP  # the docs' assets come from this server
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/other").headers["content-security-policy"] == CSP


def test_a_route_that_sets_its_own_header_keeps_it(settings: Settings) -> None:
    app = make_app(settings)

    @app.get("/own")
    def own() -> EventSourceResponse:  # any response type works; this one is at hand
        response = EventSourceResponse(iter(()))
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    with TestClient(app) as client:
        response = client.get("/own")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app/config.py",
        "/static/%2e%2e/app/config.py",
        "/static/..%2fapp%2fconfig.py",
    ],
)
def test_static_files_never_leave_their_folder(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "BaseSettings" not in response.text


# --- CORS --------------------------------------------------------------------------------------

PREFLIGHT = {
    "Origin": "https://class.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


def test_cors_is_closed_by_default(client: TestClient) -> None:
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": "https://x.example"}).headers
    preflight = client.options("/api/trajectories", headers=PREFLIGHT)
    assert preflight.status_code >= 400 and "access-control-allow-origin" not in preflight.headers


def test_cors_opens_only_to_the_configured_origins(settings: Settings) -> None:
    with TestClient(make_app(settings, cors_origins=["https://class.example"])) as client:
        preflight = client.options("/api/trajectories", headers=PREFLIGHT)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://class.example"
        assert preflight.headers["x-content-type-options"] == "nosniff"  # the headers cover preflights too
        simple = client.get("/healthz", headers={"Origin": "https://class.example"})
        assert simple.headers["access-control-allow-origin"] == "https://class.example"
        other = client.options("/api/trajectories", headers={**PREFLIGHT, "Origin": "https://evil.example"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        assert (
            "access-control-allow-origin"
            not in client.get("/healthz", headers={"Origin": "https://evil.example"}).headers
        )


# --- request body cap --------------------------------------------------------------------------


def test_a_declared_oversized_body_is_refused_with_413(settings: Settings) -> None:
    with TestClient(make_app(settings, max_body_bytes=2048)) as client:
        body = json.dumps({**TRAJECTORY, "runs": [{"optimizer": "adam"}] * 200}).encode()
        assert len(body) > 2048
        response = client.post("/api/trajectories", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.json() == {"detail": "request body exceeds the limit of 2048 bytes"}
        assert response.headers["x-content-type-options"] == "nosniff"
        # just under the cap the request is read and judged on its content (too many runs: 422)
        small = json.dumps({**TRAJECTORY, "runs": [{"optimizer": "adam"}] * 9}).encode()
        assert len(small) < 2048
        under = client.post("/api/trajectories", content=small, headers={"Content-Type": "application/json"})
        assert under.status_code == 422


def raw_request(port: int, head: str, chunks: list[bytes]) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` and ``chunks`` on a raw socket (no terminating chunk) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as conn:
        conn.sendall(head.encode())
        for chunk in chunks:
            conn.sendall(chunk)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            part = conn.recv(65536)
            if not part:
                break
            data += part
    status_line, _, rest = data.partition(b"\r\n")
    header_block, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.decode().split(": ", 1) for line in header_block.split(b"\r\n") if b": " in line)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_a_chunked_body_is_cut_off_at_the_cap_without_waiting_for_its_end(settings: Settings) -> None:
    head = (
        "POST /api/trajectories HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"400\r\n" + b" " * 1024 + b"\r\n"  # 1 KiB of JSON whitespace
    with serve(make_app(settings, max_body_bytes=2048)) as port:
        # 3 KiB sent, the body never finished: only a server that stops reading at the cap can answer
        status, headers, body = raw_request(port, head, [chunk] * 3)
        assert status == 413 and json.loads(body)["detail"].endswith("2048 bytes")
        assert headers["x-frame-options"] == "DENY"
        # a huge declared length is refused before any byte of the body arrives
        status, _, _ = raw_request(port, head.replace("Transfer-Encoding: chunked", f"Content-Length: {10**10}"), [])
        assert status == 413
        # a chunked body under the cap is read to its end and judged on its content
        payload = json.dumps(TRAJECTORY).encode()
        status, _, body = raw_request(port, head, [b"%x\r\n%s\r\n" % (len(payload), payload), b"0\r\n\r\n"])
        assert status == 200 and json.loads(body)["steps"] == 20


# --- concurrent streams per client -------------------------------------------------------------


def test_the_limiter_counts_per_client() -> None:
    limiter = SlotLimiter(2)
    assert limiter.acquire("a") and limiter.acquire("a") and not limiter.acquire("a")
    assert limiter.acquire("b") and limiter.open_streams() == 3 and limiter.open_streams("a") == 2
    limiter.release("a")
    assert limiter.acquire("a") and not limiter.acquire("a")
    for _ in range(5):  # releasing more than was taken never goes negative
        limiter.release("b")
    assert limiter.open_streams("b") == 0 and limiter.acquire("b")


def test_finished_streams_give_their_slot_back(settings: Settings) -> None:
    app = make_app(settings, max_streams_per_client=1)
    with TestClient(app) as client:
        for _ in range(3):  # with one slot, a leaked slot would turn the second stream into a 429
            response = client.post("/api/trajectories/stream", json=TRAJECTORY)
            assert response.status_code == 200 and "event: done" in response.text
        bad = client.post("/api/trajectories/stream", json={"steps": 0, "runs": []})
        assert bad.status_code == 422
        assert app.state.stream_limiter.open_streams() == 0


def holding_app(settings: Settings, release: threading.Event) -> FastAPI:
    """The real app plus a stream that stays open until ``release`` is set (as a job stream would)."""
    app = make_app(settings, max_streams_per_client=2)

    @app.get("/test/hold", response_class=EventSourceResponse)
    def hold(_slot: StreamSlot) -> Iterator[ServerSentEvent]:
        yield ServerSentEvent(event="held", data={})
        for _ in range(WAIT_S * 10):
            if release.wait(0.1):
                break
            yield ServerSentEvent(comment="waiting")
        yield ServerSentEvent(event="done", data={})

    return app


def open_stream(
    port: int, method: str = "GET", path: str = "/test/hold", body: object = None
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S)
    payload = None if body is None else json.dumps(body)
    conn.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    return conn, conn.getresponse()


def test_a_client_beyond_its_stream_cap_gets_429_with_retry_after(settings: Settings) -> None:
    release = threading.Event()
    app = holding_app(settings, release)
    with serve(app) as port:
        held = [open_stream(port) for _ in range(2)]
        try:
            for _, response in held:
                assert response.status == 200 and response.readline() == b"event: held\n"
            assert app.state.stream_limiter.open_streams("127.0.0.1") == 2
            for method, path, body in (("GET", "/test/hold", None), ("POST", "/api/trajectories/stream", TRAJECTORY)):
                conn, refused = open_stream(port, method, path, body)
                assert refused.status == 429
                assert refused.getheader("Retry-After") == str(RETRY_AFTER_SECONDS)
                assert "too many open streams" in json.loads(refused.read())["detail"]
                assert refused.getheader("X-Content-Type-Options") == "nosniff"
                conn.close()
            # the one-shot endpoint is not a stream: it is not limited
            conn, plain = open_stream(port, "POST", "/api/trajectories", TRAJECTORY)
            assert plain.status == 200
            conn.close()
        finally:
            release.set()
        for conn, response in held:
            assert b"event: done" in response.read()
            conn.close()
        assert eventually(lambda: app.state.stream_limiter.open_streams() == 0)
        conn, again = open_stream(port, "POST", "/api/trajectories/stream", TRAJECTORY)
        assert again.status == 200 and b"event: done" in again.read()
        conn.close()


def test_a_client_that_goes_away_frees_its_slot(settings: Settings) -> None:
    release = threading.Event()  # never set: only the disconnect can end these streams
    app = holding_app(settings, release)
    with serve(app) as port:
        for _ in range(3):  # more rounds than slots: each slot must come back
            conn, response = open_stream(port)
            assert response.status == 200 and response.readline() == b"event: held\n"
            assert app.state.stream_limiter.open_streams() == 1
            conn.sock.shutdown(socket.SHUT_RDWR)
            conn.close()
            assert eventually(lambda: app.state.stream_limiter.open_streams() == 0)
        release.set()


# --- points per response -----------------------------------------------------------------------


def test_one_response_carries_a_bounded_number_of_points(settings: Settings) -> None:
    with TestClient(make_app(settings, max_response_points=1000)) as client:
        runs = [{"optimizer": "gd"}, {"optimizer": "adam"}]
        response = client.post("/api/trajectories", json={"steps": 501, "runs": runs})
        assert response.status_code == 422
        (error,) = response.json()["detail"]
        assert error["field"] == "steps" and error["ctx"]["limit"] == 1000 and "stream" in error["msg"]
        assert client.post("/api/trajectories", json={"steps": 500, "runs": runs}).status_code == 200
        streamed = client.post("/api/trajectories/stream", json={"steps": 501, "runs": runs})
        assert streamed.status_code == 200 and "event: done" in streamed.text


# --- what the API document says about these answers ---------------------------------------------


def test_a_405_lists_every_method_of_the_path(settings: Settings) -> None:
    app = make_app(settings)
    router = APIRouter()

    @router.get("/things/{thing_id}")
    def get_thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @router.delete("/things/{thing_id}", status_code=204)
    def delete_thing(thing_id: int) -> None:
        return None

    app.include_router(router)  # two routes for one path: Starlette's 405 would name only the first
    with TestClient(app) as client:
        assert client.options("/things/3").headers["allow"] == "DELETE, GET, HEAD"
        assert client.put("/things/3").headers["allow"] == "DELETE, GET, HEAD"
        assert client.options("/api/trajectories").headers["allow"] == "POST"
        assert client.delete("/healthz").headers["allow"] == "GET, HEAD"


def test_the_openapi_document_names_the_limit_answers(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            has_body = "requestBody" in operation
            assert ({"400", "413"} <= set(operation["responses"])) == has_body, (method, path)
    stream = paths["/api/trajectories/stream"]["post"]["responses"]["429"]
    assert "Retry-After" in stream["headers"]
