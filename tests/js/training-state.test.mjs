// The Training view's state: URL ⇄ form ⇄ request.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  epochsShown, formFromJob, nextRun, requestFrom, runsFromState, toUrl, withDefaults, withSeeds, xAxisOf,
} from "../../static/js/views/training/state.js";
import { fromQuery, toQuery } from "../../static/js/lib/url-state.js";

const DATASETS = [
  { id: "airfoil", available: true },
  { id: "synthetic", available: true },
  { id: "upload-1", available: false },
];

test("an empty URL is the book's comparison on airfoil", () => {
  assert.deepEqual(withDefaults({}, DATASETS), {
    dataset: "airfoil", batch_size: "10", epochs: "2", seed: "0", device: "auto",
    runs: [{ opt: "adagrad", impl: "book", eta: "0.1" }, { opt: "rmsprop", impl: "book", eta: "0.01", gamma: "0.9" }],
  });
});

test("an unusable data set or an unknown device falls back", () => {
  assert.equal(withDefaults({ dataset: "upload-1" }, DATASETS).dataset, "airfoil");
  assert.equal(withDefaults({ dataset: "gone" }, DATASETS).dataset, "airfoil");
  assert.equal(withDefaults({}, [{ id: "airfoil", available: false }, { id: "synthetic", available: true }]).dataset, "synthetic");
  assert.equal(withDefaults({ device: "tpu" }, DATASETS).device, "auto");
  assert.equal(withDefaults({ device: "cuda" }, DATASETS).device, "cuda");
});

test("runs: up to the last letter given, letters left out filled, a and b keep the book's values", () => {
  const runs = runsFromState({ b: { opt: "adam" }, d: { opt: "sgd", eta: "0.05" } });
  assert.deepEqual(runs, [
    { opt: "adagrad", impl: "book", eta: "0.1" },
    { opt: "adam" },
    { opt: "rmsprop", impl: "torch" }, // c: the first proposal after the book's pair
    { opt: "sgd", eta: "0.05" },
  ]);
  assert.deepEqual(runsFromState({ a: { eta: "0.5" } })[0], { opt: "adagrad", impl: "book", eta: "0.5" });
  assert.equal(runsFromState({ g: { opt: "gd" } }).length, 2); // only a–f
  assert.equal(runsFromState({ a: "text" }).length, 2);
});

test("the form's URL: runs as letters, the job last, and back again", () => {
  const form = withDefaults({ epochs: "3" }, DATASETS);
  const url = toUrl(form, "job1");
  assert.deepEqual(Object.keys(url), ["dataset", "batch_size", "epochs", "seed", "device", "a", "b", "job"]);
  assert.deepEqual(withDefaults(fromQuery(toQuery(url).toString()), DATASETS), form);
  assert.equal(toUrl(form).job, undefined);
});

test("the form a job ran: numbers as typed text, its data set if the server still has it", () => {
  const job = {
    dataset: { id: "synthetic" }, batch_size: 10, epochs: 2, seed: 1, device_requested: "cpu",
    runs: [{ optimizer: "adam", impl: "torch", hyperparams: { eta: 0.01, eps: 1e-8 } }],
  };
  assert.deepEqual(formFromJob(job, DATASETS, "airfoil"), {
    dataset: "synthetic", batch_size: "10", epochs: "2", seed: "1", device: "cpu",
    runs: [{ opt: "adam", impl: "torch", eta: "0.01", eps: "1e-8" }],
  });
  assert.equal(formFromJob({ ...job, dataset: { id: "upload-9" } }, DATASETS, "airfoil").dataset, "airfoil");
});

test("Add a run proposes the first optimizer the form does not hold", () => {
  assert.deepEqual(nextRun([{ opt: "adagrad", impl: "book" }]), { opt: "rmsprop", impl: "torch" });
  assert.deepEqual(nextRun([{ opt: "rmsprop", impl: "torch" }, { opt: "adam", impl: "book" }]), { opt: "momentum", impl: "book" });
  const proposal = nextRun([]);
  proposal.opt = "changed";
  assert.equal(nextRun([]).opt, "rmsprop"); // a copy, not the table itself
});

test("the request: numbers parsed, refusals named by field in form order", () => {
  const { body, errors } = requestFrom(withDefaults({}, DATASETS));
  assert.deepEqual(errors, []);
  assert.deepEqual(body, {
    dataset: "airfoil", batch_size: 10, epochs: 2, seed: 0, device: "auto",
    runs: [
      { optimizer: "adagrad", impl: "book", hyperparams: { eta: 0.1 } },
      { optimizer: "rmsprop", impl: "book", hyperparams: { eta: 0.01, gamma: 0.9 } },
    ],
  });
  const bad = { ...withDefaults({}, DATASETS), epochs: "two", seed: "" };
  bad.runs = [{ opt: "adagrad", impl: "book", eta: "fast" }, bad.runs[1]];
  assert.deepEqual(requestFrom(bad).errors, [
    { field: "epochs", message: '"two" is not a number' },
    { field: "seed", message: "enter a number" },
    { field: "runs[0].hyperparams.eta", message: '"fast" is not a number' },
  ]);
});

test("the empty axes span the typed epochs when they are a positive integer", () => {
  assert.equal(epochsShown("5"), 5);
  assert.equal(epochsShown("0"), 2);
  assert.equal(epochsShown("two"), 2);
  assert.equal(epochsShown(""), 2);
});

test("seeds: in the form, the URL and the request only when not 1; the x-axis only when seconds", () => {
  const five = withDefaults({ seeds: "5", x: "seconds" }, DATASETS);
  assert.equal(five.seeds, "5");
  assert.equal(requestFrom(five).body.seeds, 5);
  assert.equal("seeds" in withDefaults({ seeds: "1" }, DATASETS), false);
  assert.equal("seeds" in requestFrom(withDefaults({}, DATASETS)).body, false);
  assert.deepEqual(requestFrom({ ...five, seeds: "many" }).errors, [{ field: "seeds", message: '"many" is not a number' }]);
  assert.equal(toUrl(five, "job1", "seconds").x, "seconds");
  assert.equal(toUrl(five, "job1", "epoch").x, undefined);
  assert.equal(xAxisOf({ x: "seconds" }), "seconds");
  assert.equal(xAxisOf({ x: "minutes" }), "epoch");
  assert.deepEqual(withSeeds(" 3 "), { seeds: "3" });
  assert.deepEqual(withSeeds(""), {});
  const job = { dataset: { id: "synthetic" }, batch_size: 10, epochs: 2, seed: 4, seeds: 5, device_requested: "cpu", runs: [] };
  assert.equal(formFromJob(job, DATASETS, "airfoil").seeds, "5");
  assert.equal("seeds" in formFromJob({ ...job, seeds: 1 }, DATASETS, "airfoil"), false);
});
