// The 2D lab's state (URL ⇄ form ⇄ request) and its stream reducer.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  addStep, hasNonPositive, lastFrame, positionsAt, reduceComparison, runAt, runNames, stepUpdates,
} from "../../static/js/views/lab2d/comparison.js";
import { DEFAULTS, boxEdited, boxTexts, requestFrom, withDefaults } from "../../static/js/views/lab2d/state.js";
import { deepFreeze } from "./helpers.mjs";

const FUNCTIONS = new Map([
  ["quadratic", { name: "quadratic", start: [-5, -2], box: [-5.5, 1, -3, 1] }],
  ["rosenbrock", { name: "rosenbrock", start: [-1.5, 2.5], box: [-2, 2, -1, 3] }],
  ["custom", { name: "custom", start: [-4, 4], box: [-5, 5, -5, 5] }],
]);

test("an empty URL is the book's comparison", () => {
  const state = withDefaults({}, FUNCTIONS);
  assert.deepEqual(state, {
    fn: "quadratic", expr: undefined, x1: "-5", x2: "-2", box: undefined, steps: "20", seed: "0", overlay: "0",
    a: { opt: "adagrad", impl: "book", eta: "0.4" }, b: { opt: "rmsprop", impl: "book", eta: "0.4", gamma: "0.9" },
  });
});

test("a panel keeps the book's values only while it names the book's optimizer", () => {
  const state = withDefaults({ fn: "rosenbrock", a: { opt: "gd", eta: "5" }, b: { impl: "torch" }, steps: "30" }, FUNCTIONS);
  assert.deepEqual(state.a, { opt: "gd", eta: "5" }); // another optimizer: its own defaults fill the rest
  assert.deepEqual(state.b, { opt: "rmsprop", impl: "torch" }); // torch: PyTorch's defaults, not the book's
  assert.deepEqual(withDefaults({ b: { gamma: "0.5" } }, FUNCTIONS).b, { ...DEFAULTS.b, gamma: "0.5" });
  assert.equal(state.x1, "-1.5"); // the function's own start
});

test("an unknown function falls back to the default; a custom one keeps its expression", () => {
  assert.equal(withDefaults({ fn: "nope" }, FUNCTIONS).fn, "quadratic");
  assert.equal(withDefaults({ fn: "custom", expr: "x1**2" }, FUNCTIONS).expr, "x1**2");
  assert.match(withDefaults({ fn: "custom" }, FUNCTIONS).expr, /x1/);
  assert.equal(withDefaults({ fn: "quadratic", expr: "x1" }, FUNCTIONS).expr, undefined);
  assert.equal(withDefaults({ box: "nope" }, FUNCTIONS).box, undefined);
});

test("the request: numbers parsed, the box sent only when it differs, the expression only for custom", () => {
  const quadratic = FUNCTIONS.get("quadratic");
  const state = withDefaults({}, FUNCTIONS);
  const { body, errors } = requestFrom(state, quadratic);
  assert.deepEqual(errors, []);
  assert.deepEqual(body, {
    function: "quadratic", start: [-5, -2], steps: 20, seed: 0,
    runs: [
      { optimizer: "adagrad", impl: "book", hyperparams: { eta: 0.4 } },
      { optimizer: "rmsprop", impl: "book", hyperparams: { eta: 0.4, gamma: 0.9 } },
    ],
  });
  const edited = requestFrom({ ...state, box: { x1max: "8" } }, quadratic).body;
  assert.deepEqual(edited.box, [-5.5, 8, -3, 1]);
  const custom = requestFrom({ ...state, fn: "custom", expr: "x1**2 + x2**2" }, FUNCTIONS.get("custom")).body;
  assert.equal(custom.expression, "x1**2 + x2**2");
  assert.equal(custom.box, undefined);
});

test("text that is not a number is refused with its API field, in form order", () => {
  const state = { ...withDefaults({}, FUNCTIONS), x2: "", steps: "twenty", b: { opt: "rmsprop", impl: "book", eta: "x" } };
  const { errors } = requestFrom({ ...state, box: { x1min: "low" } }, FUNCTIONS.get("quadratic"));
  assert.deepEqual(errors, [
    { field: "start[1]", message: "enter a number" },
    { field: "steps", message: '"twenty" is not a number' },
    { field: "runs[1].hyperparams.eta", message: '"x" is not a number' },
    { field: "box[0]", message: '"low" is not a number' },
  ]);
});

test("the view box: the URL's texts over the function's, edited when any value differs", () => {
  const quadratic = FUNCTIONS.get("quadratic");
  assert.deepEqual(boxTexts(undefined, quadratic), { x1min: "-5.5", x1max: "1", x2min: "-3", x2max: "1" });
  assert.deepEqual(boxTexts({ x1max: "8", x2min: 3 }, quadratic), { x1min: "-5.5", x1max: "8", x2min: "-3", x2max: "1" });
  assert.equal(boxEdited(boxTexts(undefined, quadratic), quadratic), false);
  assert.equal(boxEdited({ ...boxTexts(undefined, quadratic), x1max: "1.0" }, quadratic), false);
  assert.equal(boxEdited({ ...boxTexts(undefined, quadratic), x1max: "2" }, quadratic), true);
  assert.equal(boxEdited({ ...boxTexts(undefined, quadratic), x1max: "" }, quadratic), true);
});

const META = {
  function: "quadratic", start: [-5, -2], steps: 3, box: [-5.5, 1, -3, 1],
  runs: [
    { optimizer: "adagrad", impl: "book", hyperparams: { eta: 0.4, eps: 1e-6 } },
    { optimizer: "rmsprop", impl: "torch", hyperparams: { eta: 0.4, gamma: 0.9 } },
  ],
};
const STEP0 = {
  first: 0,
  runs: [
    { points: [[-5, -2], [-4, -1]], values: [10.5, 3.6], lr_eff: [[0.4, 0.4]], status: "ok", diverged_at: null },
    { points: [[-5, -2], [-3, -0.5]], values: [10.5, 1.4], lr_eff: [[1.2, 0.1]], status: "ok", diverged_at: null },
  ],
};
const STEP1 = {
  first: 2,
  runs: [
    { points: [[-3.5, -0.5], [-3, 0]], values: [1.2, 0], lr_eff: [[0.3, 0.2], [0.25, 0.15]], status: "ok", diverged_at: null },
    { points: [], values: [], lr_eff: [], status: "diverged", diverged_at: 2 },
  ],
};

test("the stream reducer: meta opens, steps append per run, done keeps the stored id", () => {
  const events = [["meta", META], ["step", STEP0], ["step", STEP1], ["done", { run_id: "r1" }]];
  const state = events.reduce((s, [name, data]) => deepFreeze(reduceComparison(s, name, deepFreeze(data))), null);
  assert.equal(state.done, true);
  assert.equal(state.runId, "r1");
  assert.deepEqual(state.runs[0].points, [[-5, -2], [-4, -1], [-3.5, -0.5], [-3, 0]]);
  assert.deepEqual(state.runs[0].values, [10.5, 3.6, 1.2, 0]);
  assert.deepEqual(state.runs[0].lr, [[0.4, 0.4], [0.3, 0.2], [0.25, 0.15]]);
  assert.equal(state.runs[1].status, "diverged");
  assert.equal(state.runs[1].divergedAt, 2);
  assert.equal(lastFrame(state), 3);
  assert.deepEqual(positionsAt(state, 3), [[-3, 0], [-3, -0.5]]); // B stopped early: it stays where it was
  assert.deepEqual(positionsAt(reduceComparison(null, "meta", META), 5), [[-5, -2], [-5, -2]]);
  assert.equal(reduceComparison(null, "step", STEP0), null); // no meta yet: nothing to add to
  assert.equal(reduceComparison(state, "ping", {}), state);
  assert.deepEqual(addStep(state, { first: 4, runs: [] }).runs, state.runs);
  assert.equal(state.storeError, null);
});

test("a comparison the history could not store still finishes, without an id and with the reason", () => {
  const started = reduceComparison(null, "meta", META);
  const done = reduceComparison(started, "done", { run_id: null, store_error: "the run history is read-only" });
  assert.equal(done.done, true);
  assert.equal(done.runId, null);
  assert.equal(done.storeError, "the run history is read-only");
});

test("the reducer keeps each run's optimizer state, step by step, for the step explanation", () => {
  const withState = (step, rows) => ({ ...step, runs: step.runs.map((run, i) => ({ ...run, state: rows[i] })) });
  const events = [
    ["meta", META],
    ["step", withState(STEP0, [{ s: [[1, 64]] }, { square_avg: [[0.1, 6.4]] }])],
    ["step", withState(STEP1, [{ s: [[2, 65], [3, 66]] }, {}])],
  ];
  const state = events.reduce((s, [name, data]) => deepFreeze(reduceComparison(s, name, deepFreeze(data))), null);
  assert.deepEqual(state.runs[0].state, { s: [[1, 64], [2, 65], [3, 66]] });
  assert.deepEqual(state.runs[1].state, { square_avg: [[0.1, 6.4]] });
  const run = runAt(state, 0);
  assert.deepEqual([run.optimizer, run.impl, run.hyperparams], ["adagrad", "book", { eta: 0.4, eps: 1e-6 }]);
  assert.equal(run.points.length, 4);
  assert.deepEqual(run.lr_eff, state.runs[0].lr);
  assert.equal(run.state, state.runs[0].state);
});

test("a step's chart updates: one path and one f(x) trace per run, two rate traces per run", () => {
  const update = stepUpdates(STEP1);
  assert.deepEqual(update.paths, { x: [[-3.5, -3], []], y: [[-0.5, 0], []] });
  assert.deepEqual(update.values, { x: [[2, 3], []], y: [[1.2, 0], []] });
  assert.deepEqual(update.rates.x, [[2, 3], [2, 3], [], []]);
  assert.deepEqual(update.rates.y, [[0.3, 0.25], [0.2, 0.15], [], []]);
  assert.equal(hasNonPositive(STEP0), false);
  assert.equal(hasNonPositive(STEP1), true); // f = 0: the log axis has to go
});

test("run names: letter and label, the implementation and the book's symbols", () => {
  const optimizers = new Map([
    ["adagrad", { label: "AdaGrad", hyperparams: [{ name: "eta", symbol: "η" }, { name: "eps", symbol: "ε" }] }],
  ]);
  assert.deepEqual(runNames(META, optimizers), [
    { tag: "A", label: "AdaGrad", name: "A · AdaGrad", details: "book, η=0.4, ε=1e-6" },
    { tag: "B", label: "rmsprop", name: "B · rmsprop", details: "torch.optim, eta=0.4, gamma=0.9" },
  ]);
});
