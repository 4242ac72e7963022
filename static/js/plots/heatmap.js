// Heatmaps of a sweep: one cell per configuration (or start point), rows along Y, columns along X.
// Several heatmaps share one colour scale (sharedScale), on log₁₀ for values that span decades
// (f, the loss); diverged cells are drawn in their own colour by a second trace on top; the
// book's setting is a star; a basin map colours each cell by the minimum it reached (basinClass).
// The pure helpers (scales, classes, ticks) are testable under node; the traces take plain text.

import { baseLayout, merge, title } from "./chart.js";
import { plotlyText } from "../lib/escape.js";
import { t } from "../lib/i18n.js";

export const DIVERGED_COLOUR = "#7f1d1d";
export const UNSETTLED_COLOUR = "#d1d5db";
// Viridis-like, dark = low: the best cells (least f or loss, fewest steps) read as the darkest.
export const SEQUENTIAL = [
  [0, "#0d0887"], [0.25, "#6a00a8"], [0.5, "#b12a90"], [0.75, "#e16462"], [1, "#fcce25"],
];
// Nine colours for basins: neighbouring minima of a lattice (Rastrigin's) never share one.
export const BASIN_COLOURS = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#17becf", "#e377c2", "#bcbd22", "#8c564b", "#393b79",
];
const LOG_FLOOR = 1e-300;
// A log scale ends at this quantile of the values when the largest lie decades above it (runs that
// blew up to 1e30 before diverging would leave every other cell the same colour); they show as ≥ it.
const CLIP_QUANTILE = 0.95;
const CLIP_DECADES = 1;

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

/**
 * One colour scale over `grids` (arrays of rows, null for no value): {log, zmin, zmax, clipped}.
 * With `log` the scale is on log₁₀ (exact zeros sit at the smallest positive value shown; the top
 * is clipped, see CLIP_QUANTILE); it falls back to linear when a value is negative (a function
 * unbounded below).
 */
export function sharedScale(grids, { log = false } = {}) {
  const values = grids.flatMap((grid) => grid.flat()).filter((v) => typeof v === "number" && Number.isFinite(v));
  if (!values.length) return { log, zmin: 0, zmax: 1, clipped: false };
  const useLog = log && values.every((v) => v >= 0) && values.some((v) => v > 0);
  if (!useLog) {
    const zmin = Math.min(...values);
    const zmax = Math.max(...values);
    return { log: false, zmin, zmax: zmax > zmin ? zmax : zmin + 1, clipped: false };
  }
  const logs = values.filter((v) => v > 0).map((v) => Math.log10(Math.max(v, LOG_FLOOR))).sort((a, b) => a - b);
  const zmin = logs[0];
  const top = logs[logs.length - 1];
  const clip = quantile(logs, CLIP_QUANTILE);
  const clipped = top - clip > CLIP_DECADES;
  const zmax = clipped ? clip : top;
  return { log: true, zmin, zmax: zmax > zmin ? zmax : zmin + 1, clipped };
}

/** A grid as the heatmap draws it under `scale`: log₁₀ where the scale is log, null kept. */
export function scaledGrid(grid, scale) {
  if (!scale.log) return grid.map((row) => row.map((v) => (typeof v === "number" ? v : null)));
  const floor = 10 ** scale.zmin;
  return grid.map((row) => row.map((v) => (typeof v === "number" ? Math.log10(Math.max(v, floor)) : null)));
}

/** Colour bar ticks of a log scale: every decade between zmin and zmax, labelled 1e-6, 0.01, 1, … */
export function decadeTicks(scale, maxTicks = 8) {
  if (!scale.log) return {};
  const low = Math.ceil(scale.zmin);
  const high = Math.floor(scale.zmax);
  const step = Math.max(1, Math.ceil((high - low + 1) / maxTicks));
  const tickvals = [];
  for (let k = low; k <= high; k += step) tickvals.push(k);
  const ticktext = tickvals.map((k) => (k >= -2 && k <= 3 ? String(10 ** k) : `1e${k}`));
  if (scale.clipped) {
    tickvals.push(scale.zmax);
    ticktext.push(`≥ ${Number((10 ** scale.zmax).toPrecision(2))}`);
  }
  return { tickvals, ticktext };
}

/** The basin class of a minimum at (x1, x2): its lattice position mod 3 in both coordinates (0–8). */
export function basinClass([x1, x2]) {
  const mod3 = (v) => ((Math.round(v) % 3) + 3) % 3;
  return mod3(x1) + 3 * mod3(x2);
}

/** Per cell the basin class of the minimum reached, or 9 where the run had not settled (null: diverged). */
export function basinGrid(minimum, distance, minima, settled) {
  return minimum.map((row, r) => row.map((m, c) => {
    if (m === null || m === undefined) return null;
    return distance[r][c] !== null && distance[r][c] <= settled ? basinClass(minima[m]) : 9;
  }));
}

/** Where a cell is diverged: 1 there, null elsewhere (the overlay trace's z). */
export function divergedMask(divergedAt) {
  return divergedAt.map((row) => row.map((v) => (v === null || v === undefined ? null : 1)));
}

function basinScale() {
  const steps = [...BASIN_COLOURS, UNSETTLED_COLOUR];
  return steps.flatMap((colour, i) => [[i / steps.length, colour], [(i + 1) / steps.length, colour]]);
}

/**
 * The traces of one heatmap: the cells, the diverged ones on top, and the book's setting.
 *  - `x`, `y`: the axes' values; `z`: rows of numbers (scaledGrid or basinGrid)
 *  - `scale`: sharedScale's (ignored for `basin`); `colourTitle`: the colour bar's title, or null for none
 *  - `text`, `divergedText`: per cell a list of hover lines (plain text: escaped here, then joined
 *    with line breaks); `diverged`: divergedMask
 *  - `mark`: {x, y, name} or null; `minima`: (basin maps) the known minima, drawn in their basin's colour
 */
export function heatmapTraces({
  x, y, z, scale, basin = false, colourTitle = null, text, diverged, divergedText, mark, minima = [],
}) {
  const escape = (grid) => grid.map((row) => row.map((lines) => [].concat(lines).map(plotlyText).join("<br>")));
  const cells = {
    type: "heatmap", x, y, z, text: escape(text), hoverinfo: "text", hoverongaps: false, xgap: 0, ygap: 0,
    name: plotlyText(t("cells")),
  };
  if (basin) {
    // One band per class: class k (0–8 a basin colour, 9 unsettled) sits in the middle of band k.
    Object.assign(cells, { colorscale: basinScale(), zmin: -0.5, zmax: BASIN_COLOURS.length + 0.5, showscale: false });
  } else {
    Object.assign(cells, { colorscale: SEQUENTIAL, zmin: scale.zmin, zmax: scale.zmax, showscale: colourTitle !== null });
    if (colourTitle !== null) {
      cells.colorbar = { title: { text: plotlyText(colourTitle) }, thickness: 12, ...decadeTicks(scale) };
    }
  }
  const traces = [cells, {
    type: "heatmap", x, y, z: diverged, text: escape(divergedText), hoverinfo: "text", hoverongaps: false,
    colorscale: [[0, DIVERGED_COLOUR], [1, DIVERGED_COLOUR]], showscale: false, name: plotlyText(t("diverged")),
  }];
  if (basin && minima.length) {
    traces.push({
      type: "scatter", mode: "markers", x: minima.map((m) => m[0]), y: minima.map((m) => m[1]), name: plotlyText(t("minima")),
      marker: { symbol: "circle", size: 9, color: minima.map((m) => BASIN_COLOURS[basinClass(m)]), line: { color: "#ffffff", width: 2 } },
      hoverinfo: "skip", showlegend: false, cliponaxis: true, // hover and clicks belong to the cells
    });
  }
  if (mark) {
    traces.push({
      type: "scatter", mode: "markers", x: [mark.x], y: [mark.y], name: plotlyText(mark.name),
      marker: { symbol: "star", size: 16, color: "#ffffff", line: { color: "#111827", width: 1.5 } },
      hoverinfo: "skip", showlegend: true, // named in the legend: hover and clicks belong to the cells
    });
  }
  return traces;
}

/** An axis' range over the cells of `values` (half a cell beyond each end), in log₁₀ units when `log`. */
export function cellRange(values, log = false) {
  const v = log ? values.map(Math.log10) : values;
  if (v.length < 2) return [v[0] - 0.5, v[0] + 0.5];
  const low = Math.min(...v);
  const high = Math.max(...v);
  const half = (high - low) / (v.length - 1) / 2;
  return [low - half, high + half];
}

/** The layout of a heatmap: titled, the axes titled, log where the sweep spaced them in log, and
 * spanning exactly the cells of `x` and `y` (markers outside them do not stretch the axes). */
export function heatmapLayout({ text, xTitle, yTitle, x, y, xLog = false, yLog = false, ...overrides }) {
  const axis = (name, values, log) => ({
    title: { text: plotlyText(name) }, type: log ? "log" : "linear", showgrid: false, range: cellRange(values, log),
  });
  return baseLayout(merge({
    title: title(text),
    margin: { l: 64, r: 16, t: 40, b: 56 },
    xaxis: axis(xTitle, x, xLog),
    yaxis: axis(yTitle, y, yLog),
  }, overrides));
}

/** Rows r0 … of `z` replaced by `rows` (live filling): a new grid, the old one untouched. */
export function withRows(z, first, rows) {
  const out = z.slice();
  rows.forEach((row, k) => { out[first + k] = row; });
  return out;
}
