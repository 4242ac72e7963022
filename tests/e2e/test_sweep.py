"""The Sweep view in a real browser: two heatmaps drawn on one scale, a click on a cell opens its
full run (2D lab or Training view) and runs it, basin maps, cancel, reload, the links to it."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageLog

pytestmark = pytest.mark.e2e

SMALL = "/sweep?x.n=8&y.n=6"  # the book's pair, RMSProp vs momentum over (η, γ), 8 × 6 cells


def run_sweep(page: Page, url: str, state: str = "done", timeout: float = 60_000) -> None:
    page.goto(url)
    page.wait_for_selector("#sweep[data-state=idle]")
    page.click("#run")
    page.wait_for_selector(f"#sweep[data-state={state}]", timeout=timeout)


def heatmap(page: Page, key: str) -> Any:
    """What Plotly drew in heatmap ``key``: its traces' types, cells and scale, and the layout's axes."""
    return page.evaluate(
        """(key) => { const d = document.getElementById(`heatmap-${key}`);
        return { drawn: Number(d.dataset.drawn || 0), hidden: d.closest('figure').hidden,
          traces: (d.data || []).map(t => ({ type: t.type, z: t.z, x: t.x, y: t.y, zmin: t.zmin, zmax: t.zmax,
                                             name: t.name, text: t.text, showlegend: t.showlegend })),
          xaxis: d.layout?.xaxis.type, title: d.layout?.title.text }; }""",
        key,
    )


def click_cell(page: Page, key: str, row: int, col: int) -> None:
    """A click at the centre of cell (row, col) of heatmap ``key``, where Plotly draws it."""
    point = page.evaluate(
        """([key, row, col]) => { const d = document.getElementById(`heatmap-${key}`);
        const [cells] = d.data; const xa = d._fullLayout.xaxis, ya = d._fullLayout.yaxis;
        const box = d.querySelector('.nsewdrag').getBoundingClientRect();
        return { x: box.left + xa.l2p(xa.d2l(cells.x[col])), y: box.top + ya.l2p(ya.d2l(cells.y[row])) }; }""",
        [key, row, col],
    )
    page.mouse.click(point["x"], point["y"])


def sweep_state(page: Page, key: str) -> Any:
    sweep_id = parse_qs(urlsplit(page.url).query)[f"s{key}"][0]
    return page.evaluate("(id) => fetch(`/api/sweeps/${id}`).then(r => r.json())", sweep_id)


def test_two_heatmaps_share_axes_and_one_colour_scale(page: Page, page_log: PageLog) -> None:
    run_sweep(page, SMALL)
    a, b = heatmap(page, "a"), heatmap(page, "b")
    assert a["drawn"] >= 1 and not b["hidden"]
    assert [t["type"] for t in a["traces"]][:2] == ["heatmap", "heatmap"]  # the cells, the diverged on top
    cells_a, cells_b = a["traces"][0], b["traces"][0]
    assert len(cells_a["z"]) == 6 and all(len(row) == 8 for row in cells_a["z"])
    assert cells_a["x"] == cells_b["x"] and cells_a["y"] == cells_b["y"]
    assert (cells_a["zmin"], cells_a["zmax"]) == (cells_b["zmin"], cells_b["zmax"])  # one scale
    assert a["xaxis"] == "log" and a["title"].startswith("A · RMSProp") and b["title"].startswith("B · Momentum")
    # Log colour: the drawn z is log10 of the final value the API gives (where it does not clip).
    state = sweep_state(page, "a")
    value = state["cells"]["final_value"][2][3]
    assert math.isclose(cells_a["z"][2][3], math.log10(value), rel_tol=1e-9) or cells_a["z"][2][3] == cells_a["zmax"]
    # Hover numbers: the cell's settings and figures.
    assert "η = " in cells_a["text"][2][3] and "f(x_T)" in cells_a["text"][2][3]
    # Momentum's large η diverge: drawn in the diverged colour, the step on hover.
    diverged = b["traces"][1]
    marked = [(r, c) for r, row in enumerate(diverged["z"]) for c, v in enumerate(row) if v == 1]
    assert marked and "diverged at step" in diverged["text"][marked[0][0]][marked[0][1]]
    # The book's setting (RMSProp η=0.4, γ=0.9) is starred and named in the legend.
    star = [t for t in a["traces"] if t["type"] == "scatter" and t["showlegend"]]
    assert star and "book" in star[0]["name"]
    assert page.is_visible("#run-link-a") and page.is_visible("#csv-b")
    assert page_log.external_requests == [] and page_log.page_errors == []


def test_a_click_on_a_cell_opens_the_lab_with_its_configuration_and_runs_it(page: Page) -> None:
    run_sweep(page, SMALL)
    state = sweep_state(page, "a")
    eta, gamma = state["axes"][0]["values"][5], state["axes"][1]["values"][4]
    click_cell(page, "a", 4, 5)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.wait_for_selector("#lab2d[data-state=done]", timeout=30_000)
    query = parse_qs(urlsplit(page.url).query)
    assert float(query["a.eta"][0]) == eta and float(query["a.gamma"][0]) == gamma
    assert query["a.opt"] == ["rmsprop"] and query["b.opt"] == ["momentum"]  # sweep B's same cell beside it
    panel = page.locator("#panel-a")
    assert float(panel.locator("input[name=eta]").input_value()) == eta
    assert page.inner_text("#result-a .result-line").startswith("epoch 20")  # it ran, the sweep's 20 steps
    # The lab's run is the cell: its last f(x_t) is the cell's final value.
    run = page.evaluate("(href) => fetch(`/api${href}`).then(r => r.json())", page.get_attribute("#run-link", "href"))
    assert math.isclose(run["series"][0]["values"][-1], state["cells"]["final_value"][4][5], rel_tol=1e-12)


def test_a_training_cell_opens_the_training_view_and_trains_it(page: Page) -> None:
    run_sweep(page, "/sweep?kind=training&x.n=4&y.n=3")
    state = sweep_state(page, "b")
    click_cell(page, "b", 2, 1)
    page.wait_for_url(lambda url: urlsplit(url).path == "/training" and "job=" in url, timeout=30_000)
    page.wait_for_selector("#training[data-state=done]", timeout=60_000)
    query = parse_qs(urlsplit(page.url).query)
    assert float(query["b.eta"][0]) == state["axes"][0]["values"][1]
    assert float(query["b.gamma"][0]) == state["axes"][1]["values"][2]
    job = page.evaluate("(id) => fetch(`/api/jobs/${id}`).then(r => r.json())", query["job"][0])
    loss = state["cells"]["final_loss"][2][1]
    assert job["runs"][1]["optimizer"] == "momentum" and math.isclose(job["runs"][1]["final_loss"], loss, rel_tol=1e-6)
    page.go_back()  # back to the form the cell opened, without training it again
    page.wait_for_selector("#training[data-state=idle]")


def test_a_basin_map_colours_cells_by_the_minimum_reached(page: Page) -> None:
    run_sweep(page, "/sweep?mode=basin&x.n=12&y.n=12")
    a = heatmap(page, "a")
    classes = {v for row in a["traces"][0]["z"] for v in row if v is not None}
    assert len(classes) >= 4 and classes <= set(range(10))  # Himmelblau's four basins (and maybe unsettled)
    minima = [t for t in a["traces"] if t["name"] == "minima"]
    assert minima and len(minima[0]["x"]) == 4
    assert "minimum #" in a["traces"][0]["text"][11][11]
    click_cell(page, "a", 11, 0)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    query = parse_qs(urlsplit(page.url).query)
    assert (float(query["x1"][0]), float(query["x2"][0]), query["fn"][0]) == (-5, 5, "himmelblau")


def test_rows_fill_in_live_and_cancel_keeps_them(page: Page) -> None:
    page.goto(
        "/sweep?kind=training&epochs=8&x.n=256&y.n=64"
    )  # 16 blocks of 4 rows, 1,208 steps a cell (near the work bound): seconds
    page.wait_for_selector("#sweep[data-state=idle]")
    page.click("#run")
    page.wait_for_function("() => Number(document.getElementById('progress').value) > 0", timeout=60_000)
    page.click("#cancel")
    page.wait_for_selector("#sweep[data-state=cancelled]", timeout=30_000)
    assert "cancelled after" in page.inner_text("#run-status")
    assert 0 < float(page.eval_on_selector("#progress", "p => p.value")) < 1
    drawn = heatmap(page, "a")["traces"][0]["z"]
    assert any(v is not None for v in drawn[0]) and all(v is None for v in drawn[-1])


def test_reload_and_links_bring_the_same_sweeps_back(page: Page, page_log: PageLog) -> None:
    run_sweep(page, SMALL)
    before = heatmap(page, "a")["traces"][0]["z"]
    assert len(page_log.requests_to("/api/sweeps")) == 2  # A and B posted
    page.reload()
    page.wait_for_selector("#sweep[data-state=done]")
    assert heatmap(page, "a")["traces"][0]["z"] == before
    assert len(page_log.requests_to("/api/sweeps")) == 2  # nothing posted again
    page.click("#run-link-a")  # the stored sweep's permanent page
    page.wait_for_selector("#sweep[data-state=done]")
    assert urlsplit(page.url).path.startswith("/runs/") and heatmap(page, "a")["traces"][0]["z"] == before
    assert heatmap(page, "b")["hidden"]


def test_the_lab_and_the_training_view_link_to_a_sweep_of_their_parameters(page: Page) -> None:
    page.goto("/?a.opt=rmsprop&b.opt=momentum")
    page.wait_for_selector("#lab2d[data-state=done]", timeout=30_000)
    page.click("#sweep-link")
    page.wait_for_selector("#sweep[data-state=idle]")
    assert page.input_value("#x-param") == "eta" and page.input_value("#y-param") == "gamma"
    assert page.input_value("#fn") == "quadratic" and page.input_value("#steps") == "20"
    page.goto("/training")
    page.wait_for_selector("#training[data-state=idle]")
    page.click("#sweep-link")
    page.wait_for_selector("#sweep[data-state=idle]")
    assert page.input_value("#kind") == "training" and page.input_value("#x-param") == "eta"


def test_a_refused_field_is_shown_next_to_it(page: Page) -> None:
    run_sweep(page, "/sweep?x.from=5&x.to=1", state="invalid")
    assert "greater than from" in page.inner_text("[data-field='axes[0].to'] .field-error")
    # Sweep A is accepted, B refused: the refusal is shown in B's panel and A is cancelled.
    page.goto("/sweep?b.opt=adam&b.eps=5&y.param=x2&x.n=4&y.n=4")
    page.wait_for_selector("#sweep[data-state=idle]")
    page.click("#run")
    page.wait_for_selector("#sweep[data-state=invalid]")
    assert "[0, 1]" in page.inner_text("#panel-b [data-field='b.hyperparams.eps'] .field-error")
