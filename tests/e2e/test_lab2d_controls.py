"""The 2D lab's live controls in a real browser: hyper-parameter sliders, the 3D surface, linked
scrubbing, playback speed and keys."""

from __future__ import annotations

import json
import math
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageLog
from tests.e2e.test_lab2d import BOOK_BODY, open_lab, path_of, post, query_of, runs_started, wait_for_run

pytestmark = pytest.mark.e2e

ONE_SHOT = "/api/trajectories"


def live_draws(page: Page) -> int:
    return int(page.get_attribute("#lab2d", "data-live-draws") or 0)


def slider_frame(page: Page) -> int:
    return int(page.locator("#step-slider").input_value())


def markers(page: Page, plot: str) -> list[list[float]]:
    """Where the "now" markers of ``plot`` are: [x1, x2] per run (and z on a surface)."""
    return page.evaluate(
        """(plot) => document.getElementById(plot).data.filter((t) => (t.name || '').endsWith(' now'))
            .map((t) => [t.x[0], t.y[0], ...(t.z ? [t.z[0]] : [])])""",
        plot,
    )


def point_on(page: Page, plot: str, step: float) -> dict[str, float]:
    """Viewport coordinates of step ``step`` on the x-axis of ``plot``, halfway up its plotting area
    (scrolled into view first)."""
    page.locator(f"#{plot}").scroll_into_view_if_needed()
    result: dict[str, float] = page.evaluate(
        """([plot, step]) => {
            const div = document.getElementById(plot);
            const layout = div._fullLayout;
            const box = div.getBoundingClientRect();
            const size = layout._size;
            return {x: box.left + size.l + layout.xaxis.l2p(step), y: box.top + size.t + size.h / 2};
        }""",
        [plot, step],
    )
    return result


def test_dragging_a_gamma_slider_redraws_the_path_during_the_drag(
    page: Page, page_log: PageLog, live_server: str
) -> None:
    open_lab(page)
    before = path_of(page, "contour-b", "B")
    gamma = page.locator("#panel-b .hp-slider[data-name=gamma]")
    assert gamma.get_attribute("data-scale") == "linear"
    assert page.locator("#panel-b .hp-slider[data-name=eta]").get_attribute("data-scale") == "log"
    assert page.locator("#panel-b .hp-slider[data-name=eps]").count() == 0  # ε has no slider
    url_before = page.url
    stored_before = stored_runs(live_server)
    gamma.scroll_into_view_if_needed()
    box = gamma.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.9, y)
    page.mouse.down()
    seen: list[list[list[float]]] = []
    for k in range(1, 25):  # one drag, from γ ≈ 0.9 down towards 0.3
        page.mouse.move(box["x"] + box["width"] * (0.9 - 0.025 * k), y)
        page.wait_for_timeout(40)
        if live_draws(page) > len(seen):
            seen.append(path_of(page, "contour-b", "B"))
    page.wait_for_function("(n) => Number(document.getElementById('lab2d').dataset.liveDraws || 0) >= n", arg=3)
    during = live_draws(page)
    assert page.url == url_before  # the URL waits for the drag to end
    started = runs_started(page)
    page.mouse.up()
    assert during >= 3, f"only {during} redraws during the drag"
    distinct = {str(path) for path in seen} | {str(path_of(page, "contour-b", "B"))}
    assert len(distinct) >= 3 and str(before) not in distinct
    # Let go: the usual run (stored, in the URL) with the γ the field shows.
    wait_for_run(page, started)
    # The positions passed on the way were previews: the history holds the comparison let go, once.
    assert stored_runs(live_server) == stored_before + 1
    gamma_text = page.locator("#panel-b input[name=gamma]").input_value()
    assert float(gamma_text) < 0.8
    assert query_of(page)["b.gamma"] == [gamma_text]
    body: dict[str, Any] = {**BOOK_BODY}
    body["runs"] = [
        BOOK_BODY["runs"][0],
        {**BOOK_BODY["runs"][1], "hyperparams": {"eta": 0.4, "gamma": float(gamma_text)}},
    ]
    status, expected = post(live_server, ONE_SHOT, body)
    assert status == 200
    assert path_of(page, "contour-b", "B") == expected["runs"][1]["points"]
    assert path_of(page, "contour-a", "A") == before_a(page, live_server)
    assert page_log.console_errors == [] and page_log.page_errors == []


def stored_runs(live_server: str) -> int:
    with urllib.request.urlopen(f"{live_server}/api/runs?scope=all&limit=1", timeout=30) as response:
        total: int = json.load(response)["total"]
    return total


def before_a(page: Page, live_server: str) -> list[list[float]]:
    """Run A's path as the API computes it (A's settings were not touched)."""
    status, answer = post(live_server, ONE_SHOT, BOOK_BODY)
    assert status == 200
    points: list[list[float]] = answer["runs"][0]["points"]
    return points


def test_the_3d_toggle_draws_the_surface_with_the_path_on_it(page: Page, page_log: PageLog) -> None:
    open_lab(page)
    flat = path_of(page, "contour-a", "A")
    page.locator("#step-slider").fill("5")
    page.locator("#surface-a").check()
    page.wait_for_function("() => document.getElementById('contour-a').dataset.mode === 'surface'")
    traces = page.evaluate(
        """() => document.getElementById('contour-a').data.map((t) => ({
            type: t.type, name: t.name || '', x: Array.from(t.x || []), y: Array.from(t.y || []),
            z: t.type === 'surface' ? t.z.length : Array.from(t.z || []),
        }))"""
    )
    surface = [t for t in traces if t["type"] == "surface"]
    assert len(surface) == 1 and surface[0]["z"] == 80  # f over the view box
    path = next(t for t in traces if t["type"] == "scatter3d" and t["name"].startswith("A "))
    values = page.evaluate("() => Array.from(document.getElementById('chart-values').data[0].y)")
    assert [[x, y] for x, y in zip(path["x"], path["y"], strict=True)] == flat
    assert path["z"] == values  # on the surface: z = f(x_t)
    marker = markers(page, "contour-a")[0]
    assert marker == [*flat[5], values[5]]  # the playback marker on the surface, at step 5
    assert page.locator("#surface-b").is_checked() is False  # one toggle per plot
    assert page.evaluate("() => document.getElementById('contour-b').data[0].type") == "contour"
    # The camera stays where the user turned it while the paths re-run.
    camera = (
        "() => { const e = document.getElementById('contour-a')._fullLayout.scene.camera.eye; return [e.x, e.y, e.z]; }"
    )
    start_eye = page.evaluate(camera)
    page.locator("#contour-a").scroll_into_view_if_needed()
    box = page.locator("#contour-a").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(1, 9):
        page.mouse.move(cx + 12 * k, cy + 4 * k)
    page.mouse.up()
    page.wait_for_function(f"(start) => JSON.stringify(({camera})()) !== JSON.stringify(start)", arg=start_eye)
    turned = page.evaluate(camera)
    started = runs_started(page)
    page.locator("#panel-a input[name=eta]").fill("0.3")
    wait_for_run(page, started)
    assert page.evaluate(camera) == pytest.approx(turned)
    assert path_of_3d(page) != path["x"]
    page.locator("#surface-a").uncheck()
    page.wait_for_function("() => document.getElementById('contour-a').data[0].type === 'contour'")
    assert page_log.page_errors == []


def path_of_3d(page: Page) -> list[float]:
    xs: list[float] = page.evaluate(
        "() => Array.from(document.getElementById('contour-a').data.find((t) => t.type === 'scatter3d').x)"
    )
    return xs


def test_a_function_with_a_large_range_gets_a_log_surface(page: Page) -> None:
    open_lab(page, "?fn=rosenbrock")
    page.locator("#surface-b").check()
    page.wait_for_function("() => document.getElementById('contour-b').dataset.mode === 'surface'")
    title = page.evaluate("() => document.getElementById('contour-b')._fullLayout.scene.zaxis.title.text")
    assert title == "log₁₀(1+f)"
    path = page.evaluate("() => document.getElementById('contour-b').data.find((t) => t.type === 'scatter3d')")
    values = page.evaluate("() => Array.from(document.getElementById('chart-values').data[1].y)")
    assert path["z"][0] == pytest.approx(math.log10(1 + values[0]))


def test_hovering_the_objective_plot_moves_the_slider_and_the_markers(page: Page) -> None:
    open_lab(page)
    a7, b7 = path_of(page, "contour-a", "A")[7], path_of(page, "contour-b", "B")[7]
    spot = point_on(page, "chart-values", 7)
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_function("() => document.getElementById('step-slider').value === '7'")
    assert page.locator("#step-label").inner_text() == "step 7 / 20"
    page.wait_for_function(
        """(expected) => ['contour-a', 'contour-b'].every((id, i) => {
            const t = document.getElementById(id).data.filter((d) => (d.name || '').endsWith(' now'))[i];
            return t.x[0] === expected[i][0] && t.y[0] === expected[i][1];
        })""",
        arg=[a7, b7],
    )
    # The effective-rate plot scrubs too, on a click.
    spot = point_on(page, "chart-lr", 12)
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_function("() => document.getElementById('step-slider').value === '12'")
    # Moving the slider highlights that step on both curve plots.
    page.locator("#step-slider").fill("3")
    page.wait_for_function(
        """() => {
            const values = document.getElementById('chart-values').data;
            const rates = document.getElementById('chart-lr').data;
            const cursor = document.getElementById('chart-values').layout.shapes[0];
            return values.every((t) => JSON.stringify(t.selectedpoints) === '[3]')
                && rates.every((t) => JSON.stringify(t.selectedpoints) === '[2]') && cursor.x0 === 3;
        }"""
    )


def test_speed_buttons_and_keys(page: Page) -> None:
    open_lab(page)
    assert page.locator("#speed option").all_inner_texts() == ["0.25×", "0.5×", "1×", "2×", "5×", "10×"]
    assert page.locator("#speed").input_value() == "1"
    assert page.locator("#speed-rate").inner_text() == "5.0 steps/s"  # 20 steps in 4 s
    page.locator("#speed").select_option("0.25")
    assert page.locator("#speed-rate").inner_text() == "4.0 steps/s"  # the slowest tick is 250 ms
    page.locator("#speed").select_option("10")
    assert page.locator("#speed-rate").inner_text() == "50 steps/s"
    # Prev / next buttons, then the keys (from the page, not a field).
    page.locator("#step-slider").fill("10")
    page.locator("#step-prev").click()
    assert slider_frame(page) == 9
    page.locator("#step-next").click()
    page.locator("#step-next").click()
    assert slider_frame(page) == 11
    page.locator("h1, .site-title, body").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert slider_frame(page) == 8
    assert page.locator("#step-label").inner_text() == "step 8 / 20"
    page.keyboard.press("ArrowRight")
    assert slider_frame(page) == 9
    # Space plays from step 9 at 10× and stops at the end; space again from the end starts over at 0.
    page.keyboard.press(" ")
    assert page.locator("#play").get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => document.getElementById('play').getAttribute('aria-pressed') === 'false'")
    assert slider_frame(page) == 20
    page.locator("#speed").select_option("0.25")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press(" ")
    page.wait_for_timeout(100)
    assert slider_frame(page) in (0, 1)
    page.keyboard.press(" ")
    assert page.locator("#play").get_attribute("aria-pressed") == "false"
    # Typing in a field keeps its keys.
    page.locator("#steps").focus()
    frame = slider_frame(page)
    page.keyboard.press("ArrowLeft")
    assert slider_frame(page) == frame
