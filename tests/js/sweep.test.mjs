// The Sweep view's pure parts: heatmap scales and classes, the view's state and requests, where a
// cell opens, and the event reducer.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  basinClass, basinGrid, decadeTicks, divergedMask, heatmapTraces, scaledGrid, sharedScale,
} from "../../static/js/plots/heatmap.js";
import { fromQuery } from "../../static/js/lib/url-state.js";
import { ended, fromAnswer, fromRecord, reduceSweep } from "../../static/js/views/sweep/grid.js";
import {
  bookSetting, cellLink, cellRun, pageField, requestsFrom, sweepableParams, toUrl, withDefaults,
} from "../../static/js/views/sweep/state.js";
import { cellLines } from "../../static/js/views/sweep/words.js";
import { deepFreeze } from "./helpers.mjs";

const FUNCTIONS = new Map([
  ["quadratic", { name: "quadratic", box: [-5.5, 1, -3, 1], start: [-5, -2], minima: [[0, 0]] }],
  ["himmelblau", { name: "himmelblau", box: [-5, 5, -5, 5], start: [0, 0], minima: [[3, 2]] }],
]);
const hp = (name, dflt, training = dflt) => ({ name, default: dflt, training_default: training });
const RMSPROP = { name: "rmsprop", hyperparams: [hp("eta", 0.4, 0.01), hp("gamma", 0.9), hp("eps", 1e-6)] };
const ADAGRAD = { name: "adagrad", hyperparams: [hp("eta", 0.4, 0.1), hp("eps", 1e-6)] };
const MOMENTUM = { name: "momentum", hyperparams: [hp("eta", 0.4, 0.02), hp("gamma", 0.5)] };

// --- heatmap scales -----------------------------------------------------------------------------

test("one colour scale spans every grid, in decades for values that span them", () => {
  const a = [[1e-6, 1e-2], [null, 1]];
  const b = [[10, 0.5]];
  const scale = sharedScale([a, b], { log: true });
  assert.deepEqual(scale, { log: true, zmin: -6, zmax: 1, clipped: false });
  assert.deepEqual(scaledGrid(a, scale), [[-6, -2], [null, 0]]);
  assert.deepEqual(decadeTicks(scale, 8).ticktext, ["1e-6", "1e-5", "1e-4", "1e-3", "0.01", "0.1", "1", "10"]);
  // An exact zero sits at the smallest value shown; a negative value makes the scale linear.
  const zero = sharedScale([[[0, 1e-3, 1]]].flat(), { log: true });
  assert.equal(scaledGrid([[0]], zero)[0][0], -3);
  assert.deepEqual(sharedScale([[[-1, 3]]].flat(), { log: true }), { log: false, zmin: -1, zmax: 3, clipped: false });
  assert.deepEqual(sharedScale([[[null]]].flat()), { log: false, zmin: 0, zmax: 1, clipped: false });
  // A few runs that blew up decades above the rest do not take the whole scale: it ends at the 95%.
  const blown = sharedScale([[Array.from({ length: 99 }, (_, i) => 1 + i / 100).concat([1e30])]], { log: true });
  assert.equal(blown.clipped, true);
  assert.ok(blown.zmax < 0.3 && blown.zmax > 0.2);
  assert.match(decadeTicks(blown).ticktext.at(-1), /^≥ 1\.9/);
});

test("neighbouring minima of a lattice never share a basin colour", () => {
  const classes = new Map();
  for (let i = -5; i <= 5; i += 1) for (let j = -5; j <= 5; j += 1) classes.set(`${i},${j}`, basinClass([i * 0.995, j * 0.995]));
  for (let i = -5; i < 5; i += 1) {
    for (let j = -5; j < 5; j += 1) {
      assert.notEqual(classes.get(`${i},${j}`), classes.get(`${i + 1},${j}`));
      assert.notEqual(classes.get(`${i},${j}`), classes.get(`${i},${j + 1}`));
    }
  }
  const himmelblau = [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]];
  assert.equal(new Set(himmelblau.map(basinClass)).size, 4);
  const grid = basinGrid([[0, 1, null]], [[0.001, 0.5, null]], himmelblau, 0.1);
  assert.deepEqual(grid, [[basinClass([3, 2]), 9, null]]);
});

test("diverged cells get their own trace; hover lines are escaped, then joined", () => {
  const traces = heatmapTraces({
    x: [1, 2], y: [3], z: [[0, null]], scale: { log: false, zmin: 0, zmax: 1 }, colourTitle: "f <b>",
    text: [[["η = 1", "f <i>0</i>"], ""]], diverged: divergedMask([[null, 7]]), divergedText: [["", ["diverged at step 7"]]],
    mark: { x: 1, y: 3, name: "book <3" },
  });
  assert.equal(traces.length, 3);
  assert.equal(traces[0].text[0][0], "η = 1<br>f &lt;i&gt;0&lt;/i&gt;");
  assert.equal(traces[0].colorbar.title.text, "f &lt;b&gt;");
  assert.deepEqual(traces[1].z, [[null, 1]]);
  assert.equal(traces[1].text[0][1], "diverged at step 7");
  assert.equal(traces[2].name, "book &lt;3");
});

// --- state ----------------------------------------------------------------------------------------

test("the defaults are the book's pair over (η, γ), and a basin map spans the function's box", () => {
  const form = withDefaults({}, FUNCTIONS);
  assert.equal(form.kind, "trajectory");
  assert.deepEqual([form.fn, form.x1, form.x2, form.steps], ["quadratic", "-5", "-2", "20"]);
  assert.deepEqual([form.a.opt, form.b.opt, form.x.param, form.y.param], ["rmsprop", "momentum", "eta", "gamma"]);
  const basin = withDefaults({ mode: "basin" }, FUNCTIONS);
  assert.deepEqual([basin.fn, basin.x.param, basin.x.from, basin.x.to, basin.metric], ["himmelblau", "x1", "-5", "5", "minimum"]);
  const training = withDefaults({ kind: "training", x: { n: "8" } }, FUNCTIONS);
  assert.deepEqual([training.dataset, training.x.n, training.x.from, training.metric], ["airfoil", "8", "0.001", "final_loss"]);
  const url = toUrl(form, { a: "abc", b: "def" });
  assert.equal(url.sa, "abc");
  assert.deepEqual(withDefaults(fromQuery(new URLSearchParams(Object.entries({ "a.opt": "adam", sa: "abc" }))), FUNCTIONS).a, { opt: "adam" });
});

test("only parameters both optimizers have can be swept", () => {
  assert.deepEqual(sweepableParams([RMSPROP, MOMENTUM], "trajectory"), ["eta", "gamma", "x1", "x2"]);
  assert.deepEqual(sweepableParams([RMSPROP, ADAGRAD], "training"), ["eta", "eps"]);
  assert.deepEqual(sweepableParams([RMSPROP, null], "training"), ["eta", "gamma", "eps"]);
});

test("one body per optimizer, the swept parameters left out, typing errors named as on the page", () => {
  const form = deepFreeze({
    ...withDefaults({}, FUNCTIONS), a: { opt: "rmsprop", impl: "book", eta: "0.4", gamma: "0.9", eps: "1e-6" },
    b: { opt: "momentum", impl: "book", eta: "0.4", gamma: "oops" },
  });
  const { bodies, errors } = requestsFrom(form);
  assert.deepEqual(errors, []);
  assert.equal(bodies.length, 2);
  assert.deepEqual(bodies[0].hyperparams, { eps: 1e-6 });
  assert.deepEqual(bodies[1].hyperparams, {}); // both of momentum's are swept: "oops" is not read
  assert.deepEqual(bodies[0].axes[0], { param: "eta", scale: "log", from: 0.01, to: 2, n: 64 });
  assert.deepEqual([bodies[0].function, bodies[0].start, bodies[0].steps], ["quadratic", [-5, -2], 20]);
  const bad = requestsFrom({ ...form, x: { ...form.x, from: "x" }, a: { ...form.a, eps: "?" }, b: { opt: "none" } });
  assert.equal(bad.bodies.length, 1);
  assert.deepEqual(bad.errors.map((e) => e.field).sort(), ["a.hyperparams.eps", "axes[0].from"]);
  const basin = requestsFrom(withDefaults({ mode: "basin" }, FUNCTIONS));
  assert.equal("start" in basin.bodies[0], false);
  assert.equal(pageField("hyperparams.eta", "b"), "b.hyperparams.eta");
  assert.equal(pageField("axes[1].to", "b"), "axes[1].to");
});

const META_A = deepFreeze({
  id: "s1", kind: "trajectory", status: "queued", optimizer: "rmsprop", impl: "book", hyperparams: { eps: 1e-6 },
  problem: { function: "quadratic", expression: null, start: [-5, -2], steps: 20, seed: 0, box: [-5.5, 1, -3, 1], minima: [[0, 0]] },
  axes: [{ param: "eta", values: [0.1, 0.4], scale: "log" }, { param: "gamma", values: [0.5, 0.9, 0.99], scale: "linear" }],
  metrics: ["final_value", "distance", "steps_to_tol", "diverged_at", "minimum"], shape: [3, 2],
});

test("a cell opens the lab with its full configuration, sweep B's beside it", () => {
  const metaB = { ...META_A, optimizer: "momentum", hyperparams: {} };
  assert.deepEqual(cellRun(META_A, 1, 1), { optimizer: "rmsprop", impl: "book", hyperparams: { eps: 1e-6, eta: 0.4, gamma: 0.9 }, start: [-5, -2] });
  const link = new URL(cellLink([META_A, metaB], 1, 1, FUNCTIONS.get("quadratic")), "http://x");
  assert.equal(link.pathname, "/");
  const state = fromQuery(link.search);
  assert.deepEqual(state.a, { opt: "rmsprop", impl: "book", eps: "1e-6", eta: "0.4", gamma: "0.9" });
  assert.deepEqual(state.b, { opt: "momentum", impl: "book", eta: "0.4", gamma: "0.9" });
  assert.deepEqual([state.fn, state.x1, state.x2, state.steps, state.seed, state.box], ["quadratic", "-5", "-2", "20", "0", undefined]);
  const basin = { ...META_A, axes: [{ param: "x1", values: [-1, 2], scale: "linear" }, { param: "x2", values: [3], scale: "linear" }] };
  const start = fromQuery(new URL(cellLink([basin], 0, 1, FUNCTIONS.get("quadratic")), "http://x").search);
  assert.deepEqual([start.x1, start.x2, start.b], ["2", "3", undefined]);
  const training = {
    ...META_A, kind: "training",
    problem: { dataset: "airfoil", batch_size: 10, epochs: 2, seed: 3, device: "cpu" },
  };
  const trained = new URL(cellLink([training], 2, 0), "http://x");
  assert.equal(trained.pathname, "/training");
  const query = fromQuery(trained.search);
  assert.deepEqual([query.dataset, query.seed, query.run, query.a.eta, query.a.gamma], ["airfoil", "3", "1", "0.1", "0.99"]);
});

test("the book's setting is marked when both axes reach it", () => {
  assert.deepEqual(bookSetting(META_A, RMSPROP), { eta: 0.4, gamma: 0.9 });
  const narrow = { ...META_A, axes: [{ param: "eta", values: [0.01, 0.1] }, META_A.axes[1]] };
  assert.equal(bookSetting(narrow, RMSPROP), null);
  const training = { ...META_A, kind: "training", axes: [{ param: "eta", values: [0.001, 1] }, META_A.axes[1]] };
  assert.deepEqual(bookSetting(training, RMSPROP), { eta: 0.01, gamma: 0.9 });
});

// --- the reducer ------------------------------------------------------------------------------------

test("rows fill in as progress arrives; done names the stored run", () => {
  let state = reduceSweep(null, "progress", {});
  assert.equal(state, null);
  state = reduceSweep(null, "meta", META_A);
  assert.deepEqual(state.cells.final_value, [[null, null], [null, null], [null, null]]);
  state = reduceSweep(state, "progress", { status: "running", progress: 0, rows_done: 0, started_at: 1 });
  const rows = { final_value: [[1, 2], [3, 4]], distance: [[1, 1], [1, 1]], steps_to_tol: [[null, 5], [6, 7]], diverged_at: [[null, null], [null, 9]], minimum: [[0, 0], [0, null]] };
  const before = state;
  state = reduceSweep(state, "progress", deepFreeze({ status: "running", progress: 2 / 3, rows_done: 2, first: 1, rows: 2, cells: rows }));
  assert.deepEqual(state.cells.final_value, [[null, null], [1, 2], [3, 4]]);
  assert.deepEqual(before.cells.final_value[1], [null, null]);
  assert.deepEqual(state.fresh, [1, 2]);
  assert.equal(ended(state), false);
  state = reduceSweep(state, "done", { status: "done", progress: 1, rows_done: 3, run_id: "s1", error: null });
  assert.equal(state.runId, "s1");
  assert.equal(ended(state), true);
  const lines = cellLines({ kind: "trajectory", x: META_A.axes[0], y: META_A.axes[1], cells: state.cells, r: 1, c: 1, symbols: new Map([["eta", "η"]]), minima: [[0, 0]] });
  assert.deepEqual(lines, ["η = 0.4", "gamma = 0.9", "f(x_T) 2", "steps to 1e-6: 5", "distance to a minimum 1", "minimum #0 at (0, 0)"]);
});

test("an answer and a stored record read as the same sweep", () => {
  const answer = { ...META_A, status: "done", cells: { final_value: [[1, 2], [3, 4], [5, 6]] }, rows_done: 3, progress: 1, run_id: "s1", error: null };
  const state = fromAnswer(answer);
  assert.deepEqual([state.shape, state.rowsDone, state.runId], [[3, 2], 3, "s1"]);
  const record = {
    id: "s1", status: "cancelled", config: { kind: "trajectory", optimizer: "rmsprop", impl: "book", hyperparams: {}, axes: META_A.axes, metrics: META_A.metrics, problem: META_A.problem },
    series: [{ cells: answer.cells }], runs: [{ rows_done: 1 }], timings: { progress: 1 / 3, error: null },
  };
  const stored = fromRecord(record);
  assert.deepEqual([stored.status, stored.rowsDone, stored.cells.final_value[2], stored.runId], ["cancelled", 1, [5, 6], "s1"]);
});
