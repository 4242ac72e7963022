// The 2D lab: two optimizers on one 2D function, streamed from POST /api/trajectories/stream.
// Form → (debounced) one SSE stream → contour paths, f(x_t) and effective rates grow live.
// The URL holds the whole form (state.js); back/forward and shared links restore it.

import { ApiError, fieldErrors, postSSE } from "../../lib/api.js";
import { byName, loadCatalogue } from "../../lib/catalogue.js";
import { $, el, showLink, showText } from "../../lib/dom.js";
import { clearFieldErrors, createOptimizerPanel, showFormErrors } from "../../lib/form.js";
import { formatNumber, resultLine } from "../../lib/format.js";
import { showFormulas } from "../../lib/math.js";
import { createBanner, failureKind, startView } from "../../lib/messages.js";
import { createPlayer } from "../../lib/player.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "../../lib/url-state.js";
import { eventToData } from "../../plots/chart.js";
import { createLabCharts } from "./charts.js";
import { createExplainer } from "./explain.js";
import { lastFrame, reduceComparison, runNames } from "./comparison.js";
import { BOX, CUSTOM, DEFAULT_EXPRESSION, PANELS, boxEdited, boxTexts, requestFrom, withDefaults } from "./state.js";

const STREAM_URL = "/api/trajectories/stream";
const DEBOUNCE_MS = 250;
const RETRY_MS = 1000;
const MAX_RETRIES = 5;
const TEXT_INPUTS = ["x1", "x2", "steps", "seed", "expression", ...BOX.map((k) => `box-${k}`)];
const boxInput = (key) => $(`box-${key}`);

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
    this.comparison = null;
    this.names = [];

    $("fn").append(...functions.map((f) => el("option", { value: f.name, text: f.label })));
    this.panels = PANELS.map((key, i) => createOptimizerPanel($(`panel-${key}`), {
      catalogue: optimizers,
      fieldPrefix: `runs[${i}]`,
      onChange: (kind) => this.schedule(kind === "choice" ? 0 : DEBOUNCE_MS),
    }));
    this.charts = createLabCharts({
      contours: [$("contour-a"), $("contour-b")], values: $("chart-values"), rates: $("chart-lr"),
    });
    this.explainer = createExplainer($("explain-runs"), $("explain-t"), this.optimizers);
    this.player = createPlayer({
      last: () => this.lastFrame(),
      seek: (k) => this.showFrame(k),
      ended: () => Boolean(this.comparison?.done),
      onPlaying: (playing) => {
        $("play").textContent = playing ? "❚❚ Pause" : "▶ Play";
        $("play").setAttribute("aria-pressed", String(playing));
      },
    });
    this.bindControls();
  }

  async start() {
    await this.charts.init();
    this.charts.contours.forEach((chart) => chart.on("plotly_click", (event) => this.clickStart(chart, event)));
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
      this.setBox(null, info);
      this.showFunction(info);
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
    $("play").addEventListener("click", () => this.player.toggle());
    $("step-slider").addEventListener("input", () => this.player.scrub(Number($("step-slider").value)));
  }

  // --- state <-> form ----------------------------------------------------------------------

  applyState(state) {
    const info = this.functions.get(state.fn);
    $("fn").value = state.fn;
    this.showFunction(info);
    for (const id of ["x1", "x2", "steps", "seed"]) $(id).value = state[id];
    this.setBox(state.box, info);
    $("expression").value = state.expr ?? DEFAULT_EXPRESSION;
    this.panels.forEach((panel, i) => panel.setState(state[PANELS[i]]));
    $("overlay").checked = state.overlay === "1";
    this.showOverlay($("overlay").checked);
  }

  currentState() {
    const fn = $("fn").value;
    const box = Object.fromEntries(BOX.map((k) => [k, boxInput(k).value.trim()]));
    const state = {
      fn,
      expr: fn === CUSTOM ? $("expression").value : undefined,
      x1: $("x1").value.trim(),
      x2: $("x2").value.trim(),
      box: boxEdited(box, this.functions.get(fn)) ? box : undefined,
      steps: $("steps").value.trim(),
      seed: $("seed").value.trim(),
      overlay: $("overlay").checked ? "1" : "0",
    };
    this.panels.forEach((panel, i) => { state[PANELS[i]] = panel.getState(); });
    return state;
  }

  setBox(given, info) {
    const texts = boxTexts(given, info);
    for (const key of BOX) boxInput(key).value = texts[key];
  }

  showFunction(info) {
    $("expression-field").hidden = info.name !== CUSTOM;
    if (info.grammar?.max_length) $("expression").maxLength = info.grammar.max_length;
    showFormulas($("fn-formula"), [{ latex: info.latex, mathml: info.mathml }]);
    showText($("fn-note"), info.note);
  }

  // --- running -----------------------------------------------------------------------------

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
      this.setStatus("invalid", "fix the marked fields");
      return;
    }
    writeUrlState(state, { replace: !push });
    this.root.dataset.runs = String(++this.runCount);
    const controller = new AbortController();
    this.controller = controller;
    this.setStatus("running", "running…");
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
      if (!finished) throw new ApiError(0, "the stream ended before the run finished");
      this.retries = 0;
      const unsaved = this.comparison.storeError ? ` (not saved: ${this.comparison.storeError})` : "";
      this.setStatus("done", `${this.comparison.meta.steps} steps${unsaved}`);
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
      this.setStatus("running", "server busy, retrying…");
      this.timer = setTimeout(() => this.run({ push: false }), RETRY_MS);
    } else if (kind === "invalid") {
      this.showErrors(fieldErrors(err));
      this.setStatus("invalid", "the server refused a field");
    } else {
      this.banner.error(err);
      this.setStatus("error", "failed");
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
      this.updateSlider();
    } else if (name === "step") {
      this.charts.extend(data);
      this.updateSlider();
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
      showText(item.querySelector(".diverged"), run.status === "diverged" ? `diverged at step ${run.divergedAt}` : "");
    });
  }

  lastFrame() {
    return this.comparison ? lastFrame(this.comparison) : 0;
  }

  updateSlider() {
    $("step-slider").max = String(this.lastFrame());
  }

  showFrame(k) {
    $("step-slider").value = String(k);
    $("step-label").textContent = `step ${k} / ${this.lastFrame()}`;
    this.charts.showFrame(this.comparison, k);
    this.explainer.show(this.comparison, this.names, k);
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

startView("lab2d", "start the lab", async (root) => {
  const catalogue = await loadCatalogue("functions", "optimizers");
  await new Lab2D(root, catalogue).start();
});
