// What the History list and run page, and the upload field, say about a record or a refusal.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../static/js/lib/api.js";
import { resultText } from "../../static/js/views/history/list.js";
import { runLabel, runTag, sameLandscape } from "../../static/js/views/history/plots.js";
import { storedStatus } from "../../static/js/views/history/run.js";
import { uploadRefusal } from "../../static/js/views/training/datasets.js";

test("a record's result in the list: final loss or f, diverged said plainly", () => {
  const training = { kind: "training", runs: [
    { optimizer: "adam", status: "done", final_loss: 0.2434521 },
    { optimizer: "sgd", status: "diverged", final_loss: null },
    { optimizer: "rmsprop", status: "cancelled", final_loss: null },
  ] };
  assert.equal(resultText(training), "adam: loss 0.243452 · sgd: diverged · rmsprop: cancelled");
  const comparison = { kind: "trajectory", runs: [{ optimizer: "adagrad", status: "ok", final_value: 0.617962 }] };
  assert.equal(resultText(comparison), "adagrad: f 0.618");
  const sweep = { kind: "sweep", runs: [{
    optimizer: "momentum", status: "done", cells: 4096, diverged: 12,
    best: { row: 3, col: 9, eta: 0.44014, gamma: 0.792, value: 1.23456e-7 },
  }] };
  assert.equal(resultText(sweep), "momentum: best 1.235e-7 at eta=0.4401, gamma=0.792 · 12 of 4096 cells diverged");
  assert.equal(resultText({ kind: "sweep", runs: [{ optimizer: "gd", status: "queued", best: null }] }), "gd: queued");
});

test("stored runs are tagged by letter alone, or by record and letter when compared", () => {
  assert.equal(runTag(0, 1, true), "B");
  assert.equal(runTag(1, 0, false), "R2A");
  const info = { label: "Adam", hyperparams: [{ name: "eta", symbol: "η" }] };
  assert.equal(runLabel({ optimizer: "adam", impl: "torch", hyperparams: { eta: 0.01 } }, info), "Adam (torch) η=0.01");
  assert.equal(runLabel({ optimizer: "gd", impl: "book", hyperparams: {} }, undefined), "gd");
  assert.equal(storedStatus({ status: "diverged", diverged_at: 1.23456 }, true), "diverged at epoch 1.235");
  assert.equal(storedStatus({ status: "diverged", diverged_at: 7 }, false), "diverged at step 7");
  assert.equal(storedStatus({ status: "diverged", diverged_at: null }, false), "diverged");
  assert.equal(storedStatus({ status: "ok" }, false), "ok");
});

test("one landscape fits compared 2D runs only when function, expression and box agree", () => {
  const record = (config) => ({ config: { function: "quadratic", ...config } });
  assert.equal(sameLandscape([record({}), record({ start: [1, 1] })]), true);
  assert.equal(sameLandscape([record({}), record({ function: "beale" })]), false);
  assert.equal(sameLandscape([record({ box: [0, 1, 0, 1] }), record({})]), false);
  assert.equal(sameLandscape([record({ function: "custom", expression: "x1" }), record({ function: "custom", expression: "x2" })]), false);
});

test("an upload's refusal: the 422's messages, a 413 as too large, else the error", () => {
  const invalid = new ApiError(422, "file: line 7, column 2: not a number", {
    detail: [{ field: "file", msg: "file: line 7, column 2: not a number" }],
  });
  assert.equal(uploadRefusal(invalid), "line 7, column 2: not a number");
  const large = new ApiError(413, "server answered 413: the file is over 10 MB", { reason: "the file is over 10 MB" });
  assert.equal(uploadRefusal(large), "too large: the file is over 10 MB");
  assert.equal(uploadRefusal(new ApiError(0, "cannot reach the server")), "cannot reach the server");
});

test("the views' words follow the page's language", async () => {
  const { useCatalogue } = await import("../../static/js/lib/i18n.js");
  const { jobLine } = await import("../../static/js/views/training/job.js");
  const { compareHint } = await import("../../static/js/views/history/state.js");
  const job = { id: "j1", status: "running", device: "cpu", progress: 0.5, epochs: 2, batch_size: 10 };
  useCatalogue("zh", {
    "job {id}": "任务 {id}",
    "running on {device}": "在 {device} 上运行",
    "{n} epoch at batch {batch}": ["{n} 个迭代周期，批量大小 {batch}"],
    "tick 2–4 runs of one kind to overlay them": "勾选 2–4 个同类运行以叠加显示",
  });
  try {
    assert.equal(jobLine(job), "任务 j1 · 在 cpu 上运行 · 50% · 2 个迭代周期，批量大小 10");
    assert.equal(compareHint(new Map()), "勾选 2–4 个同类运行以叠加显示");
  } finally {
    useCatalogue("en", {});
  }
  assert.equal(jobLine(job), "job j1 · running on cpu · 50% · 2 epochs at batch 10");
});
