"""A server for a class, in Chromium: the History view lists this browser's runs unless asked for
everyone's, pins and unpins its own (not another's), shows the space used; a URL that tries to
pollute Object.prototype changes nothing and the charts still draw; user text in an overlay's
title stays text."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import OWNER_HEADERS, VIEWPORT, PageLog
from tests.e2e.test_escaping import NAME, ROWS, title_of
from tests.e2e.test_history import TRAINING, TRAJECTORY, wait_state

pytestmark = pytest.mark.e2e

OTHER_HEADERS = {"Cookie": "optlab_owner=e2e-another-student-0002"}  # a second browser


def call(base: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}{path}", data=data, method=method, headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return json.loads(text) if text else None


def row(page: Page, run_id: str) -> Any:
    return page.locator(f'#runs-body tr[data-id="{run_id}"]')


def test_the_history_lists_mine_pins_mine_and_shows_the_space_used(page: Page, live_server: str) -> None:
    mine = call(live_server, "POST", "/api/trajectories", OWNER_HEADERS, TRAJECTORY)["run_id"]
    their_request = {**TRAJECTORY, "steps": 21}  # the same request would share mine (one record per request)
    theirs = call(live_server, "POST", "/api/trajectories", OTHER_HEADERS, their_request)["run_id"]
    page.goto("/history")
    wait_state(page, "list")
    assert row(page, mine).count() == 1 and row(page, theirs).count() == 0  # yours only, by default
    usage = page.inner_text("#usage")
    assert "The history holds" in usage and "(yours:" in usage and "1000 MB" in usage

    page.select_option("#filter-scope", "all")
    page.wait_for_function("() => new URLSearchParams(location.search).get('scope') === 'all'")
    wait_state(page, "list")
    assert row(page, mine).count() == 1 and row(page, theirs).count() == 1
    other_pin = row(page, theirs).locator("button.pin")
    assert other_pin.is_disabled() and "only the browser that made this run" in (other_pin.get_attribute("title") or "")

    pin = row(page, mine).locator("button.pin")
    assert pin.inner_text() == "Pin" and pin.get_attribute("aria-pressed") == "false"
    pin.click()
    page.wait_for_function(
        "(id) => document.querySelector(`#runs-body tr[data-id='${id}'] button.pin`).textContent === 'Unpin'", arg=mine
    )
    assert call(live_server, "GET", f"/api/runs/{mine}", OWNER_HEADERS)["pinned"] is True
    page.reload()
    wait_state(page, "list")
    assert row(page, mine).locator("button.pin").get_attribute("aria-pressed") == "true"  # it stays pinned

    page.goto(f"/runs/{mine}")  # a run's own page: unpin there
    wait_state(page, "run")
    assert page.inner_text("#pin") == "Unpin" and page.is_enabled("#delete")
    page.click("#pin")
    page.wait_for_function("() => document.getElementById('pin').textContent === 'Pin'")
    assert call(live_server, "GET", f"/api/runs/{mine}", OWNER_HEADERS)["pinned"] is False

    page.goto(f"/runs/{theirs}")  # another's run opens (links are shared), but is not ours to change
    wait_state(page, "run")
    assert page.is_disabled("#pin") and page.is_disabled("#delete")
    assert "only the browser that made this run" in (page.get_attribute("#delete", "title") or "")


def test_a_new_browser_sees_none_of_the_class_runs_until_it_asks(browser: Browser, live_server: str) -> None:
    call(live_server, "POST", "/api/trajectories", OTHER_HEADERS, TRAJECTORY)
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server)  # no cookie: a newcomer
    try:
        page = context.new_page()
        page.goto("/history")
        wait_state(page, "list")
        assert page.locator("#runs-body tr").count() == 0 and page.is_visible("#empty")
        assert "everyone's" in page.inner_text("#empty")
        cookie = [c for c in context.cookies() if c["name"] == "optlab_owner"]
        assert cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Lax"
        assert page.evaluate("() => document.cookie") == ""  # HttpOnly: no script can read or copy it
        page.goto("/history?scope=all")
        wait_state(page, "list")
        assert page.locator("#runs-body tr").count() >= 1
    finally:
        context.close()


POLLUTING = [
    "/?__proto__.polluted=yes&constructor.prototype.polluted=yes&a.__proto__.polluted=yes&prototype.polluted=yes",
    "/training?__proto__.polluted=yes&runs.__proto__.polluted=yes",
    "/history?__proto__.polluted=yes&constructor.prototype.polluted=yes",
]


@pytest.mark.parametrize("url", POLLUTING)
def test_a_url_cannot_pollute_the_prototype(page: Page, page_log: PageLog, url: str) -> None:
    page.goto(url)
    view = url.split("?")[0].strip("/") or "lab2d"
    if view == "lab2d":
        page.wait_for_function("() => document.getElementById('lab2d').dataset.state === 'done'")
        drawn = page.evaluate("() => document.getElementById('contour-a').data.length")
        assert drawn >= 2  # the landscape and the paths: the charts draw as on a clean URL
    elif view == "training":
        page.wait_for_function("() => document.getElementById('training').dataset.state === 'idle'")
    else:
        wait_state(page, "list")
    polluted = page.evaluate("() => [({}).polluted, Object.prototype.polluted, [].polluted, Array.prototype.polluted]")
    assert polluted == [None, None, None, None]
    assert page_log.page_errors == []


def upload(base: str, name: str, content: bytes) -> str:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **OWNER_HEADERS}
    request = urllib.request.Request(f"{base}/api/datasets", data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return str(json.load(response)["id"])


def wait_stored(base: str, run_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", f"/api/runs/{run_id}", OWNER_HEADERS)["status"] == "done":
                return
        except urllib.error.HTTPError:
            pass  # not stored yet
        time.sleep(0.05)
    raise AssertionError(f"job {run_id} never reached the history as done")


def test_an_overlay_of_jobs_on_a_markup_named_upload_shows_the_name_as_text(page: Page, live_server: str) -> None:
    dataset = upload(live_server, NAME, f"a,b,y\n{ROWS}\n".encode())
    jobs = [call(live_server, "POST", "/api/jobs", OWNER_HEADERS, {**TRAINING, "dataset": dataset})["id"] for _ in "ab"]
    for job in jobs:
        wait_stored(live_server, job)
    page.goto(f"/history?compare={','.join(jobs)}")
    page.wait_for_function("() => document.getElementById('history').dataset.state === 'compare'", timeout=60_000)
    shown = title_of(page, "plot-loss")
    assert NAME in str(shown["text"]) and shown["markup"] == 0, shown
    assert page.locator("#plot-loss a").count() == 0  # no live link anywhere in the plot
    assert page.locator("#run-links a").count() == 2 and NAME in page.inner_text("#run-links")
