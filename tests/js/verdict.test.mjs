import assert from "node:assert/strict";
import test from "node:test";

import { pointSpreadVerdict, pointVerdict, spread, spreadVerdict, withinSpread, zScore } from "../../static/js/lib/verdict.js";

test("a point passes only when every coordinate rounds to the printed 6 decimals", () => {
  assert.equal(pointVerdict([-0.010599, 0], [-0.0105991234, 1.2e-9], 6), "pass");
  assert.equal(pointVerdict([-0.002295, -0], [-0.0022951, -3e-12], 6), "pass");
  assert.equal(pointVerdict([-0.010599, 0], [-0.0105996, 0], 6), "fail");
  assert.equal(pointVerdict([-0.387814, -1673.365109], [-0.387814, -1673.3651094], 6), "pass");
  assert.equal(pointVerdict([-0.387814, -1673.365109], [-0.387814, -1673.3651084], 6), "fail");
});

test("spread is the sample statistics", () => {
  const s = spread([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.sd - Math.sqrt(5 / 3)) < 1e-12);
  assert.deepEqual([s.min, s.max, s.n], [1, 4, 4]);
});

test("a value passes within mean ± sigmas sd and fails beyond", () => {
  const values = [0.24, 0.25, 0.26]; // mean 0.25, sd 0.01
  assert.equal(spreadVerdict(0.279, values, 3), "pass");
  assert.equal(spreadVerdict(0.281, values, 3), "fail");
  assert.equal(spreadVerdict(0.25, [0.25], 3), "fail"); // no sd from one value
  assert.equal(spreadVerdict(0.25, [0.25, Number.NaN, 0.26], 3), "fail");
  assert.ok(Math.abs(zScore(0.23, values) + 2) < 1e-9);
  assert.equal(withinSpread(0.2433, 0.2453, 0.0015, 3), "pass");
  assert.equal(withinSpread(0.25, 0.2453, 0.0015, 3), "fail");
  assert.equal(withinSpread(0.2453, 0.2453, 0, 3), "fail"); // ten identical seeds cannot judge
  assert.equal(withinSpread(0.2453, 0.2453, null, 3), "fail");
});

test("a random point passes only when both coordinates do", () => {
  const points = [
    [0, 0],
    [1, 1],
    [2, 2],
  ];
  assert.equal(pointSpreadVerdict([1, 1], points, 3), "pass");
  assert.equal(pointSpreadVerdict([1, 5], points, 3), "fail");
});
