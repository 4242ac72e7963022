// What a slider's answer redraws in the 2D lab, pure: which runs changed, which traces show them,
// their data as Plotly.animate takes it, what the player's frame changes, and when a curve's axis
// can keep its range while the curve moves.
import assert from "node:assert/strict";
import { test } from "node:test";

import { rangeHolds } from "../../static/js/plots/axes.js";
import { fromAnswer, wholeUpdates } from "../../static/js/views/lab2d/comparison.js";
import {
  changedRuns, curveFrame, curveTraces, frameChanges, joined, landscapeFrame, landscapeRuns,
} from "../../static/js/views/lab2d/updates.js";
import { deepFreeze } from "./helpers.mjs";

const T = { path: [1, 2], marker: [3, 4] };
const META = deepFreeze({
  function: "quadratic", expression: null, start: [-5, -2], steps: 2, box: [-5.5, 1, -3, 1],
  contour: { x1: [0, 1], x2: [0, 1], z: [[0, 1], [2, 3]] },
  runs: [
    { optimizer: "adagrad", impl: "book", hyperparams: { eta: 0.4 } },
    { optimizer: "rmsprop", impl: "book", hyperparams: { eta: 0.4, gamma: 0.9 } },
  ],
});
const run = (hyperparams, points, values, lr) => ({
  optimizer: "x", impl: "book", hyperparams, points, values, lr_eff: lr, state: { s: [[1, 2], [3, 4]] },
  status: "ok", diverged_at: null,
});
const ANSWER = deepFreeze({
  run_id: null,
  runs: [
    run({ eta: 0.4 }, [[-5, -2], [-4, -1], [-3, -0.5]], [10.5, 3.6, 1.4], [[0.3, 0.2], [0.25, 0.15]]),
    run({ eta: 0.4, gamma: 0.5 }, [[-5, -2], [-2, 0.5], [-1, 0.1]], [10.5, 1.3, 0.12], [[0.9, 0.8], [0.7, 0.6]]),
  ],
});
const STATE = deepFreeze(fromAnswer(META, ANSWER));

test("only the runs whose settings moved are redrawn", () => {
  const before = META.runs;
  const after = [before[0], { ...before[1], hyperparams: { eta: 0.4, gamma: 0.5 } }];
  assert.deepEqual(changedRuns(before, after), [1]);
  assert.deepEqual(changedRuns(before, before), []);
  assert.deepEqual(changedRuns(before, [{ ...before[0], impl: "torch" }, before[1]]), [0]);
  assert.deepEqual(changedRuns(before.slice(0, 1), before), [1]); // a run that was not drawn: new
});

test("a landscape draws its own run, or every run on the first when overlaid", () => {
  assert.deepEqual(landscapeRuns(1, 2, false), [1]);
  assert.deepEqual(landscapeRuns(0, 2, true), [0, 1]);
  assert.deepEqual(landscapeRuns(1, 2, true), []);
});

test("a moved run's path and marker as per-trace data, the other traces untouched", () => {
  const frame = frameChanges(STATE, 2, [false, false]);
  const { traces, data } = landscapeFrame(wholeUpdates(STATE).paths, frame.markers[1], [1], T);
  assert.deepEqual(traces, [2, 4]);
  assert.deepEqual(data, [{ x: [-5, -2, -1], y: [-2, 0.5, 0.1] }, { x: [-1], y: [0.1] }]);
  const both = landscapeFrame(wholeUpdates(STATE).paths, frame.markers[0], [0, 1], T);
  assert.deepEqual(both.traces, [1, 2, 3, 4]); // paths first, then markers, as the traces are ordered
  assert.deepEqual(both.data[2], { x: [-3], y: [-0.5] });
});

test("a moved run's curves: one f(xₜ) trace, two rate traces per run", () => {
  const whole = wholeUpdates(STATE);
  assert.deepEqual(curveTraces([0, 1], 2), [0, 1, 2, 3]);
  assert.deepEqual(curveFrame(whole.values, [1], 1), { traces: [1], data: [{ x: [0, 1, 2], y: [10.5, 1.3, 0.12] }] });
  const rates = curveFrame(whole.rates, [1], 2);
  assert.deepEqual(rates.traces, [2, 3]);
  assert.deepEqual(rates.data, [{ x: [1, 2], y: [0.9, 0.7] }, { x: [1, 2], y: [0.8, 0.6] }]);
});

test("frame k: markers where each run is (at a height on a surface), rings, the cursor", () => {
  const frame = frameChanges(STATE, 1, [false, (v) => v * 10]);
  assert.deepEqual(frame.markers[0], { x: [[-4], [-2]], y: [[-1], [0.5]] });
  assert.deepEqual(frame.markers[1].z, [[36], [13]]);
  assert.deepEqual(frame.rings, { selectedpoints: [[1], [1]] });
  assert.deepEqual(frame.rateRings, { selectedpoints: [[0], [0], [0], [0]] });
  assert.equal(frame.cursor.shapes[0].x0, 1);
  assert.deepEqual(frameChanges(STATE, 9, [false, false]).markers[0].x, [[-3], [-1]]); // past the end
  assert.deepEqual(joined({ x: [[1]], y: [[2]] }, { x: [[3]], y: [[4]] }), { x: [[1], [3]], y: [[2], [4]] });
});

test("a whole answer keeps the optimizer state (the explanation keeps its rows while dragging)", () => {
  assert.deepEqual(STATE.runs[1].state, { s: [[1, 2], [3, 4]] });
  assert.deepEqual(fromAnswer(META, { runs: [{ ...ANSWER.runs[0], state: undefined }] }).runs[0].state, {});
});

test("an axis keeps its range while the curves stay inside and fill half of it", () => {
  assert.equal(rangeHolds([0, 10], [[2, 8], [3]]), true);
  assert.equal(rangeHolds([0, 10], [[2, 11]]), false); // out of range
  assert.equal(rangeHolds([0, 10], [[4, 6]]), false); // squeezed into a fifth of the axis
  assert.equal(rangeHolds([0, 10], [[4, 6]], { fill: 0.2 }), true);
  assert.equal(rangeHolds([-2, 1], [[0.1, 5], [null, 1]], { log: true }), true); // log₁₀ units
  assert.equal(rangeHolds([-2, 1], [[0.1, 50]], { log: true }), false);
  assert.equal(rangeHolds([-2, 1], [[0, 5]], { log: true }), false); // 0 has no place on a log axis
  assert.equal(rangeHolds([0, 10], [[Number.NaN, 1, 9, Number.POSITIVE_INFINITY]]), true); // gaps skipped
  assert.equal(rangeHolds(null, [[1]]), false);
  assert.equal(rangeHolds([1, 1], [[1]]), false);
  assert.equal(rangeHolds([0, 1], [[]]), true);
});
