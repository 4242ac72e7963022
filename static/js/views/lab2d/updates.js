// Updates of the 2D lab's drawn charts, pure (no DOM, no Plotly): what the player's frame changes,
// and what one answer of a slider drag changes — which runs, which traces show them, and those
// traces' new data in the form Plotly.animate takes ([{x, y}, …] beside their indices).
// Redrawing only these traces, with the other traces and the axes left as they are, is what keeps
// a drag fluid: a whole redraw of a landscape recomputes and repaints its contours.

import { positionsAt, valuesAt } from "./comparison.js";

const CURSOR = { type: "line", xref: "x", yref: "paper", y0: 0, y1: 1, line: { color: "#6b7280", width: 1, dash: "dot" } };

/**
 * What frame k changes, as restyle / relayout updates: each landscape's "now" markers (with their
 * height on a surface: `heights[which]` maps f to it, false on contours), the rings on f(xₜ) and
 * on the rates (Plotly's selected points: f(xₜ) from step 0, the rates from step 1), the cursor.
 */
export function frameChanges(state, k, heights) {
  const at = positionsAt(state, k);
  const values = valuesAt(state, k);
  const markers = heights.map((height) => ({
    x: at.map((p) => [p[0]]),
    y: at.map((p) => [p[1]]),
    ...(height ? { z: values.map((v) => [height(v)]) } : {}),
  }));
  return {
    markers,
    rings: { selectedpoints: state.runs.map(() => [k]) },
    rateRings: { selectedpoints: state.runs.flatMap(() => [[k - 1], [k - 1]]) },
    cursor: { shapes: [{ ...CURSOR, x0: k, x1: k }] },
  };
}

/** Two restyle-style updates over consecutive traces as one ({x, y} and z when both have it). */
export function joined(a, b) {
  return { x: [...a.x, ...b.x], y: [...a.y, ...b.y], ...(a.z && b.z ? { z: [...a.z, ...b.z] } : {}) };
}

/** Indices of the runs whose settings (optimizer, impl, hyper-parameters) differ from before. */
export function changedRuns(before, after) {
  return after.flatMap((run, i) => (i < before.length && JSON.stringify(before[i]) === JSON.stringify(run) ? [] : [i]));
}

/**
 * The runs landscape `which` draws: its own, or all of them on the first when the paths are
 * overlaid (the second is hidden then, and draws none).
 */
export function landscapeRuns(which, count, overlay) {
  if (!overlay) return [which];
  return which === 0 ? Array.from({ length: count }, (_, i) => i) : [];
}

/** Trace `k` of a restyle-style update ({x: [[…], …], y: […], z?}) as that one trace's data. */
function traceOf(update, k) {
  return Object.fromEntries(Object.keys(update).map((key) => [key, update[key][k]]));
}

/**
 * The traces of a landscape that runs `runs` move: each one's path and its "now" marker (`paths`,
 * `markers`: restyle-style updates over every run; `indices`: {path: [..], marker: [..]}, the
 * trace index of each run's path and marker).
 */
export function landscapeFrame(paths, markers, runs, indices) {
  return {
    traces: [...runs.map((i) => indices.path[i]), ...runs.map((i) => indices.marker[i])],
    data: [...runs.map((i) => traceOf(paths, i)), ...runs.map((i) => traceOf(markers, i))],
  };
}

/** The trace indices of runs `runs` on a curve chart of `perRun` traces per run (in run order). */
export function curveTraces(runs, perRun) {
  return runs.flatMap((i) => Array.from({ length: perRun }, (_, c) => i * perRun + c));
}

/**
 * The traces of a curve chart that runs `runs` move, `perRun` traces per run (f(xₜ): one; the
 * rates: one per coordinate), from a restyle-style update over every run's traces.
 */
export function curveFrame(update, runs, perRun) {
  const traces = curveTraces(runs, perRun);
  return { traces, data: traces.map((k) => traceOf(update, k)) };
}
