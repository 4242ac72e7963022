// The 2D lab: two optimizers on one 2D function, streamed from POST /api/trajectories/stream.
// Form → (debounced) one SSE stream → contour paths, f(x_t) and effective rates grow live.
// The URL holds the whole form; back/forward and shared links restore it.

import { ApiError, fieldErrors, getJSON, isAbort, postSSE } from "./api.js";
import {
  baseLayout, createChart, eventToData, linkAxes, runColor, runLetter, seriesTrace, title,
} from "./charts.js";
import {
  clearFieldErrors, createOptimizerPanel, el, formatNumber, parseNumber, showFormErrors,
} from "./form.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "./state.js";

const STREAM_URL = "/api/trajectories/stream";
const DEBOUNCE_MS = 250;
const RETRY_MS = 1000;
const MAX_RETRIES = 5;
const MARKER_STEPS = 60; // longer runs are drawn as lines only
// The book's comparison: AdaGrad (7.5) vs RMSProp (7.6) on 0.1·x1² + 2·x2² from (−5, −2).
const DEFAULTS = {
  fn: "quadratic", steps: "20", seed: "0", overlay: "0",
  a: { opt: "adagrad", impl: "book", eta: "0.4" },
  b: { opt: "rmsprop", impl: "book", eta: "0.4", gamma: "0.9" },
};
const PANELS = ["a", "b"];
const CUSTOM = "custom"; // the function typed by the user, sent as `expression`
// The view box inputs, in the API's order [x1min, x1max, x2min, x2max]; in the URL only when edited.
const BOX = ["x1min", "x1max", "x2min", "x2max"];
const boxInput = (key) => $(`box-${key}`);
const DEFAULT_EXPRESSION = "0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)";
// Trace indices inside each contour chart.
const T = { contour: 0, path: [1, 2], marker: [3, 4], start: 5, minima: 6 };

const $ = (id) => document.getElementById(id);

// --- pure helpers --------------------------------------------------------------------------

/** A number as the book prints it: 6 decimals, and never "-0.000000". */
export function bookNumber(value) {
  const text = value.toFixed(6);
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
}

/** "epoch 20, x1 -0.010599, x2 0.000000" for the last point of a path. */
export function resultLine(points) {
  const t = points.length - 1;
  const [x1, x2] = points[t];
  return `epoch ${t}, x1 ${bookNumber(x1)}, x2 ${bookNumber(x2)}`;
}

const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", t: "ₜ" };
const SUP = { 2: "²", 3: "³", 4: "⁴" };

/** The API's LaTeX formulas as plain text: x_1^2 → x₁², \cos → cos, \pi → π. */
export function latexToText(latex) {
  return latex
    .replace(/\\(cos|sin|exp|log)/g, "$1")
    .replace(/\\pi/g, "π")
    .replace(/\\cdot/g, "·")
    .replace(/_\{?(\w)\}?/g, (_, c) => SUB[c] ?? `_${c}`)
    .replace(/\^\{?(\d)\}?/g, (_, d) => SUP[d] ?? `^${d}`)
    .replace(/\\,/g, " ")
    .replace(/[{}]/g, "");
}

function isObject(value) {
  return value !== null && typeof value === "object";
}

// --- the view -----------------------------------------------------------------------------

class Lab2D {
  constructor(root, functions, optimizers) {
    this.root = root;
    this.form = $("lab-form");
    this.functions = new Map(functions.map((f) => [f.name, f]));
    this.optimizers = new Map(optimizers.map((o) => [o.name, o]));
    this.controller = null;
    this.timer = null;
    this.retries = 0;
    this.runCount = 0; // exposed as data-runs: tests (and curious users) can tell runs apart
    this.meta = null;
    this.runs = [];
    this.frame = 0;
    this.follow = true;
    this.player = null;
    this.streamDone = false;
    this.runId = null;
    this.logValues = true;

    $("fn").append(...functions.map((f) => el("option", { value: f.name, text: f.label })));
    this.panels = PANELS.map((key, i) => createOptimizerPanel($(`panel-${key}`), {
      catalogue: optimizers,
      fieldPrefix: `runs[${i}]`,
      onChange: (kind) => this.schedule(kind === "choice" ? 0 : DEBOUNCE_MS),
    }));
    this.contours = [createChart($("contour-a")), createChart($("contour-b"))];
    this.values = createChart($("chart-values"));
    this.rates = createChart($("chart-lr"));
    this.bindControls();
  }

  async start() {
    const empty = baseLayout({
      title: title("waiting for the first run…"), xaxis: { visible: false }, yaxis: { visible: false },
    });
    await Promise.all([...this.contours, this.values, this.rates].map((c) => c.init([], empty)));
    linkAxes(this.contours);
    this.contours.forEach((chart) => chart.on("plotly_click", (event) => this.clickStart(chart, event)));
    this.applyState(this.withDefaults(readUrlState()));
    onUrlStateChange((state) => {
      this.applyState(this.withDefaults(state));
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
    for (const id of ["x1", "x2", "steps", "seed", "expression", ...BOX.map((k) => `box-${k}`)]) {
      $(id).addEventListener("input", () => this.schedule(DEBOUNCE_MS));
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    $("overlay").addEventListener("change", () => {
      this.showOverlay($("overlay").checked);
      writeUrlState(this.currentState());
    });
    $("play").addEventListener("click", () => (this.player ? this.pause() : this.play()));
    $("step-slider").addEventListener("input", () => {
      this.pause();
      const k = Number($("step-slider").value);
      this.follow = k >= this.lastFrame();
      this.setFrame(k);
    });
  }

  // --- state <-> form <-> URL --------------------------------------------------------------

  /** A URL state completed with the book's defaults (a panel keeps the default optimizer's values only). */
  withDefaults(url) {
    const fn = this.functions.has(url.fn) ? url.fn : DEFAULTS.fn;
    const start = this.functions.get(fn).start.map(formatNumber);
    const panel = (key) => {
      const given = isObject(url[key]) ? url[key] : {};
      const base = DEFAULTS[key];
      if (given.opt && given.opt !== base.opt) return given;
      return given.impl && given.impl !== base.impl ? { opt: base.opt, ...given } : { ...base, ...given };
    };
    return {
      fn,
      expr: fn === CUSTOM ? url.expr ?? DEFAULT_EXPRESSION : undefined,
      x1: url.x1 ?? start[0],
      x2: url.x2 ?? start[1],
      box: isObject(url.box) ? url.box : undefined,
      steps: url.steps ?? DEFAULTS.steps,
      seed: url.seed ?? DEFAULTS.seed,
      overlay: url.overlay ?? DEFAULTS.overlay,
      a: panel("a"),
      b: panel("b"),
    };
  }

  applyState(state) {
    $("fn").value = state.fn;
    this.showFunction(this.functions.get(state.fn));
    for (const id of ["x1", "x2", "steps", "seed"]) $(id).value = state[id];
    this.setBox(state.box, this.functions.get(state.fn));
    $("expression").value = state.expr ?? DEFAULT_EXPRESSION;
    this.panels.forEach((panel, i) => panel.setState(state[PANELS[i]]));
    $("overlay").checked = state.overlay === "1";
    this.showOverlay($("overlay").checked);
  }

  currentState() {
    const state = {
      fn: $("fn").value,
      expr: $("fn").value === CUSTOM ? $("expression").value : undefined,
      x1: $("x1").value.trim(),
      x2: $("x2").value.trim(),
      box: this.boxEdited() ? Object.fromEntries(BOX.map((k) => [k, boxInput(k).value.trim()])) : undefined,
      steps: $("steps").value.trim(),
      seed: $("seed").value.trim(),
      overlay: $("overlay").checked ? "1" : "0",
    };
    this.panels.forEach((panel, i) => { state[PANELS[i]] = panel.getState(); });
    return state;
  }

  /** The API body, or the fields that cannot be sent as typed. */
  readForm() {
    const errors = [];
    const number = (id, field) => {
      const parsed = parseNumber($(id).value);
      if (parsed.error) errors.push({ field, message: parsed.error });
      return parsed.value;
    };
    const start = [number("x1", "start[0]"), number("x2", "start[1]")];
    const steps = number("steps", "steps");
    const seed = number("seed", "seed");
    const runs = this.panels.map((panel) => {
      const { run, errors: panelErrors } = panel.read();
      errors.push(...panelErrors);
      return run;
    });
    const box = BOX.map((key, i) => number(`box-${key}`, `box[${i}]`));
    const body = { function: $("fn").value, start, steps, seed, runs };
    if (body.function === CUSTOM) body.expression = $("expression").value;
    if (box.some((value, i) => value !== this.functions.get(body.function).box[i])) body.box = box;
    return { body, errors };
  }

  /** Fill the view box from a URL state's `box` ({x1min, ...}), else with the function's own. */
  setBox(given, info) {
    BOX.forEach((key, i) => {
      boxInput(key).value = isObject(given) && typeof given[key] === "string" ? given[key] : formatNumber(info.box[i]);
    });
  }

  /** True when the view box differs from the function's default (then it is sent and kept in the URL). */
  boxEdited() {
    const info = this.functions.get($("fn").value);
    return BOX.some((key, i) => parseNumber(boxInput(key).value).value !== info.box[i]);
  }

  showFunction(info) {
    $("expression-field").hidden = info.name !== CUSTOM;
    if (info.grammar?.max_length) $("expression").maxLength = info.grammar.max_length;
    $("fn-formula").textContent = latexToText(info.latex);
    $("fn-formula").hidden = !info.latex;
    $("fn-note").textContent = info.note;
    $("fn-note").hidden = !info.note;
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
    if (state !== "done") this.showRunLink(null);
  }

  /** Link the stored comparison (`done` carries its id) to its permanent page. */
  showRunLink(runId) {
    const link = $("run-link");
    link.hidden = !runId;
    if (runId) link.href = `/runs/${encodeURIComponent(runId)}`;
    else link.removeAttribute("href");
  }

  showErrors(errors) {
    showFormErrors(this.form, $("form-errors"), errors);
  }

  showBanner(text) {
    $("banner").textContent = text;
    $("banner").hidden = !text;
  }

  async run({ push = true } = {}) {
    clearTimeout(this.timer);
    clearFieldErrors(this.form);
    this.showErrors([]);
    this.showBanner("");
    this.controller?.abort();
    this.controller = null;
    const { body, errors } = this.readForm();
    if (errors.length) {
      this.showErrors(errors);
      this.setStatus("invalid", "fix the marked fields");
      return;
    }
    writeUrlState(this.currentState(), { replace: !push });
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
          if (name === "meta") this.onMeta(data);
          else if (name === "step") this.onStep(data);
          else if (name === "done") {
            finished = true;
            this.onDone(data);
          }
        },
      });
      if (!current()) return;
      await Promise.all([...this.contours, this.values, this.rates].map((c) => c.flush()));
      if (!current()) return;
      if (!finished) throw new ApiError(0, "the stream ended before the run finished");
      this.retries = 0;
      this.setStatus("done", `${this.meta.steps} steps`);
      this.showRunLink(this.runId);
    } catch (err) {
      if (isAbort(err) || !current()) return;
      if (err instanceof ApiError && err.status === 429 && this.retries < MAX_RETRIES) {
        // Too many open streams from this browser (aborted ones take a moment to close): try again.
        this.retries += 1;
        this.setStatus("running", "server busy, retrying…");
        this.timer = setTimeout(() => this.run({ push: false }), RETRY_MS);
        return;
      }
      if (err instanceof ApiError && err.isValidation) {
        this.showErrors(fieldErrors(err));
        this.setStatus("invalid", "the server refused a field");
      } else {
        const what = err instanceof ApiError && err.status === 0 ? "Network error" : "Server error";
        this.showBanner(`${what}: ${err.message}`);
        this.setStatus("error", "failed");
      }
    }
  }

  onMeta(meta) {
    this.pause();
    this.meta = meta;
    this.runs = meta.runs.map(() => ({ points: [], values: [], lr: [], status: "ok", divergedAt: null }));
    this.streamDone = false;
    this.runId = null;
    this.follow = true;
    this.frame = 0;
    this.logValues = true;
    this.drawContours();
    this.drawCurves();
    this.showResults();
    this.updateSlider();
  }

  onStep({ first, runs }) {
    const xs = [];
    const ys = [];
    const valueX = [];
    const valueY = [];
    const rateX = [];
    const rateY = [];
    runs.forEach((part, i) => {
      const run = this.runs[i];
      run.points.push(...part.points);
      run.values.push(...part.values);
      run.lr.push(...part.lr_eff);
      run.status = part.status;
      run.divergedAt = part.diverged_at;
      xs.push(part.points.map((p) => p[0]));
      ys.push(part.points.map((p) => p[1]));
      valueX.push(part.values.map((_, j) => first + j));
      valueY.push(part.values);
      for (const c of [0, 1]) {
        rateX.push(part.lr_eff.map((_, j) => first + j));
        rateY.push(part.lr_eff.map((row) => row[c]));
      }
    });
    for (const chart of this.contours) chart.extend({ x: xs, y: ys }, T.path);
    this.values.extend({ x: valueX, y: valueY }, runs.map((_, i) => i));
    this.rates.extend({ x: rateX, y: rateY }, rateX.map((_, i) => i));
    if (this.logValues && runs.some((part) => part.values.some((v) => v <= 0))) {
      this.logValues = false; // log axis cannot show f ≤ 0 (saddle, an exact minimum)
      this.values.relayout({ "yaxis.type": "linear", "title.text": "objective f(xₜ) per step" });
    }
    this.updateSlider();
    if (this.follow) this.setFrame(this.lastFrame());
  }

  onDone(data) {
    this.streamDone = true;
    this.runId = data.run_id ?? null;
    this.showResults();
  }

  // --- drawing -----------------------------------------------------------------------------

  runName(i) {
    const config = this.meta.runs[i];
    const info = this.optimizers.get(config.optimizer);
    return `${runLetter(i)} · ${info?.label ?? config.optimizer}`;
  }

  runDetails(i) {
    const config = this.meta.runs[i];
    const info = this.optimizers.get(config.optimizer);
    const symbols = new Map((info?.hyperparams ?? []).map((hp) => [hp.name, hp.symbol]));
    const hps = Object.entries(config.hyperparams)
      .map(([name, value]) => `${symbols.get(name) ?? name}=${formatNumber(value)}`).join(", ");
    return `${config.impl === "torch" ? "torch.optim" : "book"}, ${hps}`;
  }

  contourTraces(which) {
    const meta = this.meta;
    const info = this.functions.get(meta.function);
    const z = info.log_contours
      ? meta.contour.z.map((row) => row.map((v) => (v === null ? null : Math.log10(1 + Math.max(v, 0)))))
      : meta.contour.z;
    const overlay = $("overlay").checked;
    const traces = [{
      type: "contour", x: meta.contour.x1, y: meta.contour.x2, z, ncontours: 24,
      colorscale: [[0, "#f8fafc"], [0.5, "#cbd5e1"], [1, "#64748b"]],
      contours: { coloring: "heatmap", showlines: true },
      line: { color: "rgba(30, 41, 59, 0.35)", width: 0.6 },
      showscale: false, showlegend: false,
      hovertemplate: `x₁ %{x:.3f}<br>x₂ %{y:.3f}<br>${info.log_contours ? "log₁₀(1+f)" : "f"} %{z:.4g}<extra></extra>`,
    }];
    const shown = (i) => i === which || overlay;
    meta.runs.forEach((_, i) => traces.push(seriesTrace({
      name: this.runName(i), color: runColor(i), mode: meta.steps <= MARKER_STEPS ? "lines+markers" : "lines",
      visible: shown(i), legendgroup: `run${i}`,
      hovertemplate: `${runLetter(i)} step %{pointNumber}<br>x₁ %{x:.6f}<br>x₂ %{y:.6f}<extra></extra>`,
    })));
    meta.runs.forEach((_, i) => traces.push({
      type: "scatter", mode: "markers", x: [meta.start[0]], y: [meta.start[1]], visible: shown(i),
      name: `${runLetter(i)} now`, showlegend: false, legendgroup: `run${i}`, hoverinfo: "skip",
      marker: { size: 15, color: "rgba(255,255,255,0.6)", line: { color: runColor(i), width: 3 } },
    }));
    traces.push({
      type: "scatter", mode: "markers", name: "start", x: [meta.start[0]], y: [meta.start[1]],
      marker: { symbol: "x-thin", size: 12, line: { color: "#111827", width: 2.5 }, color: "#111827" },
      hovertemplate: "start (%{x}, %{y})<extra></extra>",
    });
    traces.push({
      type: "scatter", mode: "markers", name: info.minima.length > 1 ? "minima" : "minimum",
      x: info.minima.map((m) => m[0]), y: info.minima.map((m) => m[1]),
      marker: { symbol: "star", size: 14, color: "#facc15", line: { color: "#111827", width: 1 } },
      hovertemplate: "minimum (%{x}, %{y})<extra></extra>",
      visible: info.minima.length > 0, showlegend: info.minima.length > 0,
    });
    return traces;
  }

  contourTitle(which) {
    if ($("overlay").checked && which === 0) return `${this.runName(0)} and ${this.runName(1)}`;
    return `${this.runName(which)} (${this.runDetails(which)})`;
  }

  contourLayout(which) {
    const [x0, x1, y0, y1] = this.meta.box;
    return baseLayout({
      title: title(this.contourTitle(which)),
      uirevision: `${this.meta.function}:${this.meta.box.join(",")}`,
      xaxis: { range: [x0, x1], title: { text: "x₁" }, gridcolor: "rgba(0,0,0,0)" },
      yaxis: { range: [y0, y1], title: { text: "x₂" }, gridcolor: "rgba(0,0,0,0)" },
      margin: { t: 40 },
    });
  }

  drawContours() {
    this.contours.forEach((chart, which) => chart.reset(this.contourTraces(which), this.contourLayout(which)));
  }

  drawCurves() {
    const meta = this.meta;
    const mode = meta.steps <= MARKER_STEPS ? "lines+markers" : "lines";
    const values = meta.runs.map((_, i) => seriesTrace({
      name: this.runName(i), color: runColor(i), mode,
      hovertemplate: `${runLetter(i)} step %{x}: f %{y:.6g}<extra></extra>`,
    }));
    const rates = meta.runs.flatMap((_, i) => ["x₁", "x₂"].map((coord, c) => seriesTrace({
      name: `${this.runName(i)}, ${coord}`, color: runColor(i), dash: c ? "dash" : "solid", mode,
      marker: { symbol: c ? "diamond" : "circle", size: 5, color: runColor(i) },
      hovertemplate: `${runLetter(i)} ${coord} step %{x}: %{y:.4g}<extra></extra>`,
    })));
    const steps = { title: { text: "step t" }, range: [0, meta.steps], autorange: false };
    this.values.reset(values, baseLayout({
      title: title("objective f(xₜ) per step (log scale)"),
      uirevision: meta.steps,
      xaxis: steps,
      yaxis: { type: "log", title: { text: "f(xₜ)" }, exponentformat: "power" },
    }));
    this.rates.reset(rates, baseLayout({
      title: title("effective learning rate per coordinate (log scale)"),
      uirevision: meta.steps,
      xaxis: { ...steps, range: [0, meta.steps] },
      yaxis: { type: "log", title: { text: "step size" }, exponentformat: "power" },
    }));
  }

  showOverlay(on) {
    $("contours").classList.toggle("overlay", on);
    $("figure-b").hidden = on;
    if (!this.meta) return;
    const chart = this.contours[0];
    chart.restyle({ visible: [on] }, [T.path[1]]);
    chart.restyle({ visible: [on] }, [T.marker[1]]);
    chart.relayout({ "title.text": this.contourTitle(0) });
    chart.resize();
    if (!on) this.contours[1].resize();
  }

  showResults() {
    this.runs.forEach((run, i) => {
      const item = $(`result-${PANELS[i]}`);
      item.querySelector(".result-label").textContent = `${this.runName(i).slice(4)} (${this.runDetails(i)}):`;
      item.querySelector(".result-line").textContent = this.streamDone && run.points.length ? resultLine(run.points) : "…";
      const diverged = item.querySelector(".diverged");
      diverged.hidden = run.status !== "diverged";
      diverged.textContent = run.status === "diverged" ? `diverged at step ${run.divergedAt}` : "";
    });
  }

  // --- playback ----------------------------------------------------------------------------

  lastFrame() {
    return Math.max(0, ...this.runs.map((r) => r.points.length - 1));
  }

  updateSlider() {
    $("step-slider").max = String(this.lastFrame());
  }

  setFrame(k) {
    this.frame = k;
    $("step-slider").value = String(k);
    $("step-label").textContent = `step ${k} / ${this.lastFrame()}`;
    const at = this.runs.map((run) => run.points[Math.min(k, run.points.length - 1)] ?? this.meta.start);
    const update = { x: at.map((p) => [p[0]]), y: at.map((p) => [p[1]]) };
    for (const chart of this.contours) chart.restyle(update, T.marker);
    const cursor = {
      shapes: [{
        type: "line", xref: "x", yref: "paper", x0: k, x1: k, y0: 0, y1: 1,
        line: { color: "#6b7280", width: 1, dash: "dot" },
      }],
    };
    this.values.relayout(cursor);
    this.rates.relayout(cursor);
  }

  play() {
    const last = this.lastFrame();
    if (last === 0) return;
    if (this.frame >= last) this.setFrame(0);
    this.follow = false;
    const interval = Math.min(250, Math.max(40, 4000 / last));
    const stride = Math.max(1, Math.ceil((last * interval) / 4000));
    this.player = setInterval(() => {
      const next = Math.min(this.frame + stride, this.lastFrame());
      this.setFrame(next);
      if (next >= this.lastFrame() && this.streamDone) {
        this.pause();
        this.follow = true;
      }
    }, interval);
    $("play").textContent = "❚❚ Pause";
    $("play").setAttribute("aria-pressed", "true");
  }

  pause() {
    if (!this.player) return;
    clearInterval(this.player);
    this.player = null;
    $("play").textContent = "▶ Play";
    $("play").setAttribute("aria-pressed", "false");
  }

  // --- click on a contour: new start point ---------------------------------------------------

  clickStart(chart, event) {
    const point = eventToData(chart.div, event.event) ?? event.points?.[0];
    if (!point || !Number.isFinite(point.x) || !Number.isFinite(point.y)) return;
    $("x1").value = formatNumber(Math.round(point.x * 100) / 100);
    $("x2").value = formatNumber(Math.round(point.y * 100) / 100);
    this.run();
  }
}

async function main() {
  const root = $("lab2d");
  try {
    const [functions, optimizers] = await Promise.all([getJSON("/api/functions"), getJSON("/api/optimizers")]);
    await new Lab2D(root, functions, optimizers).start();
  } catch (err) {
    $("banner").textContent = `Could not start the lab: ${err.message}`;
    $("banner").hidden = false;
    root.dataset.state = "error";
  }
}

main();
