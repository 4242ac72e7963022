"""User text reaches the plots as text: a CSV whose file name holds markup is drawn literally
in the Training view's title and on the stored job's page (Plotly would render <b>, <i>, <a>)."""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Page

from tests.e2e.conftest import PageLog

pytestmark = pytest.mark.e2e

# No "/": the server keeps only a path's last component.
NAME = "<b>bold<i> & <a href=javascript:alert(1)>x.csv"  # no quotes either: the browser sends them as %22
ROWS = "\n".join(f"{i % 7},{(i * 3) % 5},{(i % 7) * 0.5 - (i * 3) % 5}" for i in range(60))


def title_of(page: Page, plot: str) -> dict[str, object]:
    """The title as the page shows it, and whether Plotly turned any of it into markup."""
    return page.evaluate(
        """(id) => { const t = document.querySelector(`#${id} .gtitle`);
        const markup = t.querySelectorAll('tspan[style*="bold"], tspan[style*="italic"], a');
        return {text: t.textContent, markup: markup.length}; }""",
        plot,
    )


def test_a_file_name_with_markup_is_shown_as_typed(page: Page, page_log: PageLog) -> None:
    page.goto("/training")
    page.wait_for_function("() => document.getElementById('training').dataset.state === 'idle'")
    csv = FilePayload(name=NAME, mimeType="text/csv", buffer=f"a,b,y\n{ROWS}\n".encode())
    page.set_input_files("#upload", files=[csv])
    page.wait_for_function("() => document.getElementById('dataset').value.startsWith('upload')")
    page.click("#run")
    page.wait_for_function("() => document.getElementById('training').dataset.state === 'done'")
    live = title_of(page, "chart-loss")
    assert NAME in str(live["text"]) and live["markup"] == 0, live
    job = page.get_attribute("#training", "data-job")

    page.goto(f"/runs/{job}")
    page.wait_for_function("() => document.getElementById('history').dataset.state === 'run'")
    stored = title_of(page, "plot-loss")
    assert NAME in str(stored["text"]) and stored["markup"] == 0, stored
    assert page_log.page_errors == [] and page_log.external_requests == []
