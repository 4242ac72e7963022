// Every word the Sweep view shows, in one place (for the translations to come). Pure.

import { figure, formatNumber, percent } from "../../lib/format.js";

export const METRICS = {
  trajectory: [
    { name: "final_value", label: "f(x_T): the final value", log: true },
    { name: "distance", label: "distance to the nearest known minimum", log: true },
    { name: "steps_to_tol", label: "steps until f − f* ≤ 1e-6", log: false },
    { name: "minimum", label: "which minimum it reached (basin map)", log: false, basin: true },
  ],
  training: [{ name: "final_loss", label: "final loss", log: true }],
};

export const WORDS = {
  idle: "Set the grid and press Run: every cell is one run, all of them at once.",
  queued: "queued…",
  running: (done, rows, fraction) => `running: ${done} of ${rows} rows (${percent(fraction)})`,
  done: (cells, seconds) => `${cells.toLocaleString("en")} cells in ${figure(seconds, 3)} s`,
  cancelled: (done, rows) => `cancelled after ${done} of ${rows} rows`,
  failed: (error) => `failed: ${error ?? "unknown error"}`,
  interrupted: "interrupted: the server stopped",
  invalid: "fix the marked fields",
  refusedB: "optimizer B: ",
  noB: "none: one heatmap",
  swept: "swept",
  book: (text) => `the book's setting (${text})`,
  bookStart: "the function's start",
  diverged: (step, kind) => (kind === "training" ? `diverged at epoch ${figure(step, 4)}` : `diverged at step ${step}`),
  never: "never",
  notSettled: "not settled near a known minimum",
  minimumAt: (k, point) => `minimum #${k} at (${figure(point[0], 4)}, ${figure(point[1], 4)})`,
  clickHint: "click a cell to run it in the 2D lab",
  clickHintTraining: "click a cell to train it in the Training view",
  heatmapTitle: (letter, name) => `${letter} · ${name}`,
  colourTitle: (metric, log) => (log ? `${metric} (log)` : metric),
  commonParams: "both optimizers must have the swept parameters; choose others or another optimizer",
  basinNeedsMinima: "a basin map needs a function with known minima",
  savedRun: "saved sweep",
};

/** "η = 0.0123" for an axis value (x₁, x₂ for the start point). */
export function axisText(param, value, symbols) {
  return `${symbols.get(param) ?? param} = ${figure(value, 4)}`;
}

/** The hover lines of one cell: the axes' values, then the metric's and the cell's other figures. */
export function cellLines({ kind, x, y, cells, r, c, symbols, minima }) {
  const lines = [axisText(x.param, x.values[c], symbols), axisText(y.param, y.values[r], symbols)];
  if (kind === "training") {
    lines.push(`loss ${figure(cells.final_loss?.[r]?.[c])}`);
    return lines;
  }
  lines.push(`f(x_T) ${figure(cells.final_value?.[r]?.[c])}`);
  const steps = cells.steps_to_tol?.[r]?.[c];
  lines.push(`steps to 1e-6: ${steps === null || steps === undefined ? WORDS.never : steps}`);
  const distance = cells.distance?.[r]?.[c];
  if (distance !== null && distance !== undefined) lines.push(`distance to a minimum ${figure(distance, 3)}`);
  const m = cells.minimum?.[r]?.[c];
  if (m !== null && m !== undefined && minima[m]) lines.push(WORDS.minimumAt(m, minima[m]));
  return lines;
}

/** The hover lines of a diverged cell. */
export function divergedLines({ kind, x, y, step, r, c, symbols }) {
  return [axisText(x.param, x.values[c], symbols), axisText(y.param, y.values[r], symbols), WORDS.diverged(step, kind)];
}

/** A parameter's name in menus: "η (eta)", "x₁ (start)". */
export function paramLabel(name, symbols) {
  if (name === "x1") return "x₁ (start)";
  if (name === "x2") return "x₂ (start)";
  return `${symbols.get(name) ?? name} (${name})`;
}

/** The book's setting as a label: "η=0.4, γ=0.9". */
export function settingText(values, symbols) {
  return Object.entries(values).map(([name, v]) => `${symbols.get(name) ?? name}=${formatNumber(v)}`).join(", ");
}
