// Curves per step of a 2D comparison: the objective f(xₜ) (log axis while every value is > 0)
// and the effective learning rate per coordinate (one solid, one dashed line per run).

import { axisTitle, baseLayout, seriesTrace, title } from "./chart.js";
import { plotlyText } from "../lib/escape.js";
import { t } from "../lib/i18n.js";

const COORDS = ["x₁", "x₂"];

/** The f(xₜ) chart's title. */
export function valuesTitle(log) {
  return log ? t("objective f(xₜ) per step (log scale)") : t("objective f(xₜ) per step");
}

/** One run's f(xₜ); `values` (one per step from 0) may come later. */
export function valueTrace({ name, tag, color, values = [], markerSize = 6, ...rest }) {
  return seriesTrace({
    name, color, x: values.map((_, t) => t), y: values, marker: { color, size: markerSize },
    hovertemplate: `${plotlyText(tag)} ${plotlyText(t("step"))} %{x}: f %{y:.6g}<extra></extra>`,
    ...rest,
  });
}

/** The f(xₜ) chart: steps 0..`steps` when known (else autorange), log or linear. */
export function valuesLayout({ log, steps = null, ...overrides }) {
  return baseLayout({
    title: title(valuesTitle(log)),
    xaxis: { ...axisTitle(t("step t")), ...(steps === null ? {} : { range: [0, steps], autorange: false }) },
    yaxis: { type: log ? "log" : "linear", title: { text: "f(xₜ)" }, exponentformat: "power" },
    ...overrides,
  });
}

/** Two traces per run (x₁ solid circles, x₂ dashed diamonds), to be extended step by step. */
export function rateTraces({ name, tag, color, mode }) {
  return COORDS.map((coord, c) => seriesTrace({
    name: `${name}, ${coord}`, color, dash: c ? "dash" : "solid", mode,
    marker: { symbol: c ? "diamond" : "circle", size: 5, color },
    hovertemplate: `${plotlyText(tag)} ${coord} ${plotlyText(t("step"))} %{x}: %{y:.4g}<extra></extra>`,
  }));
}

/** The effective-rate chart over steps 0..`steps`, on a log axis. */
export function ratesLayout({ steps, ...overrides }) {
  return baseLayout({
    title: title(t("effective learning rate per coordinate (log scale)")),
    xaxis: { ...axisTitle(t("step t")), range: [0, steps], autorange: false },
    yaxis: { type: "log", ...axisTitle(t("step size")), exponentformat: "power" },
    ...overrides,
  });
}
