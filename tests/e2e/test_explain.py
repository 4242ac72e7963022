"""'Explain step t' in the 2D lab: each run's update at the slider's step, numbers substituted,
following the slider and the playback."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

MATHML = "http://www.w3.org/1998/Math/MathML"
BOOK_BODY: dict[str, Any] = {  # the lab's default comparison: AdaGrad vs RMSProp (7.5, 7.6)
    "function": "quadratic",
    "start": [-5, -2],
    "steps": 20,
    "seed": 0,
    "runs": [
        {"optimizer": "adagrad", "impl": "book", "hyperparams": {"eta": 0.4}},
        {"optimizer": "rmsprop", "impl": "book", "hyperparams": {"eta": 0.4, "gamma": 0.9}},
    ],
}


def answer(base: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base}/api/trajectories", data=json.dumps(BOOK_BODY).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body: dict[str, Any] = json.load(response)
    return body


def explained(page: Page, run: int) -> dict[str, list[float]]:
    """Run ``run``'s table as {row symbol's LaTeX: [value per coordinate]}."""
    rows: dict[str, list[float]] = page.evaluate(
        """(run) => Object.fromEntries([...document.querySelectorAll(
              `#explain-runs [data-run='${run}'] tbody tr`)].map((tr) => [
              tr.querySelector('th').title, [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))]))""",
        run,
    )
    return rows


def close(shown: list[float], exact: list[float]) -> bool:
    """Shown to 6 significant digits."""
    return all(abs(a - b) <= 1e-5 * max(abs(b), 1e-12) for a, b in zip(shown, exact, strict=True))


def open_lab(page: Page) -> None:
    page.goto("/")
    page.wait_for_function("() => document.getElementById('lab2d').dataset.state === 'done'")


def test_the_explanation_shows_step_t_with_its_numbers_and_follows_the_slider(page: Page, live_server: str) -> None:
    runs = answer(live_server)["runs"]
    open_lab(page)
    for t in (3, 1, 17):
        page.locator("#step-slider").fill(str(t))
        page.wait_for_function("(t) => document.getElementById('explain-t').textContent === String(t)", arg=t)
        for i, run in enumerate(runs):
            rows = explained(page, i)
            assert close(rows["x_{t-1}"], run["points"][t - 1])
            assert close(rows["x_t"], run["points"][t])
            assert close(rows["s_t"], run["state"]["s"][t - 1])
            assert close(rows[r"\frac{\eta}{\sqrt{s_t + \epsilon}}"], run["lr_eff"][t - 1])
            x1, x2 = run["points"][t - 1]
            assert close(rows["g_t"], [0.2 * x1, 4 * x2])  # ∇f of 0.1x1² + 2x2² at x_{t-1}
    # Why AdaGrad's step shrinks and RMSProp's does not: the rate on x2 at steps 1 and 17.
    first = [runs[0]["lr_eff"][0][1], runs[1]["lr_eff"][0][1]]
    late = [runs[0]["lr_eff"][16][1], runs[1]["lr_eff"][16][1]]
    assert late[0] < first[0] and late[1] > first[1]
    header = page.locator("#explain-runs [data-run='0'] tbody th").nth(3)
    assert header.evaluate("(th) => th.querySelector('math').namespaceURI") == MATHML
    assert header.locator("mfrac msqrt").count() == 1


def test_step_zero_is_the_start_and_the_playback_is_followed(page: Page) -> None:
    open_lab(page)
    page.locator("#step-slider").fill("0")
    page.wait_for_function("() => document.getElementById('explain-t').textContent === '0'")
    assert "Step 0 is the start, x₀ = (-5, -2)" in page.locator("#explain-runs [data-run='0']").inner_text()
    page.locator("#play").click()
    page.wait_for_function("() => Number(document.getElementById('explain-t').textContent) > 0")
    page.wait_for_function("() => document.getElementById('play').getAttribute('aria-pressed') === 'false'")
    assert page.locator("#explain-t").inner_text() == "20"
    assert page.locator("#explain-runs [data-run='1'] tbody tr").count() == 5  # x_{t-1}, g_t, s_t, rate, x_t
