"""The Content-Security-Policy the server sends lets plotly.js draw and export, and nothing looser is needed.

A probe page is served on the app's origin (through Playwright's router) with the server's own policy
header; it loads plotly.js from /vendor and draws a scatter, a heatmap and a contour, then exports PNG
and SVG. Stricter policies are tried too, to show that each extra directive is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.e2e.conftest import PageLog

pytestmark = pytest.mark.e2e

PROBE_HTML = """<!doctype html><html><head><meta charset="utf-8"><script src="/vendor/plotly.min.js"></script></head>
<body><div id="plot" style="width:600px;height:400px"></div><script src="/csp-probe.js"></script></body></html>"""
PROBE_JS = """
const z = [[1, 2, 3], [3, 1, 2], [2, 3, 1]];
Plotly.newPlot("plot", [
  {x: [1, 2, 3], y: [1, 3, 2], type: "scatter"},
  {z: z, type: "heatmap"},
  {z: z, type: "contour", contours: {coloring: "heatmap"}},
], {title: {text: "probe"}})
  .then(() => Plotly.toImage("plot", {format: "png", width: 300, height: 200}))
  .then(png => { window.png = png.slice(0, 22); return Plotly.toImage("plot", {format: "svg"}); })
  .then(svg => { window.svg = svg.slice(0, 18); window.done = true; })
  .catch(err => { window.failed = String(err); window.done = true; });
"""
LISTEN = (
    "window.violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.violations.push(e.effectiveDirective + ' ' + e.blockedURI));"
)


def probe(page: Page, live_server: str, policy: str) -> dict[str, Any]:
    def serve(body: str, content_type: str) -> Callable[[Route], None]:
        return lambda route: route.fulfill(
            status=200,
            body=body,
            headers={"Content-Type": content_type, "Content-Security-Policy": policy},
        )

    page.route(f"{live_server}/csp-probe", serve(PROBE_HTML, "text/html"))
    page.route(f"{live_server}/csp-probe.js", serve(PROBE_JS, "application/javascript"))
    page.add_init_script(LISTEN)  # before plotly.js: it injects its <style> while loading
    page.goto("/csp-probe")
    page.wait_for_function("window.done === true")
    return page.evaluate("({violations: window.violations, png: window.png, svg: window.svg, failed: window.failed})")


def server_policy(page: Page) -> str:
    return page.request.get("/healthz").headers["content-security-policy"]


def test_plotly_draws_and_exports_under_the_servers_policy(page: Page, live_server: str, page_log: PageLog) -> None:
    policy = server_policy(page)
    assert "default-src 'self'" in policy and "script-src" not in policy  # scripts: 'self' only
    result = probe(page, live_server, policy)
    assert result["violations"] == [] and result["failed"] is None
    assert result["png"] == "data:image/png;base64," and result["svg"] == "data:image/svg+xml"
    assert page_log.console_errors == [] and page_log.page_errors == []


@pytest.mark.parametrize(
    ("policy", "refused"),
    [
        ("default-src 'self'", "style-src-attr"),  # plotly's style attributes
        (
            "default-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:",
            "style-src-elem",
        ),  # plotly's <style> element
        ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:", "img-src"),  # heatmap: data:
        ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:", "img-src"),  # toImage: blob:
    ],
)
def test_each_extra_directive_is_needed(page: Page, live_server: str, policy: str, refused: str) -> None:
    result = probe(page, live_server, policy)
    assert any(str(v).startswith(refused) for v in result["violations"]), result


def test_the_lab_page_raises_no_violation(page: Page, page_log: PageLog) -> None:
    page.add_init_script(LISTEN)
    response = page.goto("/")
    assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.violations") == []
    assert not [e for e in page_log.console_errors if "Content Security Policy" in e]
