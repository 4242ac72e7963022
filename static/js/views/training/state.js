// The Training view's state, pure (in the spirit of tensorflow/playground's state.ts): the form
// as strings, its URL form, the defaults, and the API request it makes.
//   form: {dataset, batch_size, epochs, seed, seeds?, device, runs: [{opt, impl, <hyper-parameter>: text}]}
//   URL:  ?dataset=…&batch_size=…&epochs=…&seed=…&seeds=…&device=…&a.opt=…&b.opt=…&job=<id>&x=seconds
// `seeds` is there only when it is not 1 (one seed: the job, its request and its URL as they
// always were); `x` (the loss plots' x-axis) only when it is not epochs.

import { formatNumber } from "../../lib/format.js";
import { numberReader, runRequest } from "../../lib/form.js";
import { isObject } from "../../lib/json.js";

export const MIN_RUNS = 2;
export const MAX_RUNS = 6;
const LETTERS = "abcdef";
const DEVICES = ["auto", "cpu", "cuda"];
// The book's comparison (D2L 7.5 and 7.6 on the airfoil data): AdaGrad η=0.1 vs RMSProp η=0.01, γ=0.9.
export const DEFAULTS = Object.freeze({ dataset: "airfoil", batch_size: "10", epochs: "2", seed: "0", device: "auto" });
export const ONE_SEED = "1";
export const X_AXES = Object.freeze(["epoch", "seconds"]); // the loss plots' x: epochs or training time
const DEFAULT_RUNS = [
  { opt: "adagrad", impl: "book", eta: "0.1" },
  { opt: "rmsprop", impl: "book", eta: "0.01", gamma: "0.9" },
];
// What "+ Add a run" proposes next: the first of these the form does not hold yet.
const NEXT_RUNS = [
  { opt: "rmsprop", impl: "torch" }, { opt: "adam", impl: "book" }, { opt: "momentum", impl: "book" },
  { opt: "sgd", impl: "book" }, { opt: "adadelta", impl: "book" }, { opt: "gd", impl: "book" },
];

/**
 * The runs a URL state holds (a, b, … up to the last letter given), at least two; a letter left
 * out takes the book's pair (a, b) or the next proposal. Runs a and b keep the book's values
 * for what the URL does not say, as long as it names the same optimizer.
 */
export function runsFromState(url) {
  let count = MIN_RUNS;
  [...LETTERS].forEach((letter, i) => {
    if (isObject(url[letter])) count = Math.max(count, i + 1);
  });
  return [...LETTERS.slice(0, count)].map((letter, i) => {
    const given = isObject(url[letter]) ? url[letter] : {};
    const base = DEFAULT_RUNS[i] ?? NEXT_RUNS[i - DEFAULT_RUNS.length];
    const same = (given.opt ?? base.opt) === base.opt && (given.impl ?? base.impl) === base.impl;
    return same ? { ...base, ...given } : given;
  });
}

/** True when the server has data set `id` and can train on it. */
export function usable(datasets, id) {
  return datasets.some((d) => d.id === id && d.available);
}

/** The form a URL state asks for, completed with the defaults (an unusable data set replaced). */
export function withDefaults(url, datasets) {
  const fallback = usable(datasets, DEFAULTS.dataset)
    ? DEFAULTS.dataset : datasets.find((d) => d.available)?.id ?? DEFAULTS.dataset;
  return {
    dataset: usable(datasets, url.dataset) ? url.dataset : fallback,
    batch_size: url.batch_size ?? DEFAULTS.batch_size,
    epochs: url.epochs ?? DEFAULTS.epochs,
    seed: url.seed ?? DEFAULTS.seed,
    ...withSeeds(url.seeds),
    device: DEVICES.includes(url.device) ? url.device : DEFAULTS.device,
    runs: runsFromState(url),
  };
}

/** `{seeds: text}` for a form, or nothing for one seed (the default). */
export function withSeeds(text) {
  const typed = typeof text === "string" ? text.trim() : "";
  return typed === "" || typed === ONE_SEED ? {} : { seeds: typed };
}

/** The loss plots' x-axis a URL state asks for: "seconds", else "epoch". */
export function xAxisOf(url) {
  return X_AXES.includes(url.x) ? url.x : X_AXES[0];
}

/** The URL state of a form (and of the job shown, if any; the x-axis when it is not epochs). */
export function toUrl(form, jobId = null, xAxis = X_AXES[0]) {
  const { runs, ...fields } = form;
  const state = { ...fields };
  runs.forEach((run, i) => { state[LETTERS[i]] = run; });
  if (jobId) state.job = jobId;
  if (xAxis !== X_AXES[0]) state.x = xAxis;
  return state;
}

/** The form a job ran (after a reload on a bare ?job= link, or back to an older job). */
export function formFromJob(job, datasets, currentDataset) {
  const runs = job.runs.map((run) => {
    const state = { opt: run.optimizer, impl: run.impl };
    for (const [name, value] of Object.entries(run.hyperparams)) state[name] = formatNumber(value);
    return state;
  });
  return {
    dataset: datasets.some((d) => d.id === job.dataset.id) ? job.dataset.id : currentDataset,
    batch_size: String(job.batch_size), epochs: String(job.epochs), seed: String(job.seed),
    ...withSeeds(job.seeds === undefined ? undefined : String(job.seeds)),
    device: job.device_requested, runs: runs.slice(0, MAX_RUNS),
  };
}

/** The run "+ Add a run" proposes after `runs`: the first proposal the form does not hold yet. */
export function nextRun(runs) {
  const held = new Set(runs.map((s) => `${s.opt}/${s.impl}`));
  return { ...(NEXT_RUNS.find((r) => !held.has(`${r.opt}/${r.impl}`)) ?? NEXT_RUNS[0]) };
}

/** The epochs the empty axes span: the typed number when it is a positive integer, else 2. */
export function epochsShown(text) {
  const epochs = Number.parseInt(text, 10);
  return Number.isFinite(epochs) && epochs > 0 ? epochs : 2;
}

/** The API body of a form, or the fields that cannot be sent as typed ({body, errors}). */
export function requestFrom(form) {
  const errors = [];
  const number = numberReader(errors);
  const body = {
    dataset: form.dataset,
    batch_size: number(form.batch_size, "batch_size"),
    epochs: number(form.epochs, "epochs"),
    seed: number(form.seed, "seed"),
    ...(form.seeds === undefined ? {} : { seeds: number(form.seeds, "seeds") }),
    device: form.device,
    runs: form.runs.map((run, i) => runRequest(run, `runs[${i}]`, errors)),
  };
  return { body, errors };
}
