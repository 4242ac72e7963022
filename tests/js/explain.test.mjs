import assert from "node:assert/strict";
import test from "node:test";

import { explainStep, gradientAt, stepsAvailable } from "../../static/js/lib/explain.js";

// Two steps of the book's AdaGrad (η = 0.4, ε = 1e-6) on f = 0.1x1² + 2x2² from (−5, −2), by hand.
function adagrad() {
  const eta = 0.4;
  const eps = 1e-6;
  let x = [-5, -2];
  const s = [0, 0];
  const run = { optimizer: "adagrad", impl: "book", hyperparams: { eta, eps }, points: [x], lr_eff: [], state: { s: [] } };
  const grads = [];
  for (let t = 1; t <= 2; t += 1) {
    const g = [0.2 * x[0], 4 * x[1]];
    grads.push(g);
    s[0] += g[0] * g[0];
    s[1] += g[1] * g[1];
    const rate = s.map((si) => eta / Math.sqrt(si + eps));
    x = x.map((xi, i) => xi - rate[i] * g[i]);
    run.points.push(x);
    run.lr_eff.push(rate);
    run.state.s.push([...s]);
  }
  return { run, grads };
}

const close = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 1e-12 * Math.max(1, Math.abs(b[i])));

test("AdaGrad's g_t is recovered from the step and the rate", () => {
  const { run, grads } = adagrad();
  assert.ok(close(gradientAt(run, 1), [-1, -8]));
  assert.ok(close(gradientAt(run, 2), grads[1]));
  const step = explainStep(run, 2);
  assert.equal(step.t, 2);
  assert.deepEqual(step.previous, run.points[1]);
  assert.deepEqual(step.point, run.points[2]);
  assert.deepEqual(step.state, [{ key: "s", values: run.state.s[1] }]);
  assert.ok(step.rate[0] < run.lr_eff[0][0]); // AdaGrad's rate only falls
});

test("momentum's g_t comes from its velocity, book and torch", () => {
  // book: v_t = γ v_{t-1} + η g_t; torch: b_t = γ b_{t-1} + g_t
  const g = [
    [-1, -8],
    [-0.9, 4.8],
  ];
  const book = { optimizer: "momentum", impl: "book", hyperparams: { eta: 0.4, gamma: 0.5 }, state: { v: [] } };
  const torch = { optimizer: "momentum", impl: "torch", hyperparams: { eta: 0.4, gamma: 0.5 }, state: { momentum_buffer: [] } };
  let v = [0, 0];
  let b = [0, 0];
  for (const gt of g) {
    v = v.map((vi, i) => 0.5 * vi + 0.4 * gt[i]);
    b = b.map((bi, i) => 0.5 * bi + gt[i]);
    book.state.v.push(v);
    torch.state.momentum_buffer.push(b);
  }
  for (const run of [book, torch]) {
    run.points = [
      [-5, -2],
      [0, 0],
      [0, 0],
    ];
    run.lr_eff = [
      [0.4, 0.4],
      [0.4, 0.4],
    ];
    assert.ok(close(gradientAt(run, 1), g[0]), run.impl);
    assert.ok(close(gradientAt(run, 2), g[1]), run.impl);
  }
});

test("Adam's g_t comes from its first moment", () => {
  const run = {
    optimizer: "adam",
    impl: "torch",
    hyperparams: { eta: 0.4, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    points: [
      [-5, -2],
      [0, 0],
    ],
    lr_eff: [[1, 1]],
    state: { exp_avg: [[-0.1, -0.8]], exp_avg_sq: [[0.001, 0.064]] },
  };
  assert.ok(close(gradientAt(run, 1), [-1, -8]));
});

test("steps that have not arrived, and the start, have no explanation", () => {
  const { run } = adagrad();
  assert.equal(stepsAvailable(run), 2);
  assert.equal(explainStep(run, 0), null);
  assert.equal(explainStep(run, 3), null);
  run.points.push([0, 0]); // a point whose rate has not arrived yet
  assert.equal(stepsAvailable(run), 2);
});
