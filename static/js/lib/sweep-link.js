// "Sweep these two parameters": from a view's runs (the 2D lab's or the Training view's A and B) to
// the Sweep view over two of their hyper-parameters, ranges around the values set. Pure.

import { formatNumber } from "./format.js";
import { toQuery } from "./url-state.js";

const DECAYS = new Set(["gamma", "beta1", "beta2", "rho"]);
const SIDE = { trajectory: "64", training: "32" };

/** A range around `value` for hyper-parameter `name`: η and ε in decades, decay rates over [0, 0.99]. */
export function rangeAround(name, value) {
  if (DECAYS.has(name)) return { from: "0", to: "0.99", scale: "linear" };
  if (name === "eps") return { from: "1e-8", to: "0.1", scale: "log" };
  if (name === "noise") return { from: "0", to: formatNumber(Math.max(2 * value, 1)), scale: "linear" };
  const v = value > 0 ? value : 0.1;
  return { from: formatNumber(Number((v / 30).toPrecision(2))), to: formatNumber(Math.min(100, Number((v * 10).toPrecision(2)))), scale: "log" };
}

/** The two parameters to sweep: the first two both runs have (η and γ for RMSProp and momentum). */
export function sweptPair(runs) {
  const names = (run) => Object.keys(run).filter((key) => key !== "opt" && key !== "impl");
  const [a, b] = runs;
  const shared = names(a).filter((name) => !b || names(b).includes(name));
  if (shared.length >= 2) return { pair: shared.slice(0, 2), both: true };
  const own = names(a);
  return { pair: own.length >= 2 ? own.slice(0, 2) : null, both: false };
}

/**
 * The Sweep view's URL for `problem` ({kind, ...the view's problem fields as strings}) and `runs`
 * (panel states {opt, impl, <name>: text}, A first), or null when run A has fewer than two
 * hyper-parameters (gradient descent: only η).
 */
export function sweepLink(problem, runs) {
  const { pair, both } = sweptPair(runs);
  if (!pair) return null;
  const [a, b] = runs;
  const axis = (name) => ({ param: name, ...rangeAround(name, Number(a[name])), n: SIDE[problem.kind] });
  const state = { ...problem, x: axis(pair[0]), y: axis(pair[1]), a: { ...a }, b: both && b ? { ...b } : { opt: "none" } };
  return `/sweep?${toQuery(state)}`;
}
