// The 2D landscape: f as filled contours, the optimizers' paths over it, where each run is now,
// the start point and the known minima. Used live by the 2D lab and by a stored run's page.

import { baseLayout, merge, seriesTrace, title } from "./chart.js";
import { plotlyText } from "../lib/escape.js";
import { t } from "../lib/i18n.js";

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
    hovertemplate: `${plotlyText(tag)} ${plotlyText(t("step"))} %{pointNumber}<br>x₁ %{x:.6f}<br>x₂ %{y:.6f}<extra></extra>`,
    ...rest,
  });
}

/** The ring that shows where run `tag` is at the player's frame. */
export function nowTrace({ tag, color, at, visible = true, legendgroup }) {
  return {
    type: "scatter", mode: "markers", x: [at[0]], y: [at[1]], visible,
    name: plotlyText(t("{tag} now", { tag })), showlegend: false, legendgroup, hoverinfo: "skip",
    marker: { size: 15, color: "rgba(255,255,255,0.6)", line: { color, width: 3 } },
  };
}

/** The start point(s), as the book marks them. */
export function startTrace(starts) {
  return {
    type: "scatter", mode: "markers", name: plotlyText(t("start")), x: starts.map((s) => s[0]), y: starts.map((s) => s[1]),
    marker: { symbol: "x-thin", size: 12, line: { color: "#111827", width: 2.5 }, color: "#111827" },
    hovertemplate: `${plotlyText(t("start"))} (%{x}, %{y})<extra></extra>`,
  };
}

/** The function's known minima as stars (none: hidden, out of the legend). */
export function minimaTrace(minima) {
  return {
    type: "scatter", mode: "markers", name: plotlyText(minima.length > 1 ? t("minima") : t("minimum")),
    x: minima.map((m) => m[0]), y: minima.map((m) => m[1]),
    marker: { symbol: "star", size: 14, color: "#facc15", line: { color: "#111827", width: 1 } },
    hovertemplate: `${plotlyText(t("minimum"))} (%{x}, %{y})<extra></extra>`,
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

// --- the landscape as a 3D surface ------------------------------------------------------------

const SURFACE_COLORS = [[0, "#f8fafc"], [0.5, "#cbd5e1"], [1, "#64748b"]]; // the contours' greys: runs stand out

/** The height a surface draws for f (log₁₀(1 + max(f, 0)) when `logZ`, like logGrid). */
export function heightOf(value, logZ) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return logZ ? Math.log10(1 + Math.max(value, 0)) : value;
}

/** f at (x, y) read off `grid` ({x1, x2, z}) bilinearly, null outside it or beside a gap. */
export function gridValueAt(grid, x, y) {
  const cell = (axis, v) => {
    const n = axis.length - 1;
    if (n < 1 || v < axis[0] || v > axis[n]) return null;
    const i = Math.min(n - 1, Math.max(0, Math.floor(((v - axis[0]) / (axis[n] - axis[0])) * n)));
    return { i, f: (v - axis[i]) / (axis[i + 1] - axis[i]) };
  };
  const cx = cell(grid.x1, x);
  const cy = cell(grid.x2, y);
  if (!cx || !cy) return null;
  const at = (r, c) => grid.z[r]?.[c];
  const corners = [at(cy.i, cx.i), at(cy.i, cx.i + 1), at(cy.i + 1, cx.i), at(cy.i + 1, cx.i + 1)];
  if (corners.some((v) => v === null || v === undefined)) return null;
  const [a, b, c, d] = corners;
  return (a * (1 - cx.f) + b * cx.f) * (1 - cy.f) + (c * (1 - cx.f) + d * cx.f) * cy.f;
}

/** f over the view box as a surface, on log₁₀(1+f) heights when `logZ` (a function with a large range). */
export function surfaceTrace(grid, { logZ = false } = {}) {
  return {
    type: "surface", x: grid.x1, y: grid.x2, z: logZ ? logGrid(grid.z) : grid.z,
    colorscale: SURFACE_COLORS, showscale: false, showlegend: false,
    contours: { z: { show: true, usecolormap: true, highlightcolor: "#0f172a", project: { z: false } } },
    hovertemplate: `x₁ %{x:.3f}<br>x₂ %{y:.3f}<br>${logZ ? "log₁₀(1+f)" : "f"} %{z:.4g}<extra></extra>`,
  };
}

/** One run's path on the surface: (x₁, x₂, f(xₜ)); `points` and `values` may come later. */
export function pathTrace3d({ name, tag, color, points = [], values = [], logZ = false, ...rest }) {
  return {
    type: "scatter3d", mode: "lines+markers", name: plotlyText(name),
    x: points.map((p) => p[0]), y: points.map((p) => p[1]), z: values.map((v) => heightOf(v, logZ)),
    line: { color, width: 5 }, marker: { color, size: 3 },
    hovertemplate: `${plotlyText(tag)} ${plotlyText(t("step"))} %{pointNumber}<br>x₁ %{x:.6f}<br>x₂ %{y:.6f}<extra></extra>`,
    ...rest,
  };
}

/** Where run `tag` is at the player's frame, on the surface. */
export function nowTrace3d({ tag, color, at, z, visible = true, legendgroup }) {
  return {
    type: "scatter3d", mode: "markers", x: [at[0]], y: [at[1]], z: [z], visible,
    name: plotlyText(t("{tag} now", { tag })), showlegend: false, legendgroup, hoverinfo: "skip",
    marker: { size: 8, color: "rgba(255,255,255,0.85)", line: { color, width: 4 } },
  };
}

/** Points (the start, the minima) on the surface at heights `z`, as their 2D traces mark them. */
export function markTrace3d(trace2d, z) {
  const { type, marker, hovertemplate, ...rest } = trace2d;
  return {
    ...rest, type: "scatter3d", z,
    marker: { color: marker.color, size: 6, symbol: marker.symbol === "star" ? "diamond" : "x", line: marker.line },
    hovertemplate: hovertemplate.replace("(%{x}, %{y})", "(%{x}, %{y}, %{z:.4g})"),
  };
}

/** The 3D scene over `box`, heights titled by `logZ`; `uirevision` keeps the camera across redraws. */
export function surfaceLayout({ text, box, logZ = false, zRange = null, uirevision, ...overrides }) {
  const axis = (name, range) => ({ title: { text: name }, ...(range ? { range } : {}) });
  return baseLayout(merge({
    title: title(text),
    uirevision,
    margin: { l: 0, r: 0, t: 40, b: 40 },
    scene: {
      uirevision,
      xaxis: axis("x₁", box && [box[0], box[1]]),
      yaxis: axis("x₂", box && [box[2], box[3]]),
      zaxis: axis(logZ ? "log₁₀(1+f)" : "f", zRange),
      aspectmode: "cube",
      camera: { eye: { x: -1.3, y: 1.6, z: 1.1 } },
    },
  }, overrides));
}

/** The heights' range over a grid ([low, high] of the finite values, null if none). */
export function heightRange(grid, logZ) {
  let low = Infinity;
  let high = -Infinity;
  for (const row of grid.z) {
    for (const v of row) {
      const h = heightOf(v, logZ);
      if (h === null) continue;
      low = Math.min(low, h);
      high = Math.max(high, h);
    }
  }
  return low <= high ? [low, high + (high - low) * 0.05 || 1] : null;
}
