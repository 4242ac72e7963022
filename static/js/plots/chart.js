// Chart factories over plotly.js (the global `Plotly`, served from /vendor/plotly.min.js):
// init -> Plotly.newPlot, extend -> Plotly.extendTraces, reset -> Plotly.react, morph ->
// Plotly.animate without a redraw. Calls on one chart run in order (plotly returns promises), so a
// stream can extend a chart while it is being reset.
// Every name and title given to these factories is plain text: they escape it for Plotly.

import { isSafeKey } from "../lib/json.js";
import { plotlyText } from "../lib/escape.js";
import { langTag, t } from "../lib/i18n.js";
import { svgModeBarButton } from "./export.js";

// Plotly's own words (mode-bar tooltips, hints) in the page's language: Plotly's English → ours.
function plotlyWords() {
  return {
    Zoom: t("Zoom"),
    Pan: t("Pan"),
    "Zoom in": t("Zoom in"),
    "Zoom out": t("Zoom out"),
    Autoscale: t("Autoscale"),
    "Reset axes": t("Reset axes"),
    "Download plot as a PNG": t("Download plot as PNG"),
    "Download plot": t("Download plot"),
    "Toggle Spike Lines": t("Toggle spike lines"),
    "Show closest data on hover": t("Show closest data on hover"),
    "Compare data on hover": t("Compare data on hover"),
    "Orbital rotation": t("Orbital rotation"),
    "Turntable rotation": t("Turntable rotation"),
    "Reset camera to default": t("Reset camera to default"),
    "Reset camera to last save": t("Reset camera to last save"),
    "Double-click to zoom back out": t("Double-click to zoom back out"),
    "Double-click on legend to isolate one trace": t("Double-click on legend to isolate one trace"),
  };
}

const CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
  toImageButtonOptions: { format: "png", scale: 2 },
  locale: langTag,
  locales: { [langTag]: { dictionary: plotlyWords() } },
};

function isPlain(value) {
  return value && typeof value === "object" && !Array.isArray(value);
}

/** Deep merge of plain objects (arrays replaced), for layouts. Unsafe keys are skipped. */
export function merge(base, ...more) {
  const out = { ...base };
  for (const extra of more) {
    for (const [key, value] of Object.entries(extra ?? {})) {
      if (!isSafeKey(key)) continue;
      out[key] = isPlain(value) && isPlain(out[key]) ? merge(out[key], value) : value;
    }
  }
  return out;
}

/** The house style every chart starts from; `overrides` are merged in. */
export function baseLayout(overrides = {}) {
  const axis = { zeroline: false, gridcolor: "#e5e7eb", linecolor: "#9ca3af", ticks: "outside", automargin: true };
  return merge({
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#1f2937" },
    margin: { l: 56, r: 16, t: 36, b: 84 },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    hovermode: "closest",
    // Below the x-axis title, at the foot of the figure.
    legend: { orientation: "h", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom" },
    xaxis: axis,
    yaxis: axis,
  }, overrides);
}

/** A plot title in the plotly ≥ 3 form, `text` escaped. */
export function title(text, extra = {}) {
  return { text: plotlyText(text), x: 0, xanchor: "left", font: { size: 13 }, ...extra };
}

/** An axis title, `text` escaped. */
export function axisTitle(text) {
  return { title: { text: plotlyText(text) } };
}

/** A line (+ markers) trace, `name` escaped; no points unless `x` and `y` are given. */
export function seriesTrace({ name, color, dash = "solid", mode = "lines", showlegend = true, legendgroup, ...rest }) {
  return {
    type: "scatter", mode, name: plotlyText(name), x: [], y: [], showlegend, legendgroup,
    line: { color, dash, width: 2 }, marker: { color, size: 6 }, ...rest,
  };
}

/** "lines+markers" for a series of at most `limit` points (each point is readable), else "lines". */
export function markerMode(points, limit) {
  return points <= limit ? "lines+markers" : "lines";
}

// New data for some traces, replotted alone: no transition, no redraw of the others or the axes.
const MORPH = { frame: { duration: 0, redraw: false }, transition: { duration: 0 }, mode: "immediate" };

/**
 * Plotly.animate replots the traces it is given and drops the layers of every other kind of trace
 * from the subplot (a contour has no animation, so its layer would go blank). While it runs, the
 * subplots keep their layers where they are, drawn as they were; the returned function ends that.
 */
function keepLayers(div) {
  const subplots = new Set([...div.querySelectorAll("g.mlayer")].map((layer) => layer.parentNode));
  for (const subplot of subplots) {
    subplot.removeChild = (child) => (child.classList?.contains("mlayer") ? child : Element.prototype.removeChild.call(subplot, child));
  }
  return () => subplots.forEach((subplot) => delete subplot.removeChild);
}

/**
 * A chart bound to one <div>. Methods return promises and run in call order.
 *   init(traces, layout)            first draw (Plotly.newPlot)
 *   extend({x: [[..]], y: [[..]]}, indices, maxPoints)   append points (Plotly.extendTraces)
 *   reset(traces, layout)           redraw from a new state (Plotly.react)
 *   restyle(update, indices), relayout(update), resize(), purge()
 *   update(data, layout, indices)   restyle and relayout in one redraw (Plotly.update)
 *   morph([{x, y}, ..], indices)     new data for those traces only, replotted alone: the other
 *                                   traces (a contour) and the axes stay as drawn (Plotly.animate,
 *                                   no redraw); resolves once the traces are replotted, before
 *                                   the animation frame the next call on the chart waits for
 *   range(axis)                     an axis's range as drawn ("yaxis": log₁₀ units on a log axis)
 *   retitle(text, update)           a new title (escaped), with any other layout update
 *   on(event, handler)              plotly events: plotly_click, plotly_relayout, ...
 *   flush()                         resolves when every queued call has run
 */
export function createChart(div, { config = {} } = {}) {
  let queue = Promise.resolve();
  // Plotly's camera button saves a PNG; the disk button beside it saves an SVG (export.js).
  const extra = window.Plotly ? [svgModeBarButton()] : [];
  const settings = { ...CONFIG, modeBarButtonsToAdd: extra, ...config };
  const enqueue = (job) => {
    queue = queue.then(job).catch((err) => console.warn("chart update failed", err));
    return queue;
  };
  const Plotly = () => window.Plotly;
  return {
    div,
    init: (traces, layout) => enqueue(() => Plotly().newPlot(div, traces, layout, settings)),
    reset: (traces, layout) => enqueue(() => Plotly().react(div, traces, layout, settings)),
    extend: (update, indices, maxPoints) => enqueue(() => {
      if (!indices.length) return undefined;
      return Plotly().extendTraces(div, update, indices, maxPoints);
    }),
    restyle: (update, indices) => enqueue(() => Plotly().restyle(div, update, indices)),
    update: (data, layout, indices) => enqueue(() => Plotly().update(div, data, layout, indices)),
    morph: (data, indices) => new Promise((drawn) => {
      enqueue(() => {
        const release = keepLayers(div);
        const done = () => {
          release();
          drawn();
        };
        // Plotly replots the traces a task after the call and resolves at the next animation frame.
        div.once?.("plotly_transitioned", done);
        const animated = Promise.resolve().then(() => Plotly().animate(div, { data, traces: indices }, MORPH));
        animated.then(done, done);
        return animated;
      });
    }),
    range: (axis) => div._fullLayout?.[axis]?.range?.slice() ?? null,
    relayout: (update) => enqueue(() => Plotly().relayout(div, update)),
    retitle: (text, update = {}) => enqueue(() => Plotly().relayout(div, { ...update, "title.text": plotlyText(text) })),
    resize: () => enqueue(() => Plotly().Plots.resize(div)),
    purge: () => enqueue(() => Plotly().purge(div)),
    on: (event, handler) => div.on(event, handler),
    flush: () => queue,
  };
}

const AXIS_KEYS = /^(xaxis|yaxis)\.(range(\[[01]\])?|autorange)$/;

/**
 * Linked zoom: a zoom, pan or reset on any of `charts` is applied to the others.
 * The charts must already be drawn (call after init).
 */
export function linkAxes(charts) {
  let syncing = false;
  for (const source of charts) {
    source.on("plotly_relayout", (event) => {
      if (syncing) return;
      const update = {};
      for (const [key, value] of Object.entries(event ?? {})) {
        if (AXIS_KEYS.test(key)) update[key] = value;
      }
      if (!Object.keys(update).length) return;
      syncing = true;
      // A chart drawn as a 3D scene has no x/y axes to follow.
      const flat = (c) => c !== source && c.div._fullLayout?._has?.("cartesian") !== false;
      Promise.all(charts.filter(flat).map((c) => window.Plotly.relayout(c.div, update)))
        .finally(() => { syncing = false; });
    });
  }
}

/**
 * Data coordinates of a mouse event over a cartesian chart (x, y on its first axes),
 * or null outside the plotting area. Used for "click to set a point".
 */
export function eventToData(div, mouseEvent) {
  const area = div.querySelector(".nsewdrag");
  const full = div._fullLayout;
  if (!area || !full?.xaxis?.p2c) return null;
  const box = area.getBoundingClientRect();
  const px = mouseEvent.clientX - box.left;
  const py = mouseEvent.clientY - box.top;
  if (px < 0 || py < 0 || px > box.width || py > box.height) return null;
  return { x: full.xaxis.p2c(px), y: full.yaxis.p2c(py) };
}
