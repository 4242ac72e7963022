"""A slider drag in the 2D lab in a real browser: each answer moves only the dragged run's traces,
the contours stay drawn under them, a chart out of view catches up once scrolled to, and what the
drag drew is what the run let go draws."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageLog
from tests.e2e.test_lab2d import BOOK_BODY, open_lab, path_of, post, runs_started, wait_for_run
from tests.e2e.test_lab2d_controls import point_on

pytestmark = pytest.mark.e2e

# One move of run B's γ slider (as the browser sends them while it is dragged), waiting until the
# answer is drawn.
MOVE = """async (position) => {
    const slider = document.querySelector('#panel-b .hp-slider[data-name=gamma]');
    const root = document.getElementById('lab2d');
    const drawn = Number(root.dataset.liveDraws || 0);
    slider.value = String(position);
    slider.dispatchEvent(new Event('input'));
    while (Number(root.dataset.liveDraws || 0) <= drawn) await new Promise((r) => setTimeout(r, 10));
}"""

# The SVG path Plotly drew for run ``letter``'s line on ``plot``.
DRAWN_LINE = """([plot, letter]) => {
    const div = document.getElementById(plot);
    const trace = div._fullData.find((t) => t.mode?.includes('lines') && t.name.startsWith(letter + ' '));
    return div.querySelector(`.scatterlayer .trace${trace.uid} .js-line`).getAttribute('d');
}"""

CONTOURS_DRAWN = "(plot) => document.querySelectorAll(`#${plot} .contourlayer .contour path`).length"


def expected_b(page: Page, live_server: str) -> dict[str, Any]:
    """Run B as the API computes it with the γ its field shows now."""
    gamma = float(page.locator("#panel-b input[name=gamma]").input_value())
    body: dict[str, Any] = {**BOOK_BODY}
    body["runs"] = [BOOK_BODY["runs"][0], {**BOOK_BODY["runs"][1], "hyperparams": {"eta": 0.4, "gamma": gamma}}]
    status, answer = post(live_server, "/api/trajectories", body)
    assert status == 200
    run: dict[str, Any] = answer["runs"][1]
    return run


def test_a_drag_moves_only_the_dragged_path_over_the_contours(page: Page, page_log: PageLog, live_server: str) -> None:
    open_lab(page)
    contours = page.evaluate(CONTOURS_DRAWN, "contour-b")
    assert contours > 0
    path_a, line_b = path_of(page, "contour-a", "A"), page.evaluate(DRAWN_LINE, ["contour-b", "B"])
    values_before = page.evaluate("() => Array.from(document.getElementById('chart-values').data[1].y)")
    for position in (870, 760, 640, 520):
        page.evaluate(MOVE, position)
    expected = expected_b(page, live_server)
    assert path_of(page, "contour-b", "B") == expected["points"]
    during = page.evaluate(DRAWN_LINE, ["contour-b", "B"])
    assert during != line_b
    assert page.evaluate(CONTOURS_DRAWN, "contour-b") == contours  # the contours stay under the path
    assert path_of(page, "contour-a", "A") == path_a
    # f(xₜ) was out of view while the slider moved: in view, it shows the dragged run too.
    assert values_before != expected["values"]
    page.locator("#chart-values").scroll_into_view_if_needed()
    page.wait_for_function(
        """(values) => JSON.stringify(Array.from(document.getElementById('chart-values').data[1].y))
            === JSON.stringify(values)""",
        arg=expected["values"],
    )
    # Hovering a step of the new curve still moves the markers onto the new path.
    spot = point_on(page, "chart-values", 7)
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_function(
        """(point) => {
            const now = document.getElementById('contour-b').data.filter((t) => (t.name || '').endsWith(' now'))[1];
            return now.x[0] === point[0] && now.y[0] === point[1];
        }""",
        arg=expected["points"][7],
    )
    # Let go: the usual run draws the path exactly where the drag drew it.
    started = runs_started(page)
    page.evaluate(
        "() => document.querySelector('#panel-b .hp-slider[data-name=gamma]').dispatchEvent(new Event('change'))"
    )
    wait_for_run(page, started)
    assert page.evaluate(DRAWN_LINE, ["contour-b", "B"]) == during
    assert page.evaluate(CONTOURS_DRAWN, "contour-b") == contours
    assert page_log.console_errors == [] and page_log.page_errors == []
