// The Sweep view's state, pure: the form as strings (its URL form), the defaults, the API bodies
// it makes (one sweep per optimizer, A and B, on the same axes), and where a cell's full run opens.
//   {kind: "trajectory"|"training", mode: "grid"|"basin",
//    fn, expr?, x1, x2, steps, seed            (kind trajectory: the 2D lab's problem)
//    dataset, batch_size, epochs, device       (kind training: the Training view's)
//    a: {opt, impl, <hyper-parameter>: text}, b: {...} or {opt: "none"},
//    x: {param, from, to, n, scale}, y: {...}, metric, sa?, sb? (the sweeps shown)}

import { isObject } from "../../lib/json.js";
import { formatNumber } from "../../lib/format.js";
import { numberReader, runRequest } from "../../lib/form.js";
import { toQuery } from "../../lib/url-state.js";

export const KINDS = ["trajectory", "training"];
export const PANELS = ["a", "b"];
export const NONE = "none"; // optimizer B left out: one heatmap
export const START_PARAMS = ["x1", "x2"];
export const CUSTOM = "custom";
const SCALES = ["linear", "log"];
const DEVICES = ["auto", "cpu", "cuda"];

// RMSProp against momentum over (η, γ) on the book's quadratic (7.4, 7.6); the same pair trained on
// airfoil; and a basin map of Himmelblau's four minima, gradient descent against Adam.
const BASE = {
  trajectory: {
    fn: "quadratic", steps: "20", seed: "0",
    a: { opt: "rmsprop", impl: "book" }, b: { opt: "momentum", impl: "book" },
    x: { param: "eta", from: "0.01", to: "2", n: "64", scale: "log" },
    y: { param: "gamma", from: "0", to: "0.99", n: "64", scale: "linear" },
    metric: "final_value",
  },
  basin: {
    fn: "himmelblau", steps: "200", seed: "0",
    a: { opt: "gd", impl: "book", eta: "0.01" }, b: { opt: "adam", impl: "book", eta: "0.1" },
    x: { param: "x1", n: "64", scale: "linear" }, y: { param: "x2", n: "64", scale: "linear" },
    metric: "minimum",
  },
  training: {
    dataset: "airfoil", batch_size: "10", epochs: "2", seed: "0", device: "auto",
    a: { opt: "rmsprop", impl: "book" }, b: { opt: "momentum", impl: "book" },
    x: { param: "eta", from: "0.001", to: "1", n: "32", scale: "log" },
    y: { param: "gamma", from: "0", to: "0.99", n: "32", scale: "linear" },
    metric: "final_loss",
  },
};

const given = (url, key) => (isObject(url[key]) ? url[key] : {});

/** The defaults of a kind and mode, the axes of a basin map spanning the function's box. */
export function baseFor(kind, mode, info = null) {
  const base = structuredClone(kind === "training" ? BASE.training : mode === "basin" ? BASE.basin : BASE.trajectory);
  if (kind !== "training" && mode === "basin" && info) {
    const box = info.box.map(formatNumber);
    Object.assign(base.x, { from: box[0], to: box[1] });
    Object.assign(base.y, { from: box[2], to: box[3] });
  }
  return base;
}

/** A URL state completed with the defaults; `functions` is the catalogue by name. */
export function withDefaults(url, functions) {
  const kind = KINDS.includes(url.kind) ? url.kind : "trajectory";
  const mode = kind === "trajectory" && url.mode === "basin" ? "basin" : "grid";
  const fnGiven = kind === "trajectory" && functions.has(url.fn) ? url.fn : null;
  const base = baseFor(kind, mode, functions.get(fnGiven ?? baseFor(kind, mode).fn));
  const form = { kind, mode, seed: url.seed ?? base.seed, metric: url.metric ?? base.metric };
  if (kind === "trajectory") {
    const fn = fnGiven ?? base.fn;
    const start = functions.get(fn)?.start.map(formatNumber) ?? ["0", "0"];
    Object.assign(form, { fn, expr: fn === CUSTOM ? url.expr ?? "" : undefined, x1: url.x1 ?? start[0] });
    Object.assign(form, { x2: url.x2 ?? start[1], steps: url.steps ?? base.steps });
  } else {
    Object.assign(form, {
      dataset: url.dataset ?? base.dataset, batch_size: url.batch_size ?? base.batch_size,
      epochs: url.epochs ?? base.epochs, device: DEVICES.includes(url.device) ? url.device : base.device,
    });
  }
  for (const key of PANELS) form[key] = given(url, key).opt ? { ...given(url, key) } : { ...base[key] };
  for (const key of ["x", "y"]) {
    const axis = { ...base[key], ...given(url, key) };
    if (!SCALES.includes(axis.scale)) axis.scale = "linear";
    form[key] = axis;
  }
  if (url.sa) form.sa = url.sa;
  if (url.sb) form.sb = url.sb;
  return form;
}

/** The URL state of a form, with the ids of the sweeps it shows. */
export function toUrl(form, ids = {}) {
  const state = { ...form, sa: ids.a ?? undefined, sb: ids.b ?? undefined };
  if (state.kind !== "trajectory" || state.fn !== CUSTOM) delete state.expr;
  return state;
}

/** The names an axis may sweep with optimizers `infos` ([A, B?] catalogue entries): those all have. */
export function sweepableParams(infos, kind) {
  const [first, ...rest] = infos.filter(Boolean);
  if (!first) return [];
  const names = first.hyperparams.map((hp) => hp.name).filter((n) => rest.every((o) => o.hyperparams.some((hp) => hp.name === n)));
  return kind === "trajectory" ? [...names, ...START_PARAMS] : names;
}

/** The axis as the API takes it; typed numbers read with `number` (errors named axes[i].…). */
function axisRequest(axis, i, number) {
  const out = { param: axis.param, scale: axis.scale };
  out.from = number(axis.from, `axes[${i}].from`);
  out.to = number(axis.to, `axes[${i}].to`);
  out.n = number(axis.n, `axes[${i}].n`);
  return out;
}

/** The sweep body of panel `key` (the problem and axes shared), its errors named as the page names them. */
function sweepBody(form, key, shared, errors) {
  const swept = new Set([form.x.param, form.y.param]);
  const fixed = Object.fromEntries(Object.entries(form[key]).filter(([name]) => !swept.has(name)));
  const run = runRequest(fixed, key, errors);
  return { kind: form.kind, optimizer: run.optimizer, impl: run.impl, hyperparams: run.hyperparams, ...shared };
}

/** The API bodies of a form: {bodies: [A, B?], errors: [{field, message}]} (B when not "none"). */
export function requestsFrom(form) {
  const errors = [];
  const number = numberReader(errors);
  const shared = { axes: [axisRequest(form.x, 0, number), axisRequest(form.y, 1, number)] };
  shared.seed = number(form.seed, "seed");
  if (form.kind === "trajectory") {
    Object.assign(shared, { function: form.fn, steps: number(form.steps, "steps") });
    if (!START_PARAMS.includes(form.x.param) || !START_PARAMS.includes(form.y.param)) {
      shared.start = [number(form.x1, "start[0]"), number(form.x2, "start[1]")];
    } else {
      shared.start = undefined;
    }
    if (form.fn === CUSTOM) shared.expression = form.expr;
  } else {
    Object.assign(shared, { dataset: form.dataset, device: form.device });
    shared.batch_size = number(form.batch_size, "batch_size");
    shared.epochs = number(form.epochs, "epochs");
  }
  const keys = form.b?.opt && form.b.opt !== NONE ? PANELS : ["a"];
  const bodies = keys.map((key) => sweepBody(form, key, shared, errors));
  for (const body of bodies) if (body.start === undefined) delete body.start;
  return { bodies, errors };
}

/** A field the API named for sweep `key` as the page names it: the optimizer's own fields carry the panel. */
export function pageField(field, key) {
  return field === "optimizer" || field === "impl" || field.startsWith("hyperparams") ? `${key}.${field}` : field;
}

/** A cell's run: {optimizer, impl, hyperparams, start} from a sweep's meta (or answer) and its row and column. */
export function cellRun(sweep, r, c) {
  const [x, y] = sweep.axes;
  const hyperparams = { ...sweep.hyperparams };
  const start = sweep.problem.start ? [...sweep.problem.start] : null;
  for (const [axis, value] of [[x, x.values[c]], [y, y.values[r]]]) {
    const at = START_PARAMS.indexOf(axis.param);
    if (at >= 0) start[at] = value;
    else hyperparams[axis.param] = value;
  }
  return { optimizer: sweep.optimizer, impl: sweep.impl, hyperparams, start };
}

function panelOf(run) {
  const panel = { opt: run.optimizer, impl: run.impl };
  for (const [name, value] of Object.entries(run.hyperparams)) panel[name] = formatNumber(value);
  return panel;
}

/**
 * Where cell (r, c) opens, run: the 2D lab (or the Training view) with run A the cell of sweep A
 * and run B the same cell of sweep B (when there is one). `info`: the function's catalogue entry.
 */
export function cellLink(sweeps, r, c, info = null) {
  const [first] = sweeps;
  const problem = first.problem;
  const runs = sweeps.map((sweep) => cellRun(sweep, r, c));
  const state = {};
  if (first.kind === "training") {
    Object.assign(state, {
      dataset: problem.dataset, batch_size: String(problem.batch_size), epochs: String(problem.epochs),
      seed: String(problem.seed), device: problem.device,
    });
  } else {
    const start = runs[0].start.map(formatNumber);
    Object.assign(state, { fn: problem.function, x1: start[0], x2: start[1] });
    if (problem.function === CUSTOM) state.expr = problem.expression;
    Object.assign(state, { steps: String(problem.steps), seed: String(problem.seed) });
    const box = problem.box;
    if (box && info && box.some((v, i) => v !== info.box[i])) {
      state.box = { x1min: formatNumber(box[0]), x1max: formatNumber(box[1]), x2min: formatNumber(box[2]), x2max: formatNumber(box[3]) };
    }
  }
  runs.forEach((run, i) => { state[PANELS[i]] = panelOf(run); });
  if (first.kind === "training") state.run = "1"; // the Training view trains it at once
  return `${first.kind === "training" ? "/training" : "/"}?${toQuery(state)}`;
}

/**
 * The book's setting on a sweep's axes, or null when an axis does not reach it: the optimizer's
 * default (2D or training) for a hyper-parameter, the problem's start for x₁, x₂.
 */
export function bookSetting(sweep, info) {
  const values = {};
  for (const axis of sweep.axes) {
    const at = START_PARAMS.indexOf(axis.param);
    let value;
    if (at >= 0) value = sweep.problem.start?.[at];
    else {
      const hp = info?.hyperparams.find((h) => h.name === axis.param);
      value = hp && (sweep.kind === "training" ? hp.training_default : hp.default);
    }
    const low = Math.min(...axis.values);
    const high = Math.max(...axis.values);
    if (typeof value !== "number" || value < low || value > high) return null;
    values[axis.param] = value;
  }
  return values;
}

function axisForm(axis) {
  const values = axis.values;
  return {
    param: axis.param, from: formatNumber(values[0]), to: formatNumber(values[values.length - 1]),
    n: String(values.length), scale: axis.scale,
  };
}

/** The form that makes `sweeps` again (a stored sweep's page, a reload on a bare link). */
export function formFromSweeps(sweeps) {
  const [first, second] = sweeps;
  const p = first.problem;
  const [x, y] = first.axes;
  const basin = START_PARAMS.includes(x.param) && START_PARAMS.includes(y.param);
  const form = { kind: first.kind, mode: basin ? "basin" : "grid", seed: String(p.seed), x: axisForm(x), y: axisForm(y) };
  if (first.kind === "training") {
    Object.assign(form, { dataset: p.dataset, batch_size: String(p.batch_size), epochs: String(p.epochs), device: p.device });
  } else {
    const start = p.start.map(formatNumber);
    Object.assign(form, { fn: p.function, x1: start[0], x2: start[1], steps: String(p.steps) });
    if (p.function === CUSTOM) form.expr = p.expression;
  }
  const panel = (sweep) => {
    const out = { opt: sweep.optimizer, impl: sweep.impl };
    for (const [name, value] of Object.entries(sweep.hyperparams)) out[name] = formatNumber(value);
    return out;
  };
  form.a = panel(first);
  form.b = second ? panel(second) : { opt: NONE };
  return form;
}
