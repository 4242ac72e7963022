"""The 2D lab in a real browser: defaults, live redraw, field errors, URL state, offline."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import PageLog

pytestmark = pytest.mark.e2e

STREAM = "/api/trajectories/stream"
MATHML = "http://www.w3.org/1998/Math/MathML"
# The book's comparison (D2L 7.5, 7.6) and what it prints after 20 steps.
BOOK_BODY: dict[str, Any] = {
    "function": "quadratic",
    "start": [-5, -2],
    "steps": 20,
    "seed": 0,
    "runs": [
        {"optimizer": "adagrad", "impl": "book", "hyperparams": {"eta": 0.4}},
        {"optimizer": "rmsprop", "impl": "book", "hyperparams": {"eta": 0.4, "gamma": 0.9}},
    ],
}
BOOK_ADAGRAD = "epoch 20, x1 -2.382563, x2 -0.158591"
BOOK_RMSPROP = "epoch 20, x1 -0.010599, x2 0.000000"


def post(base: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    """The API answer to ``body`` (status, JSON), asked directly rather than through the page."""
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def runs_started(page: Page) -> int:
    return int(page.get_attribute("#lab2d", "data-runs") or 0)


def wait_for_run(page: Page, after: int, state: str = "done") -> None:
    """Wait until a run newer than ``after`` has reached ``state`` (done / invalid / error)."""
    try:
        page.wait_for_function(
            "([after, state]) => { const lab = document.getElementById('lab2d');"
            " return Number(lab.dataset.runs || 0) > after && lab.dataset.state === state; }",
            arg=[after, state],
        )
    except PlaywrightTimeoutError:
        seen = page.evaluate(
            "() => ({runs: document.getElementById('lab2d').dataset.runs,"
            " state: document.getElementById('lab2d').dataset.state,"
            " status: document.getElementById('run-status').textContent,"
            " banner: document.getElementById('banner').textContent})"
        )
        pytest.fail(f"no run after #{after} reached {state!r}; the page shows {seen}")


def open_lab(page: Page, query: str = "") -> None:
    page.goto(f"/{query}")
    wait_for_run(page, 0)


def path_of(page: Page, plot: str, letter: str) -> list[list[float]]:
    """The (x1, x2) points of run ``letter``'s path as plotted in the Plotly div ``plot``."""
    return page.evaluate(
        """([plot, letter]) => {
            const trace = document.getElementById(plot).data
                .find((t) => t.type === "scatter" && t.mode.includes("lines") && t.name.startsWith(letter + " "));
            return Array.from(trace.x, (x, i) => [x, trace.y[i]]);
        }""",
        [plot, letter],
    )


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_page_loads_offline_without_console_errors(page: Page, page_log: PageLog, artifacts: Path) -> None:
    open_lab(page)
    assert page.title().endswith("Optimizer Lab")
    nav = page.locator(".site-nav .nav-link")
    assert nav.all_inner_texts() == ["2D lab", "Training", "Sweep", "History", "Book"]
    assert page.locator(".site-nav [aria-current=page]").inner_text() == "2D lab"
    assert page.locator("#fn-formula .formula-line").get_attribute("title") == "f(x) = 0.1x_1^2 + 2x_2^2"
    assert page.evaluate("() => document.querySelector('#fn-formula math').namespaceURI") == MATHML
    shot = artifacts / "lab2d-default.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page_log.console_errors == []
    assert page_log.page_errors == []
    assert page_log.external_requests == []
    assert any(urlsplit(url).path == "/vendor/plotly.min.js" for url in page_log.requests)


def test_default_comparison_draws_the_books_two_paths(page: Page, live_server: str) -> None:
    open_lab(page)
    status, expected = post(live_server, "/api/trajectories", BOOK_BODY)
    assert status == 200
    adagrad, rmsprop = path_of(page, "contour-a", "A"), path_of(page, "contour-b", "B")
    assert len(adagrad) == len(rmsprop) == 21
    assert adagrad == expected["runs"][0]["points"]  # same doubles, through JSON both ways
    assert rmsprop == expected["runs"][1]["points"]  # same doubles, through JSON both ways
    assert page.locator("#result-a .result-line").inner_text() == BOOK_ADAGRAD
    assert page.locator("#result-b .result-line").inner_text() == BOOK_RMSPROP
    assert page.locator("#result-a .diverged").is_hidden()
    # f(x_t) for steps 0..20 and one effective rate per coordinate for steps 1..20, per run.
    curves = page.evaluate(
        "() => ['chart-values', 'chart-lr'].map((id) => document.getElementById(id).data"
        ".map((t) => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)})))"
    )
    values, rates = curves
    assert [len(t["x"]) for t in values] == [21, 21]
    assert [t["x"][0] for t in rates] == [1, 1, 1, 1] and [len(t["x"]) for t in rates] == [20] * 4
    adagrad_x1 = rates[0]["y"]
    assert all(b <= a for a, b in itertools.pairwise(adagrad_x1)), "AdaGrad's rate never rises"
    assert rates[2]["y"][-1] > rates[2]["y"][5], "RMSProp's rate on x1 recovers"


def test_a_finished_comparison_links_its_stored_run(page: Page, live_server: str) -> None:
    open_lab(page)
    link = page.locator("#run-link")
    first = link.get_attribute("href") or ""
    assert link.is_visible() and first.startswith("/runs/")
    with urllib.request.urlopen(f"{live_server}/api{first}", timeout=30) as response:
        stored = json.load(response)
    assert stored["kind"] == "trajectory" and [r["optimizer"] for r in stored["runs"]] == ["adagrad", "rmsprop"]
    before = runs_started(page)
    page.locator("#panel-a input[name=eta]").fill("-1")  # refused by the server: nothing stored, no link
    wait_for_run(page, before, state="invalid")
    assert link.is_hidden()
    before = runs_started(page)
    page.locator("#panel-a input[name=eta]").fill("0.5")
    wait_for_run(page, before)
    second = link.get_attribute("href") or ""
    assert second.startswith("/runs/") and second != first  # the new comparison's own record
    link.click()
    page.wait_for_url(f"**{second}")
    page.wait_for_function("() => document.getElementById('run-title').textContent.startsWith('quadratic')")


def test_changing_gamma_redraws_rmsprop_and_updates_the_url(page: Page, live_server: str) -> None:
    open_lab(page)
    adagrad_before, rmsprop_before = path_of(page, "contour-a", "A"), path_of(page, "contour-b", "B")
    before = runs_started(page)
    page.locator("#panel-b input[name=gamma]").fill("0.5")
    wait_for_run(page, before)
    rmsprop_after = path_of(page, "contour-b", "B")
    assert len(rmsprop_after) == 21
    assert rmsprop_after != rmsprop_before
    assert path_of(page, "contour-a", "A") == adagrad_before
    rmsprop = {**BOOK_BODY["runs"][1], "hyperparams": {"eta": 0.4, "gamma": 0.5}}
    body = {**BOOK_BODY, "runs": [BOOK_BODY["runs"][0], rmsprop]}
    _, expected = post(live_server, "/api/trajectories", body)
    assert rmsprop_after == expected["runs"][1]["points"]  # same doubles, through JSON both ways
    assert query_of(page)["b.gamma"] == ["0.5"]


def test_invalid_eta_shows_the_apis_message_next_to_the_field(page: Page, live_server: str) -> None:
    open_lab(page)
    bad = {**BOOK_BODY, "runs": [{"optimizer": "adagrad", "impl": "book", "hyperparams": {"eta": -1}}]}
    status, answer = post(live_server, STREAM, bad)
    assert status == 422
    [error] = [d for d in answer["detail"] if d["field"] == "runs[0].hyperparams.eta"]
    before = runs_started(page)
    page.locator("#panel-a input[name=eta]").fill("-1")
    wait_for_run(page, before, state="invalid")
    field = page.locator('[data-field="runs[0].hyperparams.eta"]')
    shown = field.locator(".field-error").inner_text()
    assert shown and error["msg"].endswith(shown)
    assert field.locator("input").get_attribute("aria-invalid") == "true"
    assert query_of(page)["a.eta"] == ["-1"]


def test_non_numeric_input_is_refused_without_a_request(page: Page, page_log: PageLog) -> None:
    open_lab(page)
    streams = len(page_log.requests_to(STREAM))
    page.locator("#steps").fill("twenty")
    page.wait_for_selector("#lab2d[data-state=invalid]")
    assert page.locator('[data-field="steps"] .field-error').inner_text() == '"twenty" is not a number'
    page.locator("#x2").fill("")
    page.wait_for_selector('[data-field="start[1]"].invalid')
    assert len(page_log.requests_to(STREAM)) == streams


def test_reload_and_back_button_restore_the_state(page: Page) -> None:
    open_lab(page)
    before = runs_started(page)
    page.locator("#steps").fill("12")
    wait_for_run(page, before)
    before = runs_started(page)
    page.locator("#panel-b select[name=optimizer]").select_option("momentum")
    wait_for_run(page, before)
    assert query_of(page)["b.opt"] == ["momentum"]
    assert page.locator("#panel-b input[name=gamma]").input_value() == "0.5"  # momentum's own default

    page.reload()
    wait_for_run(page, 0)
    assert page.locator("#steps").input_value() == "12"
    assert page.locator("#panel-b select[name=optimizer]").input_value() == "momentum"
    assert len(path_of(page, "contour-b", "B")) == 13

    before = runs_started(page)
    page.go_back()
    wait_for_run(page, before)
    assert page.locator("#panel-b select[name=optimizer]").input_value() == "rmsprop"
    assert page.locator("#panel-b input[name=gamma]").input_value() == "0.9"
    assert page.locator("#steps").input_value() == "12"


def test_shared_link_with_a_diverging_run(page: Page) -> None:
    open_lab(page, "?fn=rosenbrock&steps=30&a.opt=gd&a.eta=5&b.opt=adam&b.impl=torch")
    assert page.locator("#fn").input_value() == "rosenbrock"
    assert page.locator("#panel-b input[name=eps]").input_value() == "1e-8"  # PyTorch's default
    diverged = page.locator("#result-a .diverged")
    assert diverged.is_visible()
    assert diverged.inner_text().startswith("diverged at step ")
    assert page.locator("#result-b .result-line").inner_text().startswith("epoch 30, x1 ")


def test_slider_moves_both_markers_and_zoom_is_linked(page: Page) -> None:
    open_lab(page)
    a5, b5 = path_of(page, "contour-a", "A")[5], path_of(page, "contour-b", "B")[5]
    page.locator("#step-slider").fill("5")
    assert page.locator("#step-label").inner_text() == "step 5 / 20"
    page.wait_for_function(
        """(expected) => ['contour-a', 'contour-b'].every((id) => {
            const markers = document.getElementById(id).data.filter((t) => (t.name || '').endsWith(' now'));
            return JSON.stringify(markers.map((t) => [t.x[0], t.y[0]])) === JSON.stringify(expected);
        })""",
        arg=[a5, b5],
    )
    page.evaluate("() => Plotly.relayout('contour-a', {'xaxis.range': [-3, -1], 'yaxis.range': [-1, 0]})")
    page.wait_for_function("() => document.getElementById('contour-b').layout.xaxis.range[0] === -3")
    assert page.evaluate("() => document.getElementById('contour-b').layout.yaxis.range") == [-1, 0]


def test_overlay_puts_both_paths_on_one_plot(page: Page) -> None:
    open_lab(page)
    page.locator("#overlay").check()
    assert page.locator("#figure-b").is_hidden()
    page.wait_for_function(
        "() => document.getElementById('contour-a').data"
        ".filter((t) => t.mode && t.mode.includes('lines') && t.visible !== false).length === 2"
    )
    assert query_of(page)["overlay"] == ["1"]


@pytest.mark.parametrize(("failure", "message"), [("network", "Network error"), ("server", "Server error")])
def test_network_and_server_errors_show_a_message(page: Page, failure: str, message: str) -> None:
    open_lab(page)
    if failure == "network":
        page.route(f"**{STREAM}", lambda route: route.abort("connectionrefused"))
    else:
        page.route(f"**{STREAM}", lambda route: route.fulfill(status=500, body="Internal Server Error"))
    before = runs_started(page)
    page.locator("#seed").fill("3")
    wait_for_run(page, before, state="error")
    banner = page.locator("#banner")
    assert banner.is_visible()
    assert banner.inner_text().startswith(message)


def test_clicking_a_contour_sets_the_start_point(page: Page) -> None:
    open_lab(page)
    area = page.locator("#contour-a .nsewdrag").bounding_box()
    assert area is not None
    before = runs_started(page)
    page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    wait_for_run(page, before)
    x1, x2 = float(page.locator("#x1").input_value()), float(page.locator("#x2").input_value())
    box = (
        page.evaluate("() => document.getElementById('contour-a').layout.xaxis.range"),
        page.evaluate("() => document.getElementById('contour-a').layout.yaxis.range"),
    )
    assert x1 == pytest.approx(sum(box[0]) / 2, abs=0.05)
    assert x2 == pytest.approx(sum(box[1]) / 2, abs=0.05)
    assert path_of(page, "contour-b", "B")[0] == [x1, x2]
    assert query_of(page)["x1"] == [page.locator("#x1").input_value()]


def test_custom_function_shows_the_apis_expression_error(page: Page) -> None:
    open_lab(page, "?fn=custom&expr=x1**2%2B2*x2**2")
    assert page.locator("#expression").is_visible()
    assert len(path_of(page, "contour-a", "A")) == 21
    before = runs_started(page)
    page.locator("#expression").fill("x1**2 + foo")
    wait_for_run(page, before, state="invalid")
    assert "foo" in page.locator('[data-field="expression"] .field-error').inner_text()
    before = runs_started(page)
    page.locator("#fn").select_option("quadratic")
    wait_for_run(page, before)
    assert page.locator("#expression").is_hidden()
    assert "expr" not in query_of(page)


def axis_ranges(page: Page, plot: str) -> list[list[float]]:
    return page.evaluate(
        "(id) => { const l = document.getElementById(id).layout; return [l.xaxis.range, l.yaxis.range]; }",
        plot,
    )


def test_the_view_box_is_editable_kept_in_the_url_and_checked(page: Page, live_server: str) -> None:
    open_lab(page, "?fn=custom&expr=x1**2%2B2*x2**2")
    assert [page.locator(f"#box-{k}").input_value() for k in ("x1min", "x1max", "x2min", "x2max")] == [
        "-5",
        "5",
        "-5",
        "5",
    ]  # the custom function's default box
    assert "box.x1min" not in query_of(page)
    before = runs_started(page)
    page.locator("#box-x1max").fill("8")
    wait_for_run(page, before)
    assert axis_ranges(page, "contour-a") == axis_ranges(page, "contour-b") == [[-5, 8], [-5, 5]]
    assert query_of(page)["box.x1max"] == ["8"]
    contour_x = page.evaluate("() => Array.from(document.getElementById('contour-a').data[0].x)")
    assert contour_x[0] == -5 and contour_x[-1] == 8  # f computed over the new box, not just the axes moved
    run_id = (page.locator("#run-link").get_attribute("href") or "").removeprefix("/runs/")
    with urllib.request.urlopen(f"{live_server}/api/runs/{run_id}", timeout=30) as response:
        assert json.load(response)["config"]["box"] == [-5, 8, -5, 5]

    page.reload()
    wait_for_run(page, 0)
    assert page.locator("#box-x1max").input_value() == "8"
    assert axis_ranges(page, "contour-a") == [[-5, 8], [-5, 5]]

    before = runs_started(page)
    page.locator("#box-x1min").fill("9")  # min above max: the API's message, next to the box
    wait_for_run(page, before, state="invalid")
    assert "min < max" in page.locator('[data-field="box"] > .field-error').inner_text()

    before = runs_started(page)
    page.locator("#fn").select_option("rosenbrock")  # another function brings its own box
    wait_for_run(page, before)
    assert axis_ranges(page, "contour-a") == [[-2, 2], [-1, 3]]
    assert not any(key.startswith("box.") for key in query_of(page))
