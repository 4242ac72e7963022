// Loss curves of training runs (full-data loss per epoch): the live overlay and small multiples
// of the Training view, and a stored job's page. A curve that spans more than LOG_RATIO switches
// its axis to log (spansDecades); empty axes look like the book's figure before the first point.

import { baseLayout, seriesTrace, title } from "./chart.js";
import { plotlyText } from "../lib/escape.js";

const LOSS_AXIS = { title: { text: "loss" }, exponentformat: "power" };

/** One run's losses; `epochs` and `losses` may be empty (extended as the job trains). */
export function lossTrace({ name, tag, color, epochs = [], losses = [], markerSize = 5, ...rest }) {
  return seriesTrace({
    name, color, x: [...epochs], y: [...losses], marker: { color, size: markerSize },
    hovertemplate: `${plotlyText(tag)} epoch %{x:.3f}: loss %{y:.6f}<extra></extra>`,
    ...rest,
  });
}

/** Loss against epoch, titled `text`: x over 0..`epochs` when given (else from 0, autorange). */
export function lossLayout({ text = null, epochs = null, log = false, ...overrides }) {
  const xaxis = epochs === null
    ? { title: { text: "epoch" }, rangemode: "tozero" }
    : { title: { text: "epoch" }, range: [0, epochs], autorange: false };
  return baseLayout({
    ...(text === null ? {} : { title: title(text) }),
    xaxis,
    yaxis: { ...LOSS_AXIS, type: log ? "log" : "linear" },
    ...overrides,
  });
}

/** A small multiple's frame: no title or legend, tight margins. */
export function multipleLayout({ epochs, ...overrides }) {
  return lossLayout({ epochs, margin: { l: 52, r: 10, t: 10, b: 40 }, showlegend: false, ...overrides });
}

/** The layout update that puts a small multiple on a log axis. */
export const MULTIPLE_LOG = { "yaxis.type": "log", "yaxis.title.text": "loss (log)" };

/** Empty axes like the book's figure (epochs 0..`epochs`, loss 0..1) with `text` in the middle. */
export function emptyLossLayout(text, epochs) {
  return baseLayout({
    title: title("loss vs epoch"),
    xaxis: { title: { text: "epoch" }, range: [0, epochs] },
    yaxis: { title: { text: "loss" }, range: [0, 1] },
    annotations: [{
      text: plotlyText(text), showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
      font: { size: 14, color: "#6b7280" },
    }],
  });
}
