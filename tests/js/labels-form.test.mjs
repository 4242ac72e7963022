// Names of runs and hyper-parameters, form helpers and the axis rules.
import assert from "node:assert/strict";
import { test } from "node:test";

import { closestField, defaultsFor, hyperparamTitle, numberReader, runRequest } from "../../static/js/lib/form.js";
import { formatNumber } from "../../static/js/lib/format.js";
import { datasetName, hyperparamText, implName, optimizerName, runLetter, tagged } from "../../static/js/lib/labels.js";
import { logFits, spansDecades } from "../../static/js/plots/axes.js";
import { markerMode } from "../../static/js/plots/chart.js";

const RMSPROP = {
  name: "rmsprop", label: "RMSProp",
  hyperparams: [
    { name: "eta", symbol: "η", default: 0.4, training_default: 0.01, torch_default: 0.4, bounds: "(0, 100]", description: "learning rate" },
    { name: "gamma", symbol: "γ", default: 0.9, training_default: 0.9, torch_default: 0.9, bounds: "[0, 1)", description: "decay" },
    { name: "eps", symbol: "ε", default: 1e-6, training_default: 1e-6, torch_default: 1e-8, bounds: "[0, 1]", description: "ε" },
  ],
};

test("runs are lettered and tagged", () => {
  assert.deepEqual([0, 1, 5].map(runLetter), ["A", "B", "F"]);
  assert.equal(tagged("R2B", "Adam"), "R2B · Adam");
});

test("an optimizer's name, with (torch) where asked, else the API name", () => {
  const run = { optimizer: "rmsprop", impl: "torch", hyperparams: { eta: 0.01, gamma: 0.9, eps: 1e-6 } };
  assert.equal(optimizerName(run, RMSPROP), "RMSProp");
  assert.equal(optimizerName(run, RMSPROP, { torchTag: true }), "RMSProp (torch)");
  assert.equal(optimizerName({ ...run, impl: "book" }, RMSPROP, { torchTag: true }), "RMSProp");
  assert.equal(optimizerName(run, undefined), "rmsprop");
  assert.equal(implName("torch"), "torch.optim");
  assert.equal(implName("book"), "book");
});

test("hyper-parameters with the book's symbols, in the run's order, formatted as asked", () => {
  const run = { hyperparams: { eps: 1e-6, eta: 0.01, rho: 0.9 } };
  assert.equal(hyperparamText(run, RMSPROP, formatNumber), "ε=1e-6, η=0.01, rho=0.9");
  assert.equal(hyperparamText(run, RMSPROP), "ε=0.000001, η=0.01, rho=0.9");
  assert.equal(hyperparamText({}, RMSPROP), "");
});

test("a synthetic data set always says so", () => {
  assert.equal(datasetName({ label: "Seeded regression", synthetic: true }), "Seeded regression (synthetic)");
  assert.equal(datasetName({ label: "Synthetic data", synthetic: true }), "Synthetic data");
  assert.equal(datasetName({ label: "mine.csv", synthetic: false }), "mine.csv");
});

test("defaults per context and implementation; the input's tooltip names both", () => {
  assert.deepEqual(defaultsFor(RMSPROP), { eta: 0.4, gamma: 0.9, eps: 1e-6 });
  assert.deepEqual(defaultsFor(RMSPROP, "book", "training"), { eta: 0.01, gamma: 0.9, eps: 1e-6 });
  assert.deepEqual(defaultsFor(RMSPROP, "torch", "training"), { eta: 0.01, gamma: 0.9, eps: 1e-8 });
  assert.equal(hyperparamTitle(RMSPROP.hyperparams[2]), "ε · allowed [0, 1] · default 1e-6 (PyTorch 1e-8)");
  assert.equal(hyperparamTitle(RMSPROP.hyperparams[0]), "learning rate · allowed (0, 100] · default 0.4");
});

test("a panel's state becomes the API's run; bad text is refused under its field", () => {
  const errors = [];
  const run = runRequest({ opt: "rmsprop", impl: "book", eta: "0.4", gamma: "", eps: "1e-6" }, "runs[1]", errors);
  assert.deepEqual(run, { optimizer: "rmsprop", impl: "book", hyperparams: { eta: 0.4, eps: 1e-6 } });
  assert.deepEqual(errors, [{ field: "runs[1].hyperparams.gamma", message: "enter a number" }]);
  const number = numberReader(errors);
  assert.equal(number("12", "steps"), 12);
  assert.equal(number("x", "seed"), undefined);
  assert.equal(errors.at(-1).field, "seed");
});

test("an API error goes to its field, else to the closest enclosing one", () => {
  const fields = ["runs[0].hyperparams", "runs[0].hyperparams.eta", "start", "runs", "box"];
  assert.equal(closestField(fields, "runs[0].hyperparams.eta"), "runs[0].hyperparams.eta");
  assert.equal(closestField(fields, "runs[0].hyperparams.zeta"), "runs[0].hyperparams");
  assert.equal(closestField(fields, "start[1]"), "start");
  assert.equal(closestField(fields, "runs[3].optimizer"), "runs");
  assert.equal(closestField(fields, "boxes"), null); // a prefix of the name is not its parent
  assert.equal(closestField(fields, "body"), null);
});

test("a loss axis turns log when the finite positive values span more than 100×", () => {
  assert.equal(spansDecades([0.5, 0.25, 0.2]), false);
  assert.equal(spansDecades([50, 0.25, 0.2]), true);
  assert.equal(spansDecades([20, 0.2]), false); // exactly 100: not more
  assert.equal(spansDecades([0.5, 0, -3, Number.NaN, Infinity, 0.4]), false);
  assert.equal(spansDecades([7]), false);
  assert.equal(spansDecades([]), false);
  assert.equal(logFits([[1, 0.1, null], [3]]), true);
  assert.equal(logFits([[1, 0.1], [0]]), false);
  assert.equal(markerMode(60, 60), "lines+markers");
  assert.equal(markerMode(61, 60), "lines");
});

test("run colours at an opacity, for the seeds' bands", async () => {
  const { translucent } = await import("../../static/js/lib/colors.js");
  assert.equal(translucent("#2563eb", 0.25), "rgba(37, 99, 235, 0.25)");
  assert.equal(translucent("#fff", 0.5), "rgba(255, 255, 255, 0.5)");
  assert.equal(translucent("rgb(1, 2, 3)", 0.1), "rgba(1, 2, 3, 0.1)");
  assert.equal(translucent("teal", 0.1), "teal");
});
