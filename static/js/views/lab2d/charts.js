// The 2D lab's four charts: a landscape per run (or both paths on the first), f(xₜ) and the
// effective rates, drawn from a comparison's state and extended by each step event.

import { runColor } from "../../lib/colors.js";
import { baseLayout, createChart, linkAxes, markerMode, title } from "../../plots/chart.js";
import { MARKER_STEPS } from "../../plots/axes.js";
import { valuesLayout, valueTrace, rateTraces, ratesLayout, valuesTitle } from "../../plots/curves.js";
import {
  contourTrace, landscapeLayout, minimaTrace, nowTrace, pathTrace, startTrace,
} from "../../plots/landscape.js";
import { hasNonPositive, positionsAt, stepUpdates } from "./comparison.js";

// Trace indices inside each landscape chart.
const T = { contour: 0, path: [1, 2], marker: [3, 4], start: 5, minima: 6 };
const CURSOR = { type: "line", xref: "x", yref: "paper", y0: 0, y1: 1, line: { color: "#6b7280", width: 1, dash: "dot" } };

/** The lab's charts on the divs `contours` (two), `values` and `rates`. */
export function createLabCharts(divs) {
  const contours = divs.contours.map((div) => createChart(div));
  const values = createChart(divs.values);
  const rates = createChart(divs.rates);
  const all = [...contours, values, rates];
  let names = [];
  let logValues = true;

  function landscapeTitle(which, overlay) {
    if (overlay && which === 0) return `${names[0].name} and ${names[1].name}`;
    return `${names[which].name} (${names[which].details})`;
  }

  function landscape(state, info, which, overlay) {
    const { meta } = state;
    const shown = (i) => i === which || overlay;
    const mode = markerMode(meta.steps, MARKER_STEPS);
    return [
      contourTrace(meta.contour, { logContours: info.log_contours }),
      ...names.map((run, i) => pathTrace({
        name: run.name, tag: run.tag, color: runColor(i), mode, visible: shown(i), legendgroup: `run${i}`,
      })),
      ...names.map((run, i) => nowTrace({
        tag: run.tag, color: runColor(i), at: meta.start, visible: shown(i), legendgroup: `run${i}`,
      })),
      startTrace([meta.start]),
      minimaTrace(info.minima),
    ];
  }

  return {
    contours,
    /** Empty frames before the first run; zoom linked between the landscapes. */
    async init() {
      const empty = baseLayout({
        title: title("waiting for the first run…"), xaxis: { visible: false }, yaxis: { visible: false },
      });
      await Promise.all(all.map((c) => c.init([], empty)));
      linkAxes(contours);
    },
    /** Redraw every chart for a new comparison (`info`: its function's catalogue entry). */
    draw(state, runNames, info, overlay) {
      names = runNames;
      logValues = true;
      const { meta } = state;
      contours.forEach((chart, which) => chart.reset(landscape(state, info, which, overlay), landscapeLayout({
        text: landscapeTitle(which, overlay), box: meta.box,
        uirevision: `${meta.function}:${meta.box.join(",")}`, margin: { t: 40 },
      })));
      const mode = markerMode(meta.steps, MARKER_STEPS);
      values.reset(
        names.map((run, i) => valueTrace({ name: run.name, tag: run.tag, color: runColor(i), mode })),
        valuesLayout({ log: true, steps: meta.steps, uirevision: meta.steps }),
      );
      rates.reset(
        names.flatMap((run, i) => rateTraces({ name: run.name, tag: run.tag, color: runColor(i), mode })),
        ratesLayout({ steps: meta.steps, uirevision: meta.steps }),
      );
    },
    /** Append a step event's points; f ≤ 0 turns the f(xₜ) axis linear for the rest of the run. */
    extend(step) {
      const update = stepUpdates(step);
      const runs = step.runs.map((_, i) => i);
      for (const chart of contours) chart.extend(update.paths, T.path);
      values.extend(update.values, runs);
      rates.extend(update.rates, update.rates.x.map((_, i) => i));
      if (logValues && hasNonPositive(step)) {
        logValues = false;
        values.retitle(valuesTitle(false), { "yaxis.type": "linear" });
      }
    },
    /** Frame k: each run's marker where it is then, a cursor on the curves. */
    showFrame(state, k) {
      const at = positionsAt(state, k);
      const update = { x: at.map((p) => [p[0]]), y: at.map((p) => [p[1]]) };
      for (const chart of contours) chart.restyle(update, T.marker);
      const cursor = { shapes: [{ ...CURSOR, x0: k, x1: k }] };
      values.relayout(cursor);
      rates.relayout(cursor);
    },
    /** Both paths on the first landscape, or one each. */
    overlay(on) {
      const chart = contours[0];
      chart.restyle({ visible: [on] }, [T.path[1]]);
      chart.restyle({ visible: [on] }, [T.marker[1]]);
      chart.retitle(landscapeTitle(0, on));
      chart.resize();
      if (!on) contours[1].resize();
    },
    flush: () => Promise.all(all.map((c) => c.flush())),
  };
}
