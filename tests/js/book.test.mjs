import assert from "node:assert/strict";
import { test } from "node:test";

import { labHref, resultHref, trainingHref } from "../../static/js/views/book/links.js";
import { planTasks, reduceRow, startRows, summarise } from "../../static/js/views/book/state.js";
import { fromQuery } from "../../static/js/lib/url-state.js";
import { deepFreeze } from "./helpers.mjs";

const GD = {
  id: "7.4-gd-0.6", section: "7.4", kind: "trajectory", random: false,
  request: { function: "quadratic", start: [-5, -2], steps: 20, seed: 0, runs: [{ optimizer: "gd", impl: "book", hyperparams: { eta: 0.6 } }] },
  printed: { point: [-0.387814, -1673.365109], line: "epoch 20, x1 -0.387814, x2 -1673.365109" },
};
const SGD = {
  id: "7.2-sgd", section: "7.2", kind: "trajectory", random: true,
  request: { function: "bowl", start: [-5, -2], steps: 20, seed: 0, runs: [{ optimizer: "sgd", impl: "book", hyperparams: { eta: 0.1, noise: 1 } }] },
  printed: { point: [-0.04715, -0.075628], line: "" },
};
const ADAGRAD = {
  id: "7.5-train-torch", section: "7.5", kind: "training", random: false,
  request: {
    dataset: "airfoil", batch_size: 10, epochs: 2, seed: 0, seeds: 3, device: "auto",
    runs: [{ optimizer: "adagrad", impl: "torch", hyperparams: { eta: 0.1 } }],
  },
  printed: { loss: 0.243147, sec_per_epoch: 0.040675, line: "" },
};
const BOOK = deepFreeze({ seeds: 3, decimals: 6, sigmas: 3, results: [GD, SGD, ADAGRAD] });

test("the plan: a 2D result once, a random one per seed, a training result as one job", () => {
  const tasks = planTasks(BOOK);
  assert.deepEqual(tasks.map((t) => [t.id, t.body.seed]), [
    ["7.4-gd-0.6", 0], ["7.2-sgd", 0], ["7.2-sgd", 1], ["7.2-sgd", 2], ["7.5-train-torch", 0],
  ]);
  assert.equal(tasks[4].body.seeds, 3); // the job trains every seed itself
});

test("a 2D row passes only on the printed point to 6 decimals", () => {
  const rows = startRows(BOOK);
  assert.equal(summarise(rows).verdict, "running");
  const row = rows.get(GD.id);
  assert.equal(reduceRow(row, GD, BOOK, { point: [-0.3878141, -1673.3651092] }).verdict, "pass");
  assert.equal(reduceRow(row, GD, BOOK, { point: [-0.3878141, -1673.3651] }).verdict, "fail");
  const failed = reduceRow(row, GD, BOOK, { error: "Server error: boom" });
  assert.deepEqual([failed.verdict, failed.error], ["fail", "Server error: boom"]);
});

test("a random row waits for every seed, then judges each coordinate against our spread", () => {
  let row = startRows(BOOK).get(SGD.id);
  for (const point of [[-0.2, -0.2], [0.1, 0.1]]) row = reduceRow(row, SGD, BOOK, { point });
  assert.equal(row.verdict, "running");
  assert.equal(row.ours, null);
  row = reduceRow(row, SGD, BOOK, { point: [0, 0.05] });
  assert.equal(row.verdict, "pass");
  assert.equal(row.ours.points.length, 3);
  assert.ok(Math.abs(row.ours.x1.mean - -1 / 30) < 1e-12);
  const far = { ...SGD, printed: { point: [5, 0] } }; // x1 far outside our spread, x2 inside
  let judged = startRows(BOOK).get(SGD.id);
  for (const point of [[-0.2, -0.2], [0.1, 0.1], [0, 0.05]]) judged = reduceRow(judged, far, BOOK, { point });
  assert.equal(judged.verdict, "fail");
});

test("a training row is the job's mean and sd over its seeds", () => {
  const row = startRows(BOOK).get(ADAGRAD.id);
  const job = { id: "j1", status: "done", seeds: 3, device: "cpu" };
  const run = { status: "done", final_loss: 0.2433, final_loss_sd: 0.0011, final_loss_min: 0.242, final_loss_max: 0.2458, sec_per_epoch: 0.02 };
  const passed = reduceRow(row, ADAGRAD, BOOK, { job, run });
  assert.equal(passed.verdict, "pass");
  assert.deepEqual(passed.ours, { mean: 0.2433, sd: 0.0011, min: 0.242, max: 0.2458, seeds: 3, secPerEpoch: 0.02, device: "cpu", jobId: "j1" });
  assert.equal(reduceRow(row, ADAGRAD, BOOK, { job, run: { ...run, final_loss: 0.2480 } }).verdict, "fail");
  const cancelled = reduceRow(row, ADAGRAD, BOOK, { job: { ...job, status: "cancelled" }, run: { ...run, status: "cancelled" } });
  assert.deepEqual([cancelled.verdict, cancelled.error], ["fail", "cancelled / cancelled"]);
  const rows = new Map([[GD.id, { verdict: "pass" }], [ADAGRAD.id, passed]]);
  assert.deepEqual(summarise(rows), { pass: 2, fail: 0, running: 0, total: 2, verdict: "pass" });
});

test("a result links the lab or the Training view in their own URL form", () => {
  const lab = new URL(labHref(GD.request), "http://x");
  assert.equal(lab.pathname, "/");
  assert.deepEqual(fromQuery(lab.search), {
    fn: "quadratic", x1: "-5", x2: "-2", steps: "20", seed: "0", a: { opt: "gd", impl: "book", eta: "0.6" },
  });
  const training = new URL(trainingHref(ADAGRAD.request), "http://x");
  assert.equal(training.pathname, "/training");
  assert.deepEqual(fromQuery(training.search), {
    dataset: "airfoil", batch_size: "10", epochs: "2", seed: "0", seeds: "3", device: "auto",
    a: { opt: "adagrad", impl: "torch", eta: "0.1" },
  });
  assert.equal(resultHref(ADAGRAD), trainingHref(ADAGRAD.request));
});
