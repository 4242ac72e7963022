// The Sweep view's form, wired: problem (2D function or training), the two axes, the metric and the
// optimizer panels A and B. It reads and writes the form state of state.js; it runs nothing.

import { $, el } from "../../lib/dom.js";
import { createOptimizerPanel } from "../../lib/form.js";
import { datasetName } from "../../lib/labels.js";
import { formatNumber } from "../../lib/format.js";
import { CUSTOM, NONE, PANELS, START_PARAMS, baseFor, sweepableParams } from "./state.js";
import { METRICS, WORDS, paramLabel } from "./words.js";

const AXES = ["x", "y"];
const TRAJECTORY_TEXTS = ["x1", "x2", "steps"];
const TRAINING_TEXTS = ["batch_size", "epochs"];

/**
 * The form over the template's inputs. `catalogues`: {functions (by name), optimizers (list and by
 * name), datasets}; `onChange()` after every edit. get() and set(form) move the state of state.js.
 */
export function createSweepForm({ functions, optimizerList, optimizers, datasets, symbols, onChange }) {
  let kind = "trajectory";
  let mode = "grid";
  $("fn").append(...[...functions.values()].map((f) => el("option", { value: f.name, text: f.label })));
  $("dataset").append(...datasets.filter((d) => d.available).map((d) => el("option", { value: d.id, text: datasetName(d) })));
  const panels = Object.fromEntries(PANELS.map((key) => [key, null]));

  function makePanel(key, context) {
    const container = $(`panel-${key}`);
    for (const node of container.querySelectorAll(":scope > :not(legend)")) node.remove();
    panels[key] = createOptimizerPanel(container, {
      catalogue: optimizerList, fieldPrefix: key, context,
      onChange: (what) => {
        if (what === "choice") refreshParams();
        onChange();
      },
    });
  }

  function showKind() {
    $("problem-trajectory").hidden = kind !== "trajectory";
    $("problem-training").hidden = kind !== "training";
    $("basin-toggle").hidden = kind !== "trajectory";
    $("basin").checked = mode === "basin";
    $("start-group").hidden = mode === "basin";
    $("expression-field").hidden = kind !== "trajectory" || $("fn").value !== CUSTOM;
    const hasMinima = (functions.get($("fn").value)?.minima.length ?? 0) > 0;
    const metrics = METRICS[kind].filter((m) => !m.basin || hasMinima);
    $("metric").replaceChildren(...metrics.map((m) => el("option", { value: m.name, text: m.label })));
    $("click-hint").textContent = kind === "training" ? WORDS.clickHintTraining : WORDS.clickHint;
  }

  /** The axis menus offer what both optimizers have; a panel's swept inputs are disabled. */
  function refreshParams() {
    const infos = PANELS.map((key) => (key === "b" && !$("use-b").checked ? null : optimizers.get(panelState(key).opt)));
    const names = sweepableParams(infos, kind);
    for (const axis of AXES) {
      const select = $(`${axis}-param`);
      const current = select.value;
      select.replaceChildren(...names.map((n) => el("option", { value: n, text: paramLabel(n, symbols) })));
      if (names.includes(current)) select.value = current;
    }
    markSwept();
  }

  function markSwept() {
    const swept = new Set(AXES.map((axis) => $(`${axis}-param`).value));
    for (const key of PANELS) {
      for (const field of $(`panel-${key}`).querySelectorAll("[data-field*='.hyperparams.']")) {
        const name = field.dataset.field.split(".").pop();
        const input = field.querySelector("input");
        input.disabled = swept.has(name);
        input.title = swept.has(name) ? WORDS.swept : input.title;
      }
    }
    $("panel-b").classList.toggle("off", !$("use-b").checked);
  }

  function panelState(key) {
    return panels[key].getState();
  }

  function set(form) {
    kind = form.kind;
    mode = form.mode;
    $("kind").value = kind;
    if (kind === "trajectory") {
      $("fn").value = form.fn;
      $("expression").value = form.expr ?? "";
      for (const id of TRAJECTORY_TEXTS) $(id).value = form[id];
    } else {
      if ([...$("dataset").options].some((o) => o.value === form.dataset)) $("dataset").value = form.dataset;
      for (const id of TRAINING_TEXTS) $(id).value = form[id];
      $("device").value = form.device;
    }
    $("seed").value = form.seed;
    const context = kind === "training" ? "training" : "2d";
    makePanel("a", context);
    makePanel("b", context);
    panels.a.setState(form.a);
    $("use-b").checked = form.b.opt !== NONE;
    panels.b.setState(form.b.opt === NONE ? baseFor(kind, mode).b : form.b);
    showKind();
    refreshParams();
    for (const axis of AXES) {
      const select = $(`${axis}-param`);
      if ([...select.options].some((o) => o.value === form[axis].param)) select.value = form[axis].param;
      for (const part of ["from", "to", "n"]) $(`${axis}-${part}`).value = form[axis][part] ?? "";
      $(`${axis}-scale`).value = form[axis].scale;
    }
    if ([...$("metric").options].some((o) => o.value === form.metric)) $("metric").value = form.metric;
    markSwept();
  }

  function get() {
    const form = { kind, mode, seed: $("seed").value.trim(), metric: $("metric").value };
    if (kind === "trajectory") {
      form.fn = $("fn").value;
      if (form.fn === CUSTOM) form.expr = $("expression").value;
      for (const id of TRAJECTORY_TEXTS) form[id] = $(id).value.trim();
    } else {
      form.dataset = $("dataset").value;
      for (const id of TRAINING_TEXTS) form[id] = $(id).value.trim();
      form.device = $("device").value;
    }
    form.a = panelState("a");
    form.b = $("use-b").checked ? panelState("b") : { opt: NONE };
    for (const axis of AXES) {
      form[axis] = { param: $(`${axis}-param`).value, scale: $(`${axis}-scale`).value };
      for (const part of ["from", "to", "n"]) form[axis][part] = $(`${axis}-${part}`).value.trim();
    }
    return form;
  }

  /** A new function: its start; in a basin map, axes over its box. */
  function functionChanged() {
    const info = functions.get($("fn").value);
    $("x1").value = formatNumber(info.start[0]);
    $("x2").value = formatNumber(info.start[1]);
    if (mode === "basin") {
      [$("x-from").value, $("x-to").value, $("y-from").value, $("y-to").value] = info.box.map(formatNumber);
    }
    showKind();
  }

  for (const id of ["seed", "expression", ...TRAJECTORY_TEXTS, ...TRAINING_TEXTS]) $(id).addEventListener("input", onChange);
  for (const axis of AXES) {
    for (const part of ["from", "to", "n"]) $(`${axis}-${part}`).addEventListener("input", onChange);
    for (const part of ["param", "scale"]) {
      $(`${axis}-${part}`).addEventListener("change", () => {
        markSwept();
        onChange();
      });
    }
  }
  $("fn").addEventListener("change", () => {
    functionChanged();
    onChange();
  });
  for (const id of ["dataset", "device", "metric"]) $(id).addEventListener("change", onChange);
  $("use-b").addEventListener("change", () => {
    refreshParams();
    onChange();
  });

  return { get, set, get kind() { return kind; }, isStartSweep: () => AXES.every((a) => START_PARAMS.includes($(`${a}-param`).value)) };
}
