// The 2D lab: two optimizers on one 2D function, streamed from POST /api/trajectories/stream.
// Form → (debounced) one SSE stream → contour paths, f(x_t) and effective rates grow live; a
// hyper-parameter slider re-runs while it is dragged (live.js). The URL holds the whole form
// (state.js); back/forward and shared links restore it. Playback: playback.js.

import { ApiError, fieldErrors, postSSE } from "../../lib/api.js";
import { byName, loadCatalogue } from "../../lib/catalogue.js";
import { $, el, showLink, showText } from "../../lib/dom.js";
import { clearFieldErrors, createOptimizerPanel, showFormErrors } from "../../lib/form.js";
import { formatNumber, resultLine } from "../../lib/format.js";
import { createBanner, failureKind, startView } from "../../lib/messages.js";
import { sweepLink } from "../../lib/sweep-link.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "../../lib/url-state.js";
import { eventToData } from "../../plots/chart.js";
import { CONTOUR, SURFACE, createLabCharts } from "./charts.js";
import { fromAnswer, lastFrame, reduceComparison, runNames, sameProblem } from "./comparison.js";
import { createExplainer } from "./explain.js";
import { createLiveRuns } from "./live.js";
import { changedRuns } from "./updates.js";
import { createPlayback } from "./playback.js";
import { applyForm, readForm, setBox, showFunction } from "./form.js";
import { BOX, PANELS, requestFrom, withDefaults } from "./state.js";
import { t, tn } from "../../lib/i18n.js";

const STREAM_URL = "/api/trajectories/stream";
const DEBOUNCE_MS = 250;
const RETRY_MS = 1000;
const MAX_RETRIES = 5;
const TEXT_INPUTS = ["x1", "x2", "steps", "seed", "expression", ...BOX.map((k) => `box-${k}`)];

class Lab2D {
  constructor(root, { functions, optimizers }) {
    this.root = root;
    this.form = $("lab-form");
    this.functions = byName(functions);
    this.optimizers = byName(optimizers);
    this.banner = createBanner();
    this.controller = null;
    this.timer = null;
    this.retries = 0;
    this.runCount = 0; // exposed as data-runs: tests (and curious users) can tell runs apart
    this.liveDraws = 0; // exposed as data-live-draws: answers drawn while a slider moved
    this.comparison = null;
    this.names = [];

    $("fn").append(...functions.map((f) => el("option", { value: f.name, text: f.label })));
    this.panels = PANELS.map((key, i) => createOptimizerPanel($(`panel-${key}`), {
      catalogue: optimizers,
      fieldPrefix: `runs[${i}]`,
      sliders: true,
      onChange: (kind) => this.edited(kind),
    }));
    this.charts = createLabCharts({
      contours: [$("contour-a"), $("contour-b")], values: $("chart-values"), rates: $("chart-lr"),
    });
    this.explainer = createExplainer($("explain-runs"), $("explain-t"), this.optimizers);
    this.player = createPlayback({
      last: () => this.lastFrame(),
      seek: (k) => {
        this.charts.showFrame(this.comparison, k);
        this.explainer.show(this.comparison, this.names, k);
      },
      ended: () => Boolean(this.comparison?.done),
    });
    this.live = createLiveRuns({
      request: () => this.liveRequest(),
      draw: (answer) => this.drawLive(answer),
      fail: (err) => this.failed(err),
      settle: () => this.run(),
      fallback: () => this.schedule(0),
    });
    this.bindControls();
  }

  async start() {
    await this.charts.init();
    this.charts.contours.forEach((chart) => chart.on("plotly_click", (event) => this.clickStart(chart, event)));
    this.charts.onStep((step) => {
      if (this.comparison && step !== this.player.frame) this.player.scrub(step);
    });
    this.applyState(withDefaults(readUrlState(), this.functions));
    onUrlStateChange((state) => {
      this.applyState(withDefaults(state, this.functions));
      this.run({ push: false });
    });
    this.run({ push: false });
  }

  bindControls() {
    $("fn").addEventListener("change", () => {
      const info = this.functions.get($("fn").value);
      $("x1").value = formatNumber(info.start[0]);
      $("x2").value = formatNumber(info.start[1]);
      setBox(null, info);
      showFunction(info);
      this.schedule(0);
    });
    for (const id of TEXT_INPUTS) $(id).addEventListener("input", () => this.schedule(DEBOUNCE_MS));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    $("overlay").addEventListener("change", () => {
      this.showOverlay($("overlay").checked);
      writeUrlState(this.currentState());
    });
    PANELS.forEach((key, which) => $(`surface-${key}`).addEventListener("change", async () => {
      await this.charts.setMode(which, $(`surface-${key}`).checked ? SURFACE : CONTOUR);
      if (this.comparison) this.charts.showFrame(this.comparison, this.player.frame);
    }));
  }

  /** A panel changed: typing waits a moment, a choice runs at once, a slider re-runs live. */
  edited(kind) {
    if (kind === "drag" || kind === "dragend") {
      clearTimeout(this.timer);
      this.controller?.abort();
      this.controller = null;
      if (kind === "drag") this.live.moved();
      else this.live.released();
      return;
    }
    this.live.stop();
    this.schedule(kind === "choice" ? 0 : DEBOUNCE_MS);
  }

  // --- state <-> form ----------------------------------------------------------------------

  applyState(state) {
    applyForm(state, this.functions.get(state.fn), this.panels);
    this.showOverlay($("overlay").checked);
  }

  currentState() {
    return readForm(this.functions, this.panels);
  }

  // --- running -----------------------------------------------------------------------------

  /** The form as a request, and whether the charts drawn now pose the same problem. */
  liveRequest() {
    clearFieldErrors(this.form);
    const state = this.currentState();
    const info = this.functions.get(state.fn);
    const { body, errors } = requestFrom(state, info);
    if (errors.length) {
      this.showErrors(errors);
      return { body: null };
    }
    this.showErrors([]);
    this.setStatus("running", t("following the slider…"));
    return { body, problem: Boolean(this.comparison?.done) && sameProblem(this.comparison.meta, body, info.box) };
  }

  /** A whole answer for the dragged settings: the same charts, new runs (resolves once drawn). */
  async drawLive(answer) {
    const before = this.comparison.meta.runs;
    this.comparison = fromAnswer(this.comparison.meta, answer);
    const changed = changedRuns(before, this.comparison.meta.runs);
    this.names = runNames(this.comparison.meta, this.optimizers);
    this.player.pause();
    const frame = this.player.following ? this.lastFrame() : Math.min(this.player.frame, this.lastFrame());
    this.showResults();
    await this.charts.replace(this.comparison, this.names, frame, changed);
    this.explainer.show(this.comparison, this.names, frame);
    this.player.changed();
    this.root.dataset.liveDraws = String(++this.liveDraws);
  }

  schedule(delay) {
    this.retries = 0;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  setStatus(state, text) {
    this.root.dataset.state = state;
    $("run-status").textContent = text;
    if (state !== "done") showLink($("run-link"), null);
  }

  showErrors(errors) {
    showFormErrors(this.form, $("form-errors"), errors);
  }

  async run({ push = true } = {}) {
    clearTimeout(this.timer);
    clearFieldErrors(this.form);
    this.showErrors([]);
    this.banner.show("");
    this.controller?.abort();
    this.controller = null;
    const state = this.currentState();
    const { body, errors } = requestFrom(state, this.functions.get(state.fn));
    if (errors.length) {
      this.showErrors(errors);
      this.setStatus("invalid", t("fix the marked fields"));
      return;
    }
    writeUrlState(state, { replace: !push });
    const { fn, expr, x1, x2, steps, seed } = state;
    showLink($("sweep-link"), sweepLink({ kind: "trajectory", fn, expr, x1, x2, steps, seed }, [state.a, state.b]));
    this.root.dataset.runs = String(++this.runCount);
    const controller = new AbortController();
    this.controller = controller;
    this.setStatus("running", t("running…"));
    const current = () => this.controller === controller;
    let finished = false;
    try {
      await postSSE(STREAM_URL, body, {
        signal: controller.signal,
        onEvent: (name, data) => {
          if (!current()) return;
          finished ||= name === "done";
          this.onEvent(name, data);
        },
      });
      if (!current()) return;
      await this.charts.flush();
      if (!current()) return;
      if (!finished) throw new ApiError(0, t("the stream ended before the run finished"));
      this.retries = 0;
      const steps = tn("{n} step", "{n} steps", this.comparison.meta.steps);
      const { storeError } = this.comparison;
      this.setStatus("done", storeError ? t("{steps} (not saved: {reason})", { steps, reason: storeError }) : steps);
      showLink($("run-link"), this.comparison.runId && `/runs/${encodeURIComponent(this.comparison.runId)}`);
    } catch (err) {
      if (current() && failureKind(err) !== "aborted") this.failed(err);
    }
  }

  failed(err) {
    const kind = failureKind(err);
    if (kind === "busy" && this.retries < MAX_RETRIES) {
      // Too many open streams from this browser (aborted ones take a moment to close): try again.
      this.retries += 1;
      this.setStatus("running", t("server busy, retrying…"));
      this.timer = setTimeout(() => this.run({ push: false }), RETRY_MS);
    } else if (kind === "invalid") {
      this.showErrors(fieldErrors(err));
      this.setStatus("invalid", t("the server refused a field"));
    } else {
      this.banner.error(err);
      this.setStatus("error", t("failed"));
    }
  }

  onEvent(name, data) {
    this.comparison = reduceComparison(this.comparison, name, data);
    if (!this.comparison) return;
    if (name === "meta") {
      this.player.reset();
      this.names = runNames(data, this.optimizers);
      this.charts.draw(this.comparison, this.names, this.functions.get(data.function), $("overlay").checked);
      this.showResults();
      this.player.changed();
    } else if (name === "step") {
      this.charts.extend(this.comparison, data);
      this.player.changed();
      this.player.grew();
    } else if (name === "done") {
      this.showResults();
    }
  }

  // --- results, playback, overlay -------------------------------------------------------------

  showResults() {
    const { runs, done } = this.comparison;
    runs.forEach((run, i) => {
      const item = $(`result-${PANELS[i]}`);
      const names = this.names[i];
      item.querySelector(".result-label").textContent = `${names.label} (${names.details}):`;
      item.querySelector(".result-line").textContent = done && run.points.length ? resultLine(run.points) : "…";
      showText(item.querySelector(".diverged"), run.status === "diverged" ? t("diverged at step {step}", { step: run.divergedAt }) : "");
    });
  }

  lastFrame() {
    return this.comparison ? lastFrame(this.comparison) : 0;
  }

  showOverlay(on) {
    $("contours").classList.toggle("overlay", on);
    $("figure-b").hidden = on;
    if (this.comparison) this.charts.overlay(on);
  }

  /** A click on a landscape: a new start point there (rounded to 0.01). */
  clickStart(chart, event) {
    const point = eventToData(chart.div, event.event) ?? event.points?.[0];
    if (!point || !Number.isFinite(point.x) || !Number.isFinite(point.y)) return;
    $("x1").value = formatNumber(Math.round(point.x * 100) / 100);
    $("x2").value = formatNumber(Math.round(point.y * 100) / 100);
    this.run();
  }
}

startView("lab2d", t("start the lab"), async (root) => {
  const catalogue = await loadCatalogue("functions", "optimizers");
  await new Lab2D(root, catalogue).start();
});
