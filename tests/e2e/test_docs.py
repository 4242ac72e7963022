"""The API documentation renders offline: Swagger UI comes from this server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageLog

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_every_operation_offline(page: Page, page_log: PageLog) -> None:
    page.goto("/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/trajectories/stream" in " ".join(paths) and "/api/jobs" in " ".join(paths)
    assert page_log.external_requests == []
    assert page_log.console_errors == [] and page_log.page_errors == []
