// What a slider drag and the 3D surface compute, pure: a whole answer as a comparison, whether
// it fits the drawn problem, the chart updates it makes, heights on the surface.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fromAnswer, sameProblem, valuesAt, wholeUpdates } from "../../static/js/views/lab2d/comparison.js";
import {
  gridValueAt, heightOf, heightRange, markTrace3d, pathTrace3d, startTrace, surfaceTrace,
} from "../../static/js/plots/landscape.js";
import { deepFreeze } from "./helpers.mjs";

const META = deepFreeze({
  function: "quadratic", expression: null, start: [-5, -2], steps: 2, box: [-5.5, 1, -3, 1],
  contour: { x1: [0, 1], x2: [0, 1], z: [[0, 1], [2, 3]] },
  runs: [{ optimizer: "gd", impl: "book", hyperparams: { eta: 0.4 } }],
});
const ANSWER = deepFreeze({
  run_id: "r1",
  runs: [{
    optimizer: "gd", impl: "book", hyperparams: { eta: 0.3 }, points: [[-5, -2], [-4, -1], [-3, -0.5]],
    values: [10.5, 3.6, 1.4], lr_eff: [[0.3, 0.3], [0.3, 0.3]], state: {}, status: "ok", diverged_at: null,
  }],
});

test("a whole answer is a finished comparison over the drawn problem's meta", () => {
  const state = fromAnswer(META, ANSWER);
  assert.equal(state.meta.contour, META.contour); // the same grid: nothing to recompute
  assert.deepEqual(state.meta.runs, [{ optimizer: "gd", impl: "book", hyperparams: { eta: 0.3 } }]);
  assert.deepEqual(state.runs[0].lr, ANSWER.runs[0].lr_eff);
  assert.equal(state.done, true);
  assert.equal(state.runId, "r1");
  assert.deepEqual(valuesAt(state, 1), [3.6]);
  assert.deepEqual(valuesAt(state, 9), [1.4]); // past the end: the last point
});

test("only a request for the same problem can replace the drawn runs", () => {
  const body = { function: "quadratic", start: [-5, -2], steps: 2, runs: [{}] };
  const box = [-5.5, 1, -3, 1];
  assert.equal(sameProblem(META, body, box), true);
  assert.equal(sameProblem(META, { ...body, steps: 3 }, box), false);
  assert.equal(sameProblem(META, { ...body, start: [-5, -1] }, box), false);
  assert.equal(sameProblem(META, { ...body, box: [-5, 1, -3, 1] }, box), false);
  assert.equal(sameProblem(META, { ...body, runs: [{}, {}] }, box), false);
  assert.equal(sameProblem(META, { ...body, function: "custom", expression: "x1" }, box), false);
  assert.equal(sameProblem(null, body, box), false);
});

test("whole updates: paths with their heights, values from step 0, rates from step 1", () => {
  const update = wholeUpdates(fromAnswer(META, ANSWER));
  assert.deepEqual(update.paths, { x: [[-5, -4, -3]], y: [[-2, -1, -0.5]] });
  assert.deepEqual(update.heights, { z: [[10.5, 3.6, 1.4]] });
  assert.deepEqual(update.values, { x: [[0, 1, 2]], y: [[10.5, 3.6, 1.4]] });
  assert.deepEqual(update.rates, { x: [[1, 2], [1, 2]], y: [[0.3, 0.3], [0.3, 0.3]] });
});

test("surface heights: f, or log₁₀(1+f) for a steep function; gaps stay gaps", () => {
  assert.equal(heightOf(3, false), 3);
  assert.equal(heightOf(99, true), 2);
  assert.equal(heightOf(-1, true), 0);
  assert.equal(heightOf(null, false), null);
  assert.equal(heightOf(Number.POSITIVE_INFINITY, false), null);
  assert.deepEqual(heightRange(META.contour, false), [0, 3.15]);
  assert.equal(heightRange({ z: [[null]] }, false), null);
  const surface = surfaceTrace({ x1: [0, 1], x2: [0, 1], z: [[0, 9], [99, null]] }, { logZ: true });
  assert.deepEqual(surface.z, [[0, 1], [2, null]]);
});

test("f between grid nodes is read bilinearly (the start and minima sit on the surface)", () => {
  const grid = META.contour; // f(x1, x2) = x1 + 2·x2 on the unit square
  assert.equal(gridValueAt(grid, 0, 0), 0);
  assert.equal(gridValueAt(grid, 1, 1), 3);
  assert.equal(gridValueAt(grid, 0.5, 0.5), 1.5);
  assert.equal(gridValueAt(grid, 0.25, 1), 2.25);
  assert.equal(gridValueAt(grid, 2, 0), null); // outside the box
  assert.equal(gridValueAt({ ...grid, z: [[0, null], [2, 3]] }, 0.5, 0.5), null);
});

test("a 3D path puts each point at its f; marks keep their 2D look; names are escaped", () => {
  const path = pathTrace3d({
    name: "A · <b>x</b>", tag: "A", color: "#123456", points: [[1, 2], [3, 4]], values: [9, 99], logZ: true,
  });
  assert.equal(path.type, "scatter3d");
  assert.deepEqual([path.x, path.y, path.z], [[1, 3], [2, 4], [1, 2]]);
  assert.ok(!path.name.includes("<b>"));
  const start = markTrace3d(startTrace([[-5, -2]]), [10.5]);
  assert.equal(start.type, "scatter3d");
  assert.deepEqual([start.x, start.y, start.z], [[-5], [-2], [10.5]]);
  assert.match(start.hovertemplate, /%\{z/);
});
