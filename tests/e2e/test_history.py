"""The History view in a real browser: list and filters, a run's permanent URL (and the 404 page),
2–4 runs overlaid, delete with confirmation, plots downloaded as PNG and SVG with legend and axes."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import OWNER_HEADERS, PageLog

pytestmark = pytest.mark.e2e

WAIT = 60.0  # an upper bound on waits, never a timing assertion
TRAJECTORY = {
    "function": "quadratic",
    "start": [-5, -2],
    "steps": 20,
    "runs": [
        {"optimizer": "adagrad", "hyperparams": {"eta": 0.4}},
        {"optimizer": "rmsprop", "hyperparams": {"eta": 0.4, "gamma": 0.9}},
    ],
}
TRAINING = {
    "dataset": "synthetic",
    "batch_size": 10,
    "epochs": 2,
    "device": "cpu",
    "runs": [{"optimizer": "adam", "hyperparams": {"eta": 0.01}}, {"optimizer": "sgd"}],
}
LISTEN = (
    "window.violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.violations.push(e.effectiveDirective + ' ' + e.blockedURI));"
)


def api(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **OWNER_HEADERS}  # the page's owner: its runs are the page's
    request = urllib.request.Request(f"{base}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def comparison(base: str, **changes: Any) -> str:
    status, answer = api(base, "POST", "/api/trajectories", {**TRAJECTORY, **changes})
    assert status == 200, answer
    return str(answer["run_id"])


def training_run(base: str, **changes: Any) -> str:
    status, created = api(base, "POST", "/api/jobs", {**TRAINING, **changes})
    assert status == 202, created
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        status, run = api(base, "GET", f"/api/runs/{created['id']}")
        if status == 200 and run["status"] == "done":
            return str(created["id"])
        time.sleep(0.05)
    raise AssertionError("the training job never reached the history as done")


def wait_state(page: Page, state: str) -> None:
    page.wait_for_function("(s) => document.getElementById('history').dataset.state === s", arg=state)


def traces(page: Page, plot: str) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """(id) => document.getElementById(id).data.map((t) => ({
            type: t.type, name: t.name, n: t.x ? t.x.length : 0, dash: t.line ? t.line.dash : null,
            color: t.line ? t.line.color : null}))""",
            plot,
        )
    )


def lines(page: Page, plot: str) -> list[dict[str, Any]]:
    return [t for t in traces(page, plot) if t["type"] == "scatter" and t["dash"] is not None]


@pytest.fixture(scope="module")
def runs(live_server: str) -> dict[str, str]:
    """Runs made through the API (the browser tests of other views add theirs to the same server)."""
    return {
        "book": comparison(live_server),
        "adam2d": comparison(live_server, runs=[{"optimizer": "adam", "hyperparams": {"eta": 0.5}}]),
        "beale": comparison(live_server, function="beale", start=[1, 1], runs=[{"optimizer": "adam"}]),
        "job1": training_run(live_server),
        "job2": training_run(live_server, seed=1, runs=[{"optimizer": "rmsprop"}]),
    }


def test_the_list_filters_by_kind_and_status_and_keeps_them_in_the_url(
    page: Page,
    live_server: str,
    page_log: PageLog,
) -> None:
    runs = {"book": comparison(live_server), "job1": training_run(live_server), "job2": training_run(live_server)}
    page.add_init_script(LISTEN)
    page.goto("/history")
    wait_state(page, "list")
    assert page.locator(".site-nav [aria-current=page]").inner_text() == "History"
    page.select_option("#filter-kind", "training")
    page.wait_for_function("() => new URLSearchParams(location.search).get('kind') === 'training'")
    wait_state(page, "list")
    kinds = page.locator("#runs-body tr").evaluate_all("rows => rows.map((r) => r.dataset.kind)")
    assert kinds and set(kinds) == {"training"}
    ids = page.locator("#runs-body tr").evaluate_all("rows => rows.map((r) => r.dataset.id)")
    assert {runs["job1"], runs["job2"]} <= set(ids) and runs["book"] not in ids
    page.select_option("#filter-status", "interrupted")
    wait_state(page, "list")
    assert page.locator("#runs-body tr").count() == 0 and page.locator("#empty").is_visible()
    assert parse_qs(urlsplit(page.url).query) == {"kind": ["training"], "status": ["interrupted"]}
    page.reload()  # the URL restores the filters
    wait_state(page, "list")
    assert page.input_value("#filter-kind") == "training" and page.input_value("#filter-status") == "interrupted"
    assert page.evaluate("window.violations") == []
    assert page_log.console_errors == [] and page_log.page_errors == [] and page_log.external_requests == []


def test_the_list_pages_through_older_runs(page: Page, live_server: str, runs: dict[str, str]) -> None:
    for seed in range(21):  # more than one page of 2D comparisons (distinct: one record per distinct request)
        comparison(live_server, steps=1, seed=1000 + seed)
    total = api(live_server, "GET", "/api/runs?kind=trajectory&limit=1")[1]["total"]
    page.goto("/history?kind=trajectory")
    wait_state(page, "list")
    first_page = page.locator("#runs-body tr").evaluate_all("rows => rows.map((r) => r.dataset.id)")
    assert len(first_page) == 20 and page.locator("#prev").is_disabled()
    assert page.locator("#page-label").inner_text() == f"1–20 of {total}"
    page.click("#next")
    page.wait_for_function("() => new URLSearchParams(location.search).get('offset') === '20'")
    wait_state(page, "list")
    second_page = page.locator("#runs-body tr").evaluate_all("rows => rows.map((r) => r.dataset.id)")
    assert len(second_page) == min(20, total - 20) and not set(first_page) & set(second_page)
    assert page.locator("#page-label").inner_text().startswith("21–")
    page.go_back()
    wait_state(page, "list")
    assert page.locator("#runs-body tr").evaluate_all("rows => rows.map((r) => r.dataset.id)") == first_page


def test_a_run_opens_at_its_permanent_url(
    page: Page,
    live_server: str,
    runs: dict[str, str],
    artifacts: Path,
) -> None:
    status, stored = api(live_server, "GET", f"/api/runs/{runs['book']}")
    assert status == 200
    response = page.goto(f"/runs/{runs['book']}")
    assert response is not None and response.status == 200
    wait_state(page, "run")
    assert page.locator("#run-title").inner_text() == stored["title"]
    assert page.locator(".site-nav [aria-current=page]").inner_text() == "History"
    paths = lines(page, "plot-paths")
    assert [t["n"] for t in paths] == [21, 21]
    assert [t["name"].split(" · ")[0] for t in paths] == ["A", "B"]
    assert any(t["type"] == "contour" for t in traces(page, "plot-paths"))
    plotted = page.evaluate(
        "() => { const t = document.getElementById('plot-paths').data[1];"
        " return Array.from(t.x, (x, i) => [x, t.y[i]]); }"
    )
    assert plotted == stored["series"][0]["points"]  # the stored doubles, drawn as they are
    assert [t["n"] for t in lines(page, "plot-values")] == [21, 21]
    rows = page.locator("#summary-body tr").all_inner_texts()
    assert len(rows) == 2 and "AdaGrad" in rows[0] and "RMSProp" in rows[1]
    page.screenshot(path=str(artifacts / "history-run.png"), full_page=True)
    csv_link = page.get_attribute("#export-csv", "href")
    assert csv_link == f"/api/runs/{runs['book']}/export?format=csv"


def test_a_running_jobs_page_sends_to_the_training_view_that_follows_it(page: Page, live_server: str) -> None:
    long_job = {**TRAINING, "batch_size": 1, "epochs": 100}  # minutes of work; cancelled below
    status, created = api(live_server, "POST", "/api/jobs", long_job)
    assert status == 202
    job_id = created["id"]
    try:
        page.goto(f"/runs/{job_id}")
        wait_state(page, "run")
        assert page.locator("#run-meta").inner_text().split(" · ")[1] in {"queued", "running"}
        page.click("#watch-live")
        page.wait_for_url(f"**/training?job={job_id}*")
        page.wait_for_function(
            "(id) => { const root = document.getElementById('training');"
            " return root.dataset.job === id && root.dataset.state === 'running'; }",
            arg=job_id,
        )
    finally:
        api(live_server, "POST", f"/api/jobs/{job_id}/cancel")
    page.wait_for_function("() => document.getElementById('training').dataset.state === 'cancelled'")
    page.goto(f"/runs/{job_id}")
    wait_state(page, "run")
    assert page.locator("#run-meta").inner_text().split(" · ")[1] == "cancelled"
    assert page.locator("#watch-live").count() == 0  # ended: the record has its curves now


def test_an_unknown_run_is_a_404_page(page: Page, page_log: PageLog) -> None:
    response = page.goto("/runs/0123456789ab")
    assert response is not None and response.status == 404
    assert "No such run" in page.locator("#not-found").inner_text()
    assert "0123456789ab" in page.locator("#not-found").inner_text()
    assert page_log.page_errors == []


def test_ticking_two_training_runs_overlays_their_losses(page: Page, live_server: str, artifacts: Path) -> None:
    runs = {
        "job1": training_run(live_server),
        "job2": training_run(live_server, seed=1, runs=[{"optimizer": "rmsprop"}]),
    }
    page.goto("/history?kind=training")
    wait_state(page, "list")
    page.screenshot(path=str(artifacts / "history-list.png"), full_page=True)
    assert page.locator("#compare").is_disabled()
    page.check(f"#runs-body tr[data-id='{runs['job1']}'] input.pick")
    assert page.locator("#compare").is_disabled()
    page.check(f"#runs-body tr[data-id='{runs['job2']}'] input.pick")
    assert page.locator("#compare").is_enabled()
    page.click("#compare")
    wait_state(page, "compare")
    ids = parse_qs(urlsplit(page.url).query)["compare"][0].split(",")
    assert set(ids) == {runs["job1"], runs["job2"]}
    curves = lines(page, "plot-loss")
    assert len(curves) == 3  # adam and sgd of one job, rmsprop of the other
    assert all(t["n"] == 31 for t in curves)
    by_record = {t["name"][:2]: t["color"] for t in curves}
    assert len(set(by_record.values())) == 2  # one colour per stored run
    assert page.locator("#run-links li").count() == 2
    page.screenshot(path=str(artifacts / "history-compare.png"), full_page=True)
    page.go_back()  # back to the filtered list
    wait_state(page, "list")
    assert page.input_value("#filter-kind") == "training"


def test_runs_of_different_kinds_cannot_be_compared(page: Page, live_server: str, runs: dict[str, str]) -> None:
    newest = [comparison(live_server, steps=3), training_run(live_server)]  # on the first page, whatever else is
    page.goto("/history")
    wait_state(page, "list")
    for run_id in newest:
        page.check(f"#runs-body tr[data-id='{run_id}'] input.pick")
    assert page.locator("#compare").is_disabled()
    assert "one kind" in page.locator("#compare-hint").inner_text()
    page.goto(f"/history?compare={runs['book']},{runs['job1']}")
    wait_state(page, "error")
    assert "different kinds" in page.locator("#banner").inner_text()


def test_compared_trajectories_share_the_contour_of_their_function(page: Page, runs: dict[str, str]) -> None:
    page.goto(f"/history?compare={runs['book']},{runs['adam2d']}")
    wait_state(page, "compare")
    assert any(t["type"] == "contour" for t in traces(page, "plot-paths"))
    paths = lines(page, "plot-paths")
    assert [t["name"].split(" · ")[0] for t in paths] == ["R1A", "R1B", "R2A"]
    assert paths[0]["color"] == paths[1]["color"] != paths[2]["color"] and paths[0]["dash"] != paths[1]["dash"]
    page.goto(f"/history?compare={runs['book']},{runs['beale']}")  # two functions: paths only
    wait_state(page, "compare")
    assert not any(t["type"] == "contour" for t in traces(page, "plot-paths"))
    assert len(lines(page, "plot-paths")) == 3


def test_delete_asks_first_then_removes_the_run(page: Page, live_server: str, artifacts: Path) -> None:
    run_id = comparison(live_server, steps=5)
    page.goto(f"/runs/{run_id}")
    wait_state(page, "run")
    page.click("#delete")
    assert page.locator("#confirm-delete").is_visible()
    page.screenshot(path=str(artifacts / "history-delete.png"))
    page.click("#confirm-cancel")
    assert page.locator("#confirm-delete").is_hidden()
    assert api(live_server, "GET", f"/api/runs/{run_id}")[0] == 200  # cancelled: still there
    page.click("#delete")
    page.click("#confirm-delete-button")
    wait_state(page, "deleted")
    assert "Deleted" in page.locator("#notice").inner_text()
    assert api(live_server, "GET", f"/api/runs/{run_id}")[0] == 404
    response = page.goto(f"/runs/{run_id}")
    assert response is not None and response.status == 404


def test_plots_download_as_png_and_as_svg_with_legend_and_axes(
    page: Page,
    runs: dict[str, str],
    tmp_path: Path,
) -> None:
    page.goto(f"/runs/{runs['job1']}")
    wait_state(page, "run")
    figure = page.locator("figure[data-plot='loss']")
    with page.expect_download() as png_download:
        figure.locator("button[data-format='png']").click()
    png = tmp_path / "loss.png"
    png_download.value.save_as(png)
    assert png_download.value.suggested_filename == f"optimizer-lab-{runs['job1']}-loss.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    with page.expect_download() as svg_download:
        figure.locator("button[data-format='svg']").click()
    svg = tmp_path / "loss.svg"
    svg_download.value.save_as(svg)
    text = svg.read_text()
    assert text.lstrip().startswith("<svg")
    assert "A · Adam η=0.01" in text and "B · Stochastic gradient descent" in text  # the legend
    assert ">epoch<" in text and ">loss<" in text  # the axis titles
    assert 'class="xtick"' in text and 'class="ytick"' in text  # the axes' tick labels


def test_the_lab_plots_download_as_svg_from_their_mode_bar(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    page.wait_for_function("() => document.getElementById('lab2d').dataset.state === 'done'")
    page.hover("#chart-values")
    with page.expect_download() as download:
        page.locator("#chart-values .modebar-btn[data-title='Download plot as SVG']").click()
    path = tmp_path / "values.svg"
    download.value.save_as(path)
    text = path.read_text()
    assert text.lstrip().startswith("<svg") and "AdaGrad" in text and "step t" in text
    assert download.value.suggested_filename.startswith("objective-f")
