// Where a book result opens: the 2D lab or the Training view with its configuration, in each
// view's own URL form (see views/lab2d/state.js and views/training/state.js). Pure.

import { formatNumber } from "../../lib/format.js";
import { toQuery } from "../../lib/url-state.js";
import { toUrl } from "../training/state.js";

/** A run of a request as a form panel's strings: {opt, impl, <hyper-parameter>: text}. */
function panel(run) {
  const state = { opt: run.optimizer, impl: run.impl };
  for (const [name, value] of Object.entries(run.hyperparams)) state[name] = formatNumber(value);
  return state;
}

/** The 2D lab on this request's function, start, steps and seed, its run as panel A. */
export function labHref(request) {
  const state = {
    fn: request.function,
    x1: formatNumber(request.start[0]),
    x2: formatNumber(request.start[1]),
    steps: String(request.steps),
    seed: String(request.seed),
    a: panel(request.runs[0]),
  };
  return `/?${toQuery(state)}`;
}

/** The Training view with this request's data set, schedule and seeds, its run as run a. */
export function trainingHref(request) {
  const form = {
    dataset: request.dataset,
    batch_size: String(request.batch_size),
    epochs: String(request.epochs),
    seed: String(request.seed),
    seeds: String(request.seeds),
    device: request.device,
    runs: request.runs.map(panel),
  };
  return `/training?${toQuery(toUrl(form))}`;
}

/** The view a result opens in. */
export function resultHref(result) {
  return result.kind === "trajectory" ? labHref(result.request) : trainingHref(result.request);
}
