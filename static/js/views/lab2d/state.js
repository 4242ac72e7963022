// The 2D lab's state: what the form holds, as strings (the URL's form of it), and the API
// request it makes. Pure, like tensorflow/playground's state.ts: the view reads and writes the
// DOM, this module decides defaults, what goes into the URL and what is sent.
//   {fn, expr?, x1, x2, box?: {x1min, x1max, x2min, x2max}, steps, seed, overlay: "0"|"1",
//    a: {opt, impl, <hyper-parameter>: text}, b: {...}}

import { isObject } from "../../lib/json.js";
import { formatNumber, parseNumber } from "../../lib/format.js";
import { numberReader, runRequest } from "../../lib/form.js";

// The book's comparison: AdaGrad (7.5) vs RMSProp (7.6) on 0.1·x1² + 2·x2² from (−5, −2).
export const DEFAULTS = Object.freeze({
  fn: "quadratic", steps: "20", seed: "0", overlay: "0",
  a: Object.freeze({ opt: "adagrad", impl: "book", eta: "0.4" }),
  b: Object.freeze({ opt: "rmsprop", impl: "book", eta: "0.4", gamma: "0.9" }),
});
export const PANELS = ["a", "b"];
export const CUSTOM = "custom"; // the function typed by the user, sent as `expression`
export const DEFAULT_EXPRESSION = "0.1*x1**2 + 2*x2**2 + 0.3*sin(3*x1)";
// The view box, in the API's order [x1min, x1max, x2min, x2max]; in the URL only when edited.
export const BOX = ["x1min", "x1max", "x2min", "x2max"];

/** A panel's state: the URL's values over the book's, kept only while it names the book's optimizer. */
function panelState(given, base) {
  if (given.opt && given.opt !== base.opt) return given;
  return given.impl && given.impl !== base.impl ? { opt: base.opt, ...given } : { ...base, ...given };
}

/** A URL state completed with the defaults; `functions` is the catalogue by name. */
export function withDefaults(url, functions) {
  const fn = functions.has(url.fn) ? url.fn : DEFAULTS.fn;
  const start = functions.get(fn).start.map(formatNumber);
  const given = (key) => (isObject(url[key]) ? url[key] : {});
  return {
    fn,
    expr: fn === CUSTOM ? url.expr ?? DEFAULT_EXPRESSION : undefined,
    x1: url.x1 ?? start[0],
    x2: url.x2 ?? start[1],
    box: isObject(url.box) ? url.box : undefined,
    steps: url.steps ?? DEFAULTS.steps,
    seed: url.seed ?? DEFAULTS.seed,
    overlay: url.overlay ?? DEFAULTS.overlay,
    a: panelState(given("a"), DEFAULTS.a),
    b: panelState(given("b"), DEFAULTS.b),
  };
}

/** The view box's texts: those of `given` ({x1min, ...}) where it has them, else the function's. */
export function boxTexts(given, info) {
  return Object.fromEntries(BOX.map((key, i) => [
    key, isObject(given) && typeof given[key] === "string" ? given[key] : formatNumber(info.box[i]),
  ]));
}

/** True when the typed box differs from the function's (then it is sent and kept in the URL). */
export function boxEdited(texts, info) {
  return BOX.some((key, i) => parseNumber(texts[key]).value !== info.box[i]);
}

/** The API body of a state, or the fields that cannot be sent as typed ({body, errors}). */
export function requestFrom(state, info) {
  const errors = [];
  const number = numberReader(errors);
  const start = [number(state.x1, "start[0]"), number(state.x2, "start[1]")];
  const steps = number(state.steps, "steps");
  const seed = number(state.seed, "seed");
  const runs = PANELS.map((key, i) => runRequest(state[key], `runs[${i}]`, errors));
  const texts = boxTexts(state.box, info);
  const box = BOX.map((key, i) => number(texts[key], `box[${i}]`));
  const body = { function: state.fn, start, steps, seed, runs };
  if (state.fn === CUSTOM) body.expression = state.expr;
  if (box.some((value, i) => value !== info.box[i])) body.box = box;
  return { body, errors };
}
