"""/book in a real browser: every printed result re-run, every verdict passing, formulas as MathML,
and each result's link opening the lab or the Training view with its configuration."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageLog

pytestmark = pytest.mark.e2e

MATHML = "http://www.w3.org/1998/Math/MathML"
WHOLE_PAGE_TIMEOUT_MS = 240_000  # 32 requests, 14 of them 10-seed training jobs, on two busy cores
DONE = "() => document.getElementById('book').dataset.state === 'done'"


def catalogue(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/book", timeout=30) as response:
        book: dict[str, Any] = json.load(response)
    return book


def test_the_whole_book_page_passes_every_verdict(
    page: Page, page_log: PageLog, live_server: str, artifacts: Path
) -> None:
    book = catalogue(live_server)
    page.goto("/book")
    assert page.locator("#book-summary").get_attribute("data-verdict") == "running"
    page.wait_for_function(DONE, timeout=WHOLE_PAGE_TIMEOUT_MS)
    page.screenshot(path=str(artifacts / "book.png"), full_page=True)
    rows = page.locator("tr[data-result]")
    assert rows.count() == len(book["results"])
    verdicts = page.eval_on_selector_all(
        "tr[data-result]", "rows => rows.map(r => [r.dataset.result, r.querySelector('.verdict').dataset.verdict])"
    )
    assert verdicts == [[r["id"], "pass"] for r in book["results"]]
    assert page.locator("#book-summary").get_attribute("data-verdict") == "pass"
    progress = page.locator("#book-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "32"  # 8 + 10 seeds + 14 jobs
    # printed beside ours: the 2D rows reproduce the book's own line
    for result in book["results"]:
        row = page.locator(f"tr[data-result='{result['id']}']")
        assert row.locator("code.printed").inner_text() == result["printed"]["line"]
        if result["kind"] == "trajectory" and not result["random"]:
            assert row.locator(".ours code").inner_text() == result["printed"]["line"]
        if result["kind"] == "training":
            assert f"over {book['seeds']} seeds" in row.locator(".ours").inner_text()
            assert row.locator(".time").inner_text().startswith(f"book {result['printed']['sec_per_epoch']:.6f}")
            assert row.locator("svg.strip .printed").count() == 1
    assert page.locator("tr[data-result='7.2-sgd'] svg.scatter circle.seed").count() == book["seeds"]
    assert "Training jobs run on cpu" in page.locator("#book-device").inner_text()
    assert page.locator("#book-omitted li").count() == len(book["omitted"])
    assert page_log.console_errors == [] and page_log.page_errors == [] and page_log.external_requests == []
    assert page_log.requests_to("/vendor/plotly.min.js") == []  # the book page draws without Plotly


def test_the_book_page_renders_its_formulas_as_mathml(page: Page) -> None:
    page.goto("/book")
    page.wait_for_selector("tr[data-result] math")
    namespaces = page.eval_on_selector_all("math", "nodes => [...new Set(nodes.map(n => n.namespaceURI))]")
    assert namespaces == [MATHML]
    # A real fraction: AdaGrad's η/√(s_t+ε) lays out its numerator above its denominator.
    layout = page.evaluate(
        """() => {
            const frac = document.querySelector("tr[data-result='7.5-adagrad-0.4'] mfrac");
            const [top, bottom] = [...frac.children].map((c) => c.getBoundingClientRect());
            return {stacked: top.bottom <= bottom.top + 1, root: !!frac.querySelector('msqrt')};
        }"""
    )
    assert layout == {"stacked": True, "root": True}


def test_a_result_opens_the_lab_with_its_configuration(page: Page) -> None:
    page.goto("/book")
    link = page.locator("tr[data-result='7.4-gd-0.6'] a.open")
    link.wait_for()
    link.click()
    page.wait_for_url("**/?*")
    page.wait_for_function(
        "() => document.getElementById('lab2d').dataset.state === 'done'"
        " && document.querySelector('#result-a .result-line').textContent.startsWith('epoch')"
    )
    assert page.locator("#fn").input_value() == "quadratic"
    assert page.locator("#result-a .result-line").inner_text() == "epoch 20, x1 -0.387814, x2 -1673.365109"


def test_a_training_result_opens_the_training_view_with_its_configuration(page: Page) -> None:
    page.goto("/book")
    link = page.locator("tr[data-result='7.3-gd'] a.open")
    link.wait_for()
    link.click()
    page.wait_for_url("**/training?*")
    page.wait_for_function("() => document.getElementById('training').dataset.state !== 'loading'")
    assert page.locator("#batch_size").input_value() == "1500"
    assert page.locator("#epochs").input_value() == "6"
    card = page.locator("#run-list fieldset").first
    assert card.locator("select[name=optimizer]").input_value() == "gd"
    assert card.locator("input[name=eta]").input_value() == "1"
