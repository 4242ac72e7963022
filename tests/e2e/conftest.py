"""Browser-test fixtures, shared by the tests of every view.

- ``live_server``: base URL of the real app (uvicorn in a subprocess, one per session, on a free
  loopback port, its own temporary database).
- ``browser``: Debian's Chromium driven by Playwright (never a downloaded browser).
- ``page``: a fresh page on ``live_server`` (relative ``page.goto("/")`` works). Requests that
  would leave the machine are blocked and, with console errors and uncaught exceptions,
  recorded in ``page_log``. Its browser is the owner ``OWNER`` (the ``optlab_owner`` cookie), so a
  test's API calls with ``OWNER_HEADERS`` make runs that the page lists as its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, ViewportSize, sync_playwright

from tests.utils import ARTIFACTS, DATA_DIR, running_server

CHROMIUM = Path(os.environ.get("OPTLAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
SERVER_START_TIMEOUT_S = 90
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
OWNER = "e2e-browser-owner-0001"  # the page's owner id (app/api/access.py: 16–64 of [A-Za-z0-9_-])
OWNER_HEADERS = {"Cookie": f"optlab_owner={OWNER}"}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of ``app.main:app`` run by uvicorn, stopped at the end."""
    workdir = tmp_path_factory.mktemp("live_server")
    env = {"OPTLAB_DATA_DIR": str(DATA_DIR), "OPTLAB_DB_PATH": str(workdir / "runs.sqlite3")}
    with running_server(env, log=workdir / "server.log", start_timeout=SERVER_START_TIMEOUT_S) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageLog:
    """What a page did that a test may want to refuse."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, in order

    def requests_to(self, path: str) -> list[str]:
        return [url for url in self.requests if urlsplit(url).path == path]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Browser, live_server: str, page_log: PageLog) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "optlab_owner", "value": OWNER, "url": live_server}])

    def guard(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def seen(request: Request) -> None:
        page_log.requests.append(request.url)
        if not is_local(request.url):
            page_log.external_requests.append(request.url)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            page_log.console_errors.append(message.text)

    context.route("**/*", guard)
    context.on("request", seen)
    new_page = context.new_page()
    new_page.on("console", console)
    new_page.on("pageerror", lambda error: page_log.page_errors.append(str(error)))
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/`` (git-ignored): screenshots and other things to look at after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
