"""Redraws per second while a hyper-parameter slider of the 2D lab is dragged, in headless Chromium.

The page is the real one on a real server (loopback). For 20 and 200 steps, the γ slider of run B
is moved 40 times in the page, as fast as the page takes it (each move waits for the previous
answer to be drawn: one request in flight, as the view does), and the figures are the redraws per
second and, side by side in the same run, the share of each cycle spent waiting for the answer
(POST /api/trajectories?preview=true) and drawing it. The issue's target is ≥ 20 redraws/s on a
user's machine; headless Chromium draws WebGL-free SVG in software here, on shared cores, so read
the ratios more than the absolute figures. Prints and exits 0, like the other benches.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.utils import running_server

MOVES = 40

DRAG = """async (moves) => {
  const slider = document.querySelector('#panel-b .hp-slider[data-name=gamma]');
  const root = document.getElementById('lab2d');
  const fetches = [];
  const original = window.fetch;
  window.fetch = async (...args) => {
    const t0 = performance.now();
    const answer = await original(...args);
    await answer.clone().arrayBuffer();
    fetches.push(performance.now() - t0);
    return answer;
  };
  const cycles = [];
  for (let k = 0; k < moves; k++) {
    const drawn = Number(root.dataset.liveDraws || 0);
    const t0 = performance.now();
    slider.value = String(900 - (k % 20) * 30);
    slider.dispatchEvent(new Event('input'));
    while (Number(root.dataset.liveDraws || 0) <= drawn) await new Promise((r) => setTimeout(r, 0));
    cycles.push(performance.now() - t0);
  }
  window.fetch = original;
  return {cycles, fetches};
}"""


def main() -> int:
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium; nothing measured")
        return 0
    with running_server({"OPTLAB_WARM_UP": "true"}) as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        print(f"γ slider of run B moved {MOVES} times per case, each move after the previous answer was drawn:")
        for steps in (20, 200):
            page.goto(f"{url}/?steps={steps}")
            page.wait_for_function("() => document.getElementById('lab2d').dataset.state === 'done'")
            figures = page.evaluate(DRAG, MOVES)
            cycle = statistics.median(figures["cycles"])
            fetch = statistics.median(figures["fetches"])
            print(
                f"  {steps:4d} steps: {1000 / cycle:6.1f} redraws/s (median cycle {cycle:6.1f} ms: answer "
                f"{fetch:6.1f} ms = {fetch / cycle:4.0%}, drawing the rest {1 - fetch / cycle:4.0%})"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
