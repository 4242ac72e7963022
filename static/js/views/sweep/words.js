// Every word the Sweep view shows, in one place, in the page's language (lib/i18n.js). Pure.

import { figure, formatNumber, percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";

export const METRICS = {
  trajectory: [
    { name: "final_value", short: "f(x_T)", label: t("f(x_T): the final value"), log: true },
    { name: "distance", short: t("distance"), label: t("distance to the nearest known minimum"), log: true },
    { name: "steps_to_tol", short: t("steps to 1e-6"), label: t("steps until f − f* ≤ 1e-6"), log: false },
    { name: "minimum", short: t("minimum"), label: t("which minimum it reached (basin map)"), log: false, basin: true },
  ],
  training: [{ name: "final_loss", short: t("final loss"), label: t("final loss"), log: true }],
};

export const WORDS = {
  idle: t("Set the grid and press Run: every cell is one run, all of them at once."),
  queued: t("queued…"),
  running: (done, rows, fraction) => t("running: {done} of {rows} rows ({percent})", { done, rows, percent: percent(fraction) }),
  done: (cells, seconds) => t("{cells} cells in {seconds} s", { cells: cells.toLocaleString("en"), seconds: figure(seconds, 3) }),
  cancelled: (done, rows) => t("cancelled after {done} of {rows} rows", { done, rows }),
  failed: (error) => {
    const reason = error ?? t("unknown error");
    return t("failed: {reason}", { reason });
  },
  interrupted: t("interrupted: the server stopped"),
  invalid: t("fix the marked fields"),
  refusedB: t("optimizer B: "),
  noB: t("none: one heatmap"),
  swept: t("swept"),
  book: (text) => t("the book's setting ({setting})", { setting: text }),
  bookStart: t("the function's start"),
  diverged: (step, kind) => (kind === "training"
    ? t("diverged at epoch {epoch}", { epoch: figure(step, 4) }) : t("diverged at step {step}", { step })),
  never: t("never"),
  notSettled: t("not settled near a known minimum"),
  minimumAt: (k, point) => t("minimum #{k} at ({x1}, {x2})", { k, x1: figure(point[0], 4), x2: figure(point[1], 4) }),
  clickHint: t("click a cell to run it in the 2D lab"),
  clickHintTraining: t("click a cell to train it in the Training view"),
  heatmapTitle: (letter, name) => `${letter} · ${name}`,
  colourTitle: (metric, log) => (log ? t("{metric} (log)", { metric }) : metric),
  commonParams: t("both optimizers must have the swept parameters; choose others or another optimizer"),
  basinNeedsMinima: t("a basin map needs a function with known minima"),
  savedRun: t("saved sweep"),
};

/** "η = 0.0123" for an axis value (x₁, x₂ for the start point). */
export function axisText(param, value, symbols) {
  return `${symbols.get(param) ?? param} = ${figure(value, 4)}`;
}

/** The hover lines of one cell: the axes' values, then the metric's and the cell's other figures. */
export function cellLines({ kind, x, y, cells, r, c, symbols, minima }) {
  const lines = [axisText(x.param, x.values[c], symbols), axisText(y.param, y.values[r], symbols)];
  if (kind === "training") {
    lines.push(t("loss {value}", { value: figure(cells.final_loss?.[r]?.[c]) }));
    return lines;
  }
  lines.push(`f(x_T) ${figure(cells.final_value?.[r]?.[c])}`);
  const steps = cells.steps_to_tol?.[r]?.[c];
  lines.push(t("steps to 1e-6: {steps}", { steps: steps === null || steps === undefined ? WORDS.never : steps }));
  const distance = cells.distance?.[r]?.[c];
  if (distance !== null && distance !== undefined) lines.push(t("distance to a minimum {value}", { value: figure(distance, 3) }));
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
  if (name === "x1") return t("x₁ (start)");
  if (name === "x2") return t("x₂ (start)");
  return `${symbols.get(name) ?? name} (${name})`;
}

/** The book's setting as a label: "η=0.4, γ=0.9". */
export function settingText(values, symbols) {
  return Object.entries(values).map(([name, v]) => `${symbols.get(name) ?? name}=${formatNumber(v)}`).join(", ");
}
