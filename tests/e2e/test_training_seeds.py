"""The Training view over several seeds and against time, in a real browser: a 5-seed job draws each
run's mean with a shaded band from its lowest to its highest seed, the table shows mean ± sd, and
the loss plots switch their x-axis between epochs and training seconds."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PageLog
from tests.e2e.test_training import ENDED, get_json, open_training, query_of, table, view_state, wait_state

pytestmark = pytest.mark.e2e

FIVE_SEEDS = "?dataset=synthetic&seed=3&seeds=5"


def traces(page: Page, div: str) -> list[dict[str, Any]]:
    return page.evaluate(
        """(id) => document.getElementById(id).data.map((t) => ({
            name: t.name, x: Array.from(t.x), y: Array.from(t.y), fill: t.fill ?? null,
            fillcolor: t.fillcolor ?? null, showlegend: t.showlegend !== false,
        }))""",
        div,
    )


def run_job(page: Page, live_server: str, query: str) -> dict[str, Any]:
    open_training(page, query)
    page.click("#run")
    wait_state(page, *ENDED, timeout=60_000)
    seen = view_state(page)
    assert seen["state"] == "done", seen
    job: dict[str, Any] = get_json(live_server, f"/api/jobs/{seen['job']}")
    return job


def test_a_five_seed_job_draws_bands_and_the_table_shows_mean_and_sd(
    page: Page, page_log: PageLog, live_server: str
) -> None:
    job = run_job(page, live_server, FIVE_SEEDS)
    assert job["seeds"] == 5 and job["seed"] == 3
    assert query_of(page)["seeds"] == ["5"]
    plotted = traces(page, "chart-loss")
    lines, edges = plotted[:2], plotted[2:]
    assert len(edges) == 4  # per run: the lowest seed, then the highest filled down to it
    for i, run in enumerate(job["runs"]):
        assert lines[i]["x"] == run["epochs"] and lines[i]["y"] == run["losses"]  # the mean
        low, high = edges[2 * i], edges[2 * i + 1]
        assert low["y"] == run["losses_min"] and high["y"] == run["losses_max"]
        assert high["fill"] == "tonexty" and high["fillcolor"].startswith("rgba(")
        assert not low["showlegend"] and not high["showlegend"]
        assert any(a < b for a, b in zip(low["y"], high["y"], strict=True))  # a real band: the seeds differ
    small = traces(page, "multiple-0")
    assert len(small) == 3 and small[2]["fill"] == "tonexty"
    rows = table(page)
    for row, run in zip(rows, job["runs"], strict=True):
        assert run["final_loss_sd"] > 0
        assert row["loss"] == f"{run['final_loss']:.6f} ± {run['final_loss_sd']:.6f}"
    assert page.locator("#th-loss").inner_text() == "final loss (mean ± sd, 5 seeds)"
    title = page.locator("#results-body .cell-loss").first.get_attribute("title")
    assert title is not None and "lowest" in title and "highest" in title
    overlay_title = page.evaluate("() => document.getElementById('chart-loss').layout.title.text")
    assert "seeds 3–7" in overlay_title
    assert page_log.console_errors == [] and page_log.page_errors == []


def test_one_seed_draws_no_band(page: Page, live_server: str) -> None:
    job = run_job(page, live_server, "?dataset=synthetic")
    assert job["seeds"] == 1 and "seeds" not in query_of(page)
    assert len(traces(page, "chart-loss")) == 2
    assert [row["loss"] for row in table(page)] == [f"{run['final_loss']:.6f}" for run in job["runs"]]
    assert page.locator("#th-loss").inner_text() == "final loss"


def test_the_time_axis_plots_loss_against_training_seconds(page: Page, page_log: PageLog, live_server: str) -> None:
    job = run_job(page, live_server, FIVE_SEEDS)
    assert page.locator("#x-epoch").is_checked()
    page.locator("#x-seconds").check()
    page.wait_for_function(
        "() => document.getElementById('chart-loss').layout.xaxis.title.text === 'training time (s)'"
    )
    plotted = traces(page, "chart-loss")
    count = len(job["runs"])
    for i, run in enumerate(job["runs"]):
        assert plotted[i]["x"] == run["elapsed"] and plotted[i]["y"] == run["losses"]
        band = plotted[count + 2 * i : count + 2 * i + 2]
        assert [edge["x"] for edge in band] == [run["elapsed"]] * 2
        assert run["elapsed"][0] == 0 and run["elapsed"] == sorted(run["elapsed"])
        assert run["elapsed"][-1] == pytest.approx(run["sec_per_epoch"] * job["epochs"])
    small = traces(page, "multiple-1")
    assert small[0]["x"] == job["runs"][1]["elapsed"]
    x_title = page.evaluate("() => document.getElementById('multiple-1').layout.xaxis.title.text")
    assert x_title == "training time (s)"
    assert query_of(page)["x"] == ["seconds"]
    # The choice survives a reload, and back to epochs.
    page.reload()
    wait_state(page, *ENDED)
    assert page.locator("#x-seconds").is_checked()
    assert traces(page, "chart-loss")[0]["x"] == job["runs"][0]["elapsed"]
    page.locator("#x-epoch").check()
    page.wait_for_function("() => document.getElementById('chart-loss').layout.xaxis.title.text === 'epoch'")
    assert traces(page, "chart-loss")[0]["x"] == job["runs"][0]["epochs"]
    assert "x" not in query_of(page)
    assert page_log.console_errors == [] and page_log.page_errors == []


def test_seeds_out_of_range_are_refused_next_to_the_field(page: Page, page_log: PageLog) -> None:
    open_training(page, "?dataset=synthetic")
    page.locator("#seeds").fill("40")
    page.click("#run")
    wait_state(page, "invalid")
    message = page.locator('[data-field="seeds"] > .field-error').inner_text()
    assert "32" in message


def test_the_stored_job_page_draws_the_bands_too(page: Page, live_server: str) -> None:
    job = run_job(page, live_server, FIVE_SEEDS)
    page.goto(f"/runs/{job['id']}")
    page.wait_for_function("() => document.getElementById('history').dataset.state === 'run'")
    page.wait_for_function("() => (document.getElementById('plot-loss')?.data ?? []).length === 6")
    plotted = traces(page, "plot-loss")
    for i, run in enumerate(job["runs"]):
        assert plotted[i]["y"] == run["losses"]
        low, high = plotted[2 + 2 * i], plotted[3 + 2 * i]
        assert low["y"] == run["losses_min"] and high["y"] == run["losses_max"] and high["fill"] == "tonexty"
