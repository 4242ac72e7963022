"""Who may ask what: the owner cookie, the Host check (400), the Origin check (403), the admin token
and the loopback rule of /api/debug/stats, HEAD wherever GET works."""

from __future__ import annotations

import http.cookies
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.access import OWNER_COOKIE, HostPatterns, same_origin
from app.config import LOOPBACK_HOSTS, Settings
from app.main import create_app
from tests.utils import ADMIN, BOOK, BOOK_JOB, another_browser, stream, submit

# --- the owner cookie --------------------------------------------------------------------------


def owner_cookie(response: Any) -> http.cookies.Morsel[str] | None:
    for value in response.headers.get_list("set-cookie"):
        jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie(value)
        if OWNER_COOKIE in jar:
            return jar[OWNER_COOKIE]
    return None


def test_a_new_browser_gets_a_long_lived_httponly_lax_owner_cookie_once(client: TestClient) -> None:
    first = client.get("/healthz")
    cookie = owner_cookie(first)
    assert cookie is not None and re.fullmatch(r"[A-Za-z0-9_-]{20,}", cookie.value)
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert not cookie["secure"]  # plain http here: a Secure cookie would never come back
    again = client.get("/api/functions")  # the test client keeps it, like a browser
    assert owner_cookie(again) is None
    assert client.cookies[OWNER_COOKIE] == cookie.value


def test_every_browser_gets_its_own_owner_and_a_forged_cookie_is_replaced(client: TestClient) -> None:
    two = another_browser(client)
    ids = {owner_cookie(c.get("/healthz")).value for c in (client, two)}  # type: ignore[union-attr]
    assert len(ids) == 2
    for forged in ("short", "x" * 200, "a;b", ""):
        other = TestClient(client.app, cookies={OWNER_COOKIE: forged})
        fresh = owner_cookie(other.get("/healthz"))
        assert fresh is not None and fresh.value != forged


def test_the_cookie_is_secure_behind_https(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        cookie = owner_cookie(client.get("/healthz"))
        assert cookie is not None and cookie["secure"]


# --- Host ----------------------------------------------------------------------------------------


@pytest.fixture
def loopback_only(settings: Settings) -> Settings:
    """The app's default: it answers to loopback names only."""
    return settings.model_copy(update={"allowed_hosts": list(LOOPBACK_HOSTS)})


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:8000", "[::1]:8000", "[::1]"])
def test_the_default_hosts_are_the_loopback_names(loopback_only: Settings, host: str) -> None:
    with TestClient(create_app(loopback_only)) as client:
        assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "attacker:8000", "", "[::1", "a:b:c"])
def test_any_other_host_is_a_400_that_says_what_to_set(loopback_only: Settings, host: str) -> None:
    with TestClient(create_app(loopback_only)) as client:
        for method, path in (("GET", "/"), ("GET", "/api/runs"), ("POST", "/api/trajectories"), ("GET", "/static/x")):
            response = client.request(method, path, headers={"Host": host}, json=BOOK)
            assert response.status_code == 400, (method, path, host)
            assert "OPTLAB_ALLOWED_HOSTS" in response.json()["detail"]
            assert response.headers["x-frame-options"] == "DENY"  # still behind the security headers
            assert owner_cookie(response) is None  # no owner minted for a refused request


def test_named_and_wildcard_hosts(settings: Settings) -> None:
    patterns = HostPatterns(["lab.school.example", "*.class.example", "[::1]"])
    assert patterns.allows("lab.school.example:8000") and patterns.allows("LAB.school.example")
    assert patterns.allows("a.class.example") and patterns.allows("b.a.class.example:443")
    assert not patterns.allows("class.example") and not patterns.allows("evilclass.example")
    assert patterns.allows("[::1]:8000") and not patterns.allows("::1")
    assert HostPatterns(["*"]).allows("anything.example") and HostPatterns(["*"]).allows("")
    with TestClient(create_app(settings.model_copy(update={"allowed_hosts": ["*"]}))) as client:
        assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


# --- Origin --------------------------------------------------------------------------------------


def test_origin_matching() -> None:
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert same_origin("https://lab.example", "lab.example")  # a TLS proxy: the app sees http, no port
    assert same_origin("https://lab.example", "lab.example:443")
    assert same_origin("http://[::1]:8000", "[::1]:8000")
    assert not same_origin("http://127.0.0.1:9000", "127.0.0.1:8000")
    assert not same_origin("https://evil.example", "lab.example")
    assert not same_origin("null", "lab.example") and not same_origin("file://", "lab.example")
    assert not same_origin("http://lab.example:bad", "lab.example")


FOREIGN = {"Origin": "https://evil.example"}


def test_state_changes_from_a_foreign_page_are_403(client: TestClient) -> None:
    job_id = submit(client, BOOK_JOB)
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    attempts = [
        ("POST", "/api/trajectories", {"json": BOOK}),
        ("POST", "/api/jobs", {"json": BOOK_JOB}),
        ("POST", f"/api/jobs/{job_id}/cancel", {}),
        ("DELETE", f"/api/runs/{run_id}", {}),
        ("POST", f"/api/runs/{run_id}/pin", {}),
        ("POST", "/api/datasets", {"files": {"file": ("a.csv", b"1,2\n" * 20, "text/csv")}}),
        # a plain HTML form posted from another site: the classic cross-site request
        ("POST", f"/api/jobs/{job_id}/cancel", {"data": {"x": "1"}}),
    ]
    for origin in (FOREIGN, {"Origin": "null"}, {"Origin": "http://testserver.evil.example"}):
        for method, path, body in attempts:
            response = client.request(method, path, headers=origin, **body)  # type: ignore[arg-type]
            assert response.status_code == 403, (method, path, origin)
            assert "origin" in response.json()["detail"] and "OPTLAB_CORS_ORIGINS" in response.json()["detail"]
    assert client.get(f"/api/runs/{run_id}").json()["pinned"] is False  # nothing happened
    assert client.get(f"/api/runs/{run_id}", headers=FOREIGN).status_code == 200  # reading stays open


def test_the_own_origin_and_no_origin_may_change_things(client: TestClient) -> None:
    own = {"Origin": "http://testserver"}  # what a browser sends from this server's own page
    assert client.post("/api/trajectories", json=BOOK, headers=own).status_code == 200
    assert client.post("/api/trajectories", json=BOOK).status_code == 200  # scripts send no Origin


def test_a_configured_origin_may_change_things(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://lab.example"]}))
    with TestClient(app) as client:
        response = client.post("/api/trajectories", json=BOOK, headers={"Origin": "https://lab.example"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://lab.example"
        assert client.post("/api/trajectories", json=BOOK, headers=FOREIGN).status_code == 403


def test_settings_take_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTLAB_ALLOWED_HOSTS", "lab.example, [::1],*.class.example")
    monkeypatch.setenv("OPTLAB_CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    settings = Settings()
    assert settings.allowed_hosts == ["lab.example", "[::1]", "*.class.example"]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    monkeypatch.delenv("OPTLAB_ALLOWED_HOSTS")
    assert Settings().allowed_hosts == ["127.0.0.1", "localhost", "[::1]"]


# --- the admin token and the server's stats ------------------------------------------------------


def test_debug_stats_need_the_admin_token_or_loopback(client: TestClient) -> None:
    refused = client.get("/api/debug/stats")  # the test client's address is not loopback
    assert refused.status_code == 403 and "admin token" in refused.json()["detail"]
    assert client.get("/api/debug/stats", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/api/debug/stats", headers={"Authorization": "Basic xyz"}).status_code == 403
    assert client.get("/api/debug/stats", headers=ADMIN).status_code == 200


def test_without_an_admin_token_nobody_is_admin(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"admin_token": None}))) as client:
        assert client.get("/api/debug/stats", headers=ADMIN).status_code == 403
        assert client.get("/api/debug/stats", headers={"Authorization": "Bearer "}).status_code == 403


def test_debug_stats_answer_a_loopback_client(settings: Settings) -> None:
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as local:
        assert local.get("/api/debug/stats").status_code == 200
    with TestClient(create_app(settings), client=("::1", 50000)) as local6:
        assert local6.get("/api/debug/stats").status_code == 200
    with TestClient(create_app(settings), client=("192.168.1.20", 50000)) as remote:
        assert remote.get("/api/debug/stats").status_code == 403


# --- HEAD ----------------------------------------------------------------------------------------


def test_head_answers_wherever_get_does(client: TestClient) -> None:
    run_id = client.post("/api/trajectories", json=BOOK).json()["run_id"]
    job_id = submit(client, BOOK_JOB)
    stream(client, job_id)
    axes = [{"param": "eta", "values": [0.1, 0.4]}, {"param": "gamma", "values": [0.9]}]
    body = {"kind": "trajectory", "optimizer": "rmsprop", "axes": axes}
    sweep_id = client.post("/api/sweeps", json=body).json()["id"]
    client.get(f"/api/sweeps/{sweep_id}/events")  # to its end
    ids = {"run_id": run_id, "job_id": job_id, "dataset_id": "synthetic", "sweep_id": sweep_id, "lang": "zh"}
    paths = [
        re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        for path, item in client.get("/openapi.json").json()["paths"].items()
        if "get" in item
    ]
    pages = [
        "/",
        "/training",
        "/sweep",
        "/history",
        f"/runs/{run_id}",
        f"/runs/{sweep_id}",
        "/docs",
        "/static/favicon.svg",
        "/vendor/plotly.min.js",
    ]
    assert len(paths) >= 12
    for path in [*paths, *pages]:
        get = client.get(path, headers=ADMIN)
        head = client.head(path, headers=ADMIN)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        if "content-length" in get.headers and "event-stream" not in get.headers["content-type"]:
            assert head.headers["content-length"] == get.headers["content-length"], path


def test_head_of_a_live_event_stream_answers_at_once(client: TestClient) -> None:
    job_id = submit(client, {**BOOK_JOB, "epochs": 100, "batch_size": 1})  # long enough to be running
    head = client.head(f"/api/jobs/{job_id}/events")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/event-stream")
    client.post(f"/api/jobs/{job_id}/cancel")
    assert client.head("/api/runs/nope").status_code == 404
    assert client.head("/api/trajectories").status_code == 405  # POST only: HEAD is a GET, so no
    assert client.head("/api/trajectories").headers["allow"] == "POST"
