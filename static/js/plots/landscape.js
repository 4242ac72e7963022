// The 2D landscape: f as filled contours, the optimizers' paths over it, where each run is now,
// the start point and the known minima. Used live by the 2D lab and by a stored run's page.

import { baseLayout, merge, seriesTrace, title } from "./chart.js";
import { plotlyText } from "../lib/escape.js";

const NO_GRID = "rgba(0,0,0,0)";

/** log₁₀(1 + max(f, 0)) of a grid (steep functions read better), gaps kept. */
export function logGrid(z) {
  return z.map((row) => row.map((v) => (v === null ? null : Math.log10(1 + Math.max(v, 0)))));
}

/** Filled contours of `grid` ({x1, x2, z} from the API), on a log scale when `logContours`. */
export function contourTrace(grid, { logContours = false } = {}) {
  return {
    type: "contour", x: grid.x1, y: grid.x2, z: logContours ? logGrid(grid.z) : grid.z, ncontours: 24,
    colorscale: [[0, "#f8fafc"], [0.5, "#cbd5e1"], [1, "#64748b"]],
    contours: { coloring: "heatmap", showlines: true },
    line: { color: "rgba(30, 41, 59, 0.35)", width: 0.6 },
    showscale: false, showlegend: false,
    hovertemplate: `x₁ %{x:.3f}<br>x₂ %{y:.3f}<br>${logContours ? "log₁₀(1+f)" : "f"} %{z:.4g}<extra></extra>`,
  };
}

/** One run's path; `tag` ("A", "R1B") starts its hover text; `points` [[x1, x2], ...] may come later. */
export function pathTrace({ name, tag, color, points = [], markerSize = 6, ...rest }) {
  return seriesTrace({
    name, color, x: points.map((p) => p[0]), y: points.map((p) => p[1]),
    marker: { color, size: markerSize },
    hovertemplate: `${plotlyText(tag)} step %{pointNumber}<br>x₁ %{x:.6f}<br>x₂ %{y:.6f}<extra></extra>`,
    ...rest,
  });
}

/** The ring that shows where run `tag` is at the player's frame. */
export function nowTrace({ tag, color, at, visible = true, legendgroup }) {
  return {
    type: "scatter", mode: "markers", x: [at[0]], y: [at[1]], visible,
    name: `${plotlyText(tag)} now`, showlegend: false, legendgroup, hoverinfo: "skip",
    marker: { size: 15, color: "rgba(255,255,255,0.6)", line: { color, width: 3 } },
  };
}

/** The start point(s), as the book marks them. */
export function startTrace(starts) {
  return {
    type: "scatter", mode: "markers", name: "start", x: starts.map((s) => s[0]), y: starts.map((s) => s[1]),
    marker: { symbol: "x-thin", size: 12, line: { color: "#111827", width: 2.5 }, color: "#111827" },
    hovertemplate: "start (%{x}, %{y})<extra></extra>",
  };
}

/** The function's known minima as stars (none: hidden, out of the legend). */
export function minimaTrace(minima) {
  return {
    type: "scatter", mode: "markers", name: minima.length > 1 ? "minima" : "minimum",
    x: minima.map((m) => m[0]), y: minima.map((m) => m[1]),
    marker: { symbol: "star", size: 14, color: "#facc15", line: { color: "#111827", width: 1 } },
    hovertemplate: "minimum (%{x}, %{y})<extra></extra>",
    visible: minima.length > 0, showlegend: minima.length > 0,
  };
}

/** Axes x₁, x₂ over `box` ([x1min, x1max, x2min, x2max], or autorange without one), titled `text`. */
export function landscapeLayout({ text, box = null, ...overrides }) {
  const axis = (name, range) => ({ title: { text: name }, gridcolor: NO_GRID, ...(range ? { range } : {}) });
  return baseLayout(merge({
    title: title(text),
    xaxis: axis("x₁", box && [box[0], box[1]]),
    yaxis: axis("x₂", box && [box[2], box[3]]),
  }, overrides));
}
