// The Sweep view's two heatmaps (A and B), side by side on the same axes and one colour scale,
// redrawn from the sweeps' data (grid.js) at most once per frame as rows arrive.

import { createChart } from "../../plots/chart.js";
import { downloadButtons } from "../../plots/export.js";
import { basinGrid, divergedMask, heatmapLayout, heatmapTraces, scaledGrid, sharedScale } from "../../plots/heatmap.js";
import { runLetter } from "../../lib/labels.js";
import { bookSetting } from "./state.js";
import { METRICS, WORDS, cellLines, divergedLines, paramLabel, settingText } from "./words.js";

export const SETTLED = 0.1; // a basin cell counts as settled within this distance of its minimum

/** The metric's description for a kind ({name, label, log, basin}). */
export function metricInfo(kind, name) {
  return METRICS[kind].find((m) => m.name === name) ?? METRICS[kind][0];
}

function hoverGrids(sweep, symbols) {
  const [x, y] = sweep.axes;
  const [rows, cols] = sweep.shape;
  const minima = sweep.problem.minima ?? [];
  const text = [];
  const divergedText = [];
  for (let r = 0; r < rows; r += 1) {
    const line = [];
    const lineDiverged = [];
    for (let c = 0; c < cols; c += 1) {
      const step = sweep.cells.diverged_at[r][c];
      const args = { kind: sweep.kind, x, y, cells: sweep.cells, r, c, symbols, minima, step };
      line.push(step === null ? cellLines(args) : "");
      lineDiverged.push(step === null ? "" : divergedLines(args));
    }
    text.push(line);
    divergedText.push(lineDiverged);
  }
  return { text, divergedText };
}

/**
 * The charts over `divs` ([A, B]). draw(sweeps, {metric, optimizers, symbols}) redraws both (B
 * hidden when there is no sweep B); onCell(handler) calls handler(r, c) on a click on a cell.
 */
export function createSweepCharts(divs) {
  const charts = divs.map((div) => createChart(div));
  for (const div of divs) div.closest("figure").append(downloadButtons(div)); // PNG · SVG of each heatmap
  let pending = null;
  let handler = () => {};
  const bound = new Set();

  function bindClicks(chart, div) {
    bound.add(div);
    chart.on("plotly_click", (event) => {
      const point = event.points?.find((p) => p.data.type === "heatmap");
      const index = point?.pointIndex ?? point?.pointNumber;
      if (Array.isArray(index)) handler(index[0], index[1]);
    });
  }

  function render(sweeps, { metric, optimizers, symbols }) {
    const info = metricInfo(sweeps[0].kind, metric);
    const grids = sweeps.map((s) => s.cells[info.name] ?? []);
    const scale = sharedScale(grids, { log: info.log });
    return Promise.all(sweeps.map((sweep, i) => {
      const [x, y] = sweep.axes;
      const optimizer = optimizers.get(sweep.optimizer);
      const z = info.basin
        ? basinGrid(sweep.cells.minimum, sweep.cells.distance, sweep.problem.minima ?? [], SETTLED)
        : scaledGrid(sweep.cells[info.name], scale);
      const setting = bookSetting(sweep, optimizer);
      const mark = setting && {
        x: setting[x.param], y: setting[y.param],
        name: x.param === "x1" ? WORDS.bookStart : WORDS.book(settingText(setting, symbols)),
      };
      const traces = heatmapTraces({
        x: x.values, y: y.values, z, scale, basin: info.basin, mark, minima: sweep.problem.minima ?? [],
        colourTitle: i === sweeps.length - 1 ? WORDS.colourTitle(info.short ?? info.name, scale.log) : null,
        diverged: divergedMask(sweep.cells.diverged_at), ...hoverGrids(sweep, symbols),
      });
      const layout = heatmapLayout({
        text: WORDS.heatmapTitle(runLetter(i), optimizer?.label ?? sweep.optimizer),
        xTitle: paramLabel(x.param, symbols), yTitle: paramLabel(y.param, symbols), x: x.values, y: y.values,
        xLog: x.scale === "log", yLog: y.scale === "log",
      });
      return charts[i].reset(traces, layout);
    }));
  }

  return {
    charts,
    /** Redraw from `sweeps` at the next frame (several calls in one frame draw once). */
    draw(sweeps, options) {
      divs.forEach((div, i) => { div.closest("figure").hidden = i >= sweeps.length; });
      if (pending) {
        pending.args = [sweeps, options];
        return pending.done;
      }
      pending = { args: [sweeps, options] };
      pending.done = new Promise((resolve) => {
        requestAnimationFrame(() => {
          const [s, o] = pending.args;
          pending = null;
          render(s, o).then(() => {
            divs.forEach((div, i) => {
              if (!bound.has(div) && typeof div.on === "function") bindClicks(charts[i], div);
              div.dataset.drawn = String(Number(div.dataset.drawn ?? 0) + 1);
            });
            resolve();
          });
        });
      });
      return pending.done;
    },
    /** Call `fn(r, c)` on a click on a cell (the diverged ones included). */
    onCell(fn) {
      handler = fn;
    },
    flush: () => Promise.all(charts.map((c) => c.flush())),
  };
}
