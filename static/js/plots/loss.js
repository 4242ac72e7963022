// Loss curves of training runs (full-data loss per epoch): the live overlay and small multiples
// of the Training view, and a stored job's page. A curve that spans more than LOG_RATIO switches
// its axis to log (spansDecades); empty axes look like the book's figure before the first point.

import { axisTitle, baseLayout, seriesTrace, title } from "./chart.js";
import { translucent } from "../lib/colors.js";
import { plotlyText } from "../lib/escape.js";
import { t } from "../lib/i18n.js";

const lossAxis = () => ({ ...axisTitle(t("loss")), exponentformat: "power" });

/**
 * One run's losses; `epochs` and `losses` may be empty (extended as the job trains). With
 * `xKind: "seconds"`, `epochs` holds the training seconds of each point instead.
 */
export function lossTrace({ name, tag, color, epochs = [], losses = [], markerSize = 5, xKind = "epoch", ...rest }) {
  // Plotly's %{…} holes stay outside the words (it reads them in the hover template only).
  const at = xKind === "seconds"
    ? `${plotlyText(t("at"))} %{x:.3f} s` : `${plotlyText(t("epoch"))} %{x:.3f}`;
  return seriesTrace({
    name, color, x: [...epochs], y: [...losses], marker: { color, size: markerSize },
    hovertemplate: `${plotlyText(tag)} ${at}: ${plotlyText(t("loss"))} %{y:.6f}<extra></extra>`,
    ...rest,
  });
}

/**
 * The band of a run over several seeds: the lowest and the highest seed's loss at each point, the
 * space between shaded in the run's colour. Two traces (lowest, then highest filled down to it),
 * out of the legend, grouped with the run's line so hiding the run hides its band.
 */
export function bandTraces({ tag, color, x = [], low = [], high = [], legendgroup }) {
  const edge = {
    type: "scatter", mode: "lines", line: { color, width: 0 }, showlegend: false, legendgroup, hoverinfo: "skip",
  };
  return [
    { ...edge, name: plotlyText(t("{tag} lowest seed", { tag })), x: [...x], y: [...low] },
    {
      ...edge, name: plotlyText(t("{tag} highest seed", { tag })), x: [...x], y: [...high], fill: "tonexty",
      fillcolor: translucent(color, 0.25),
    },
  ];
}

/** The x-axis of loss plots: epochs (over 0..`epochs` when given) or training seconds (from 0). */
export function lossXAxis({ epochs = null, x = "epoch" } = {}) {
  if (x === "seconds") return { ...axisTitle(t("training time (s)")), rangemode: "tozero", autorange: true };
  return epochs === null
    ? { ...axisTitle(t("epoch")), rangemode: "tozero" }
    : { ...axisTitle(t("epoch")), range: [0, epochs], autorange: false };
}

/** Loss against epoch (or `x: "seconds"`), titled `text`: epochs over 0..`epochs` when given. */
export function lossLayout({ text = null, epochs = null, log = false, x = "epoch", ...overrides }) {
  const xaxis = lossXAxis({ epochs, x });
  return baseLayout({
    ...(text === null ? {} : { title: title(text) }),
    xaxis,
    yaxis: { ...lossAxis(), type: log ? "log" : "linear" },
    ...overrides,
  });
}

/** A small multiple's frame: no title or legend, tight margins. */
export function multipleLayout({ epochs, x = "epoch", ...overrides }) {
  return lossLayout({ epochs, x, margin: { l: 52, r: 10, t: 10, b: 40 }, showlegend: false, ...overrides });
}

/** The layout update that puts a small multiple on a log axis. */
export function multipleLog() {
  return { "yaxis.type": "log", "yaxis.title.text": plotlyText(t("loss (log)")) };
}

/** Empty axes like the book's figure (epochs 0..`epochs`, loss 0..1) with `text` in the middle. */
export function emptyLossLayout(text, epochs) {
  return baseLayout({
    title: title(t("loss vs epoch")),
    xaxis: { ...axisTitle(t("epoch")), range: [0, epochs] },
    yaxis: { ...axisTitle(t("loss")), range: [0, 1] },
    annotations: [{
      text: plotlyText(text), showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
      font: { size: 14, color: "#6b7280" },
    }],
  });
}
