// A streamed 2D comparison as data: the reducer of POST /api/trajectories/stream's events
// (meta, step…, done) and what the charts need from it. Pure: no DOM, no Plotly.
//   state: {meta, runs: [{points, values, lr, state, status, divergedAt}], done, runId, storeError}
//   (a run's `state` is its optimizer state after each step: {s: [[s1, s2], ...], ...})

import { formatNumber } from "../../lib/format.js";
import { hyperparamText, implName, optimizerName, runLetter, tagged } from "../../lib/labels.js";

/** The comparison a `meta` event opens: no points yet. */
export function startComparison(meta) {
  return {
    meta,
    runs: meta.runs.map(() => ({ points: [], values: [], lr: [], state: {}, status: "ok", divergedAt: null })),
    done: false,
    runId: null,
    storeError: null,
  };
}

/** Each state entry of `before` with the rows of `added` appended. */
function appendState(before, added = {}) {
  const state = { ...before };
  for (const [key, rows] of Object.entries(added)) state[key] = (state[key] ?? []).concat(rows);
  return state;
}

/** The comparison after a `step` event ({first, runs: [{points, values, lr_eff, state, status, diverged_at}]}). */
export function addStep(state, step) {
  const runs = state.runs.map((run, i) => {
    const part = step.runs[i];
    if (!part) return run;
    return {
      points: run.points.concat(part.points),
      values: run.values.concat(part.values),
      lr: run.lr.concat(part.lr_eff),
      state: appendState(run.state, part.state),
      status: part.status,
      divergedAt: part.diverged_at,
    };
  });
  return { ...state, runs };
}

/** The comparison after `done` ({run_id}: the stored record; null, with store_error, when the
 * run history could not store it: the paths are all here all the same). */
export function finish(state, done) {
  return { ...state, done: true, runId: done.run_id ?? null, storeError: done.store_error ?? null };
}

/**
 * The comparison a whole answer of POST /api/trajectories makes, over the `meta` of the stream it
 * re-runs (its contour, box and start: the same problem, only the runs' settings differ).
 */
export function fromAnswer(meta, answer) {
  return {
    meta: {
      ...meta,
      runs: answer.runs.map((r) => ({ optimizer: r.optimizer, impl: r.impl, hyperparams: r.hyperparams })),
    },
    runs: answer.runs.map((r) => ({
      points: r.points, values: r.values, lr: r.lr_eff, state: r.state ?? {}, status: r.status, divergedAt: r.diverged_at,
    })),
    done: true,
    runId: answer.run_id ?? null,
  };
}

const sameList = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * True when request `body` poses the problem `meta` was drawn for (function, expression, start,
 * steps, view box), so only its runs' settings differ: then a whole answer can replace the runs
 * in the drawn charts. `box` is the function's own box, which `meta.box` holds when none is sent.
 */
export function sameProblem(meta, body, box) {
  return Boolean(meta)
    && meta.function === body.function
    && (meta.expression ?? null) === (body.expression ?? null)
    && meta.steps === body.steps
    && meta.runs.length === body.runs.length
    && sameList(meta.start, body.start)
    && sameList(meta.box, body.box ?? box);
}

/** One reducer over the stream's events; unknown events leave the state as it is. */
export function reduceComparison(state, name, data) {
  if (name === "meta") return startComparison(data);
  if (!state) return state;
  if (name === "step") return addStep(state, data);
  if (name === "done") return finish(state, data);
  return state;
}

/**
 * What a `step` event adds to each chart, as Plotly.extendTraces updates:
 *  - paths: one trace per run (x1, x2)
 *  - values: one trace per run (step, f)
 *  - rates: two traces per run (step, rate on x1 / x2)
 */
export function stepUpdates({ first, runs }) {
  const steps = (rows) => rows.map((_, j) => first + j);
  return {
    paths: { x: runs.map((p) => p.points.map((xy) => xy[0])), y: runs.map((p) => p.points.map((xy) => xy[1])) },
    values: { x: runs.map((p) => steps(p.values)), y: runs.map((p) => p.values) },
    rates: {
      x: runs.flatMap((p) => [steps(p.lr_eff), steps(p.lr_eff)]),
      y: runs.flatMap((p) => [p.lr_eff.map((row) => row[0]), p.lr_eff.map((row) => row[1])]),
    },
  };
}

/**
 * Every run's whole curves as Plotly.restyle updates: paths (x₁, x₂ and z = f(xₜ) for a surface),
 * values from step 0, rates from step 1 (the rate of step t is the one that led to xₜ).
 */
export function wholeUpdates(state) {
  const points = { points: [], values: [], lr_eff: [] };
  const start = stepUpdates({ first: 0, runs: state.runs.map((run) => ({ ...points, points: run.points, values: run.values })) });
  const rates = stepUpdates({ first: 1, runs: state.runs.map((run) => ({ ...points, lr_eff: run.lr })) }).rates;
  return { paths: start.paths, heights: { z: state.runs.map((run) => run.values) }, values: start.values, rates };
}

/** True when a step brings f ≤ 0 (an exact minimum, a saddle): a log axis cannot show it. */
export function hasNonPositive(step) {
  return step.runs.some((part) => part.values.some((v) => v <= 0));
}

/** Run i as lib/explain.js reads it: its configuration (meta) and everything streamed so far. */
export function runAt(state, i) {
  const { optimizer, impl, hyperparams } = state.meta.runs[i];
  const run = state.runs[i];
  return { optimizer, impl, hyperparams, points: run.points, lr_eff: run.lr, state: run.state };
}

/** The newest frame any run has reached. */
export function lastFrame(state) {
  return Math.max(0, ...state.runs.map((r) => r.points.length - 1));
}

/** Where each run is at frame k (a run that stopped early stays at its last point). */
export function positionsAt(state, k) {
  return state.runs.map((run) => run.points[Math.min(k, run.points.length - 1)] ?? state.meta.start);
}

/** f at each run's position at frame k (null before its first point): the markers' height in 3D. */
export function valuesAt(state, k) {
  return state.runs.map((run) => run.values[Math.min(k, run.values.length - 1)] ?? null);
}

/**
 * How run i is named: `name` "A · RMSProp" (legends), `label` "RMSProp", `details`
 * "book, η=0.4, γ=0.9"; `optimizers` is the catalogue by name.
 */
export function runNames(meta, optimizers) {
  return meta.runs.map((config, i) => {
    const info = optimizers.get(config.optimizer);
    const label = optimizerName(config, info);
    return {
      tag: runLetter(i),
      label,
      name: tagged(runLetter(i), label),
      details: `${implName(config.impl)}, ${hyperparamText(config, info, formatNumber)}`,
    };
  });
}
