import assert from "node:assert/strict";
import { test } from "node:test";

import { STEPS, hasSlider, positionOf, roundSignificant, scaleFor, valueAt } from "../../static/js/lib/slider.js";

// As GET /api/optimizers describes them.
const ETA = { name: "eta", low: 0, high: 100, low_inclusive: false, high_inclusive: true };
const GAMMA = { name: "gamma", low: 0, high: 1, low_inclusive: true, high_inclusive: false };
const EPS = { name: "eps", low: 0, high: 1, low_inclusive: true, high_inclusive: true };

test("η, γ, ρ, β₁, β₂ get sliders; ε and the noise do not", () => {
  for (const name of ["eta", "gamma", "rho", "beta1", "beta2"]) assert.equal(hasSlider({ ...GAMMA, name }), true);
  assert.equal(hasSlider(EPS), false);
  assert.equal(hasSlider({ ...EPS, name: "noise" }), false);
});

test("η is logarithmic over six decades below its upper bound", () => {
  const scale = scaleFor(ETA);
  assert.deepEqual(scale, { log: true, low: 1e-4, high: 100, min: 1e-4, max: 100 });
  assert.equal(valueAt(scale, 0), 1e-4);
  assert.equal(valueAt(scale, STEPS), 100);
  assert.equal(valueAt(scale, STEPS / 2), 0.1); // the middle is the geometric mean
  assert.equal(positionOf(scale, 0.1), STEPS / 2);
  const p = positionOf(scale, 0.4);
  assert.ok(Math.abs(valueAt(scale, p) - 0.4) / 0.4 < 0.01);
});

test("a decay rate is linear and stays inside an excluded bound", () => {
  const scale = scaleFor(GAMMA);
  assert.equal(scale.log, false);
  assert.equal(valueAt(scale, 0), 0);
  assert.equal(valueAt(scale, STEPS), 0.999); // γ < 1
  assert.equal(valueAt(scale, 900), 0.9);
  assert.equal(positionOf(scale, 0.9), 900);
  assert.equal(positionOf(scale, 5), 999); // out of range: the last accepted value
  assert.equal(positionOf(scale, Number.NaN), null);
});

test("values read cleanly", () => {
  assert.equal(roundSignificant(0.40271), 0.403);
  assert.equal(roundSignificant(0), 0);
  for (let p = 0; p <= STEPS; p += 37) {
    const text = String(valueAt(scaleFor(ETA), p));
    assert.ok(text.replace(/^0\.0*/, "").replace(".", "").replace(/e.*/, "").length <= 3, text);
  }
});
