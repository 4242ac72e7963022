// The 2D lab's four charts: a landscape per run (or both paths on the first) as contours or a 3D
// surface, f(xₜ) and the effective rates, drawn from a comparison's state, extended by each step
// event, or replaced whole while a slider is dragged. Hovering a step on f(xₜ) or the rates
// reports it (linked scrubbing); the player's frame is marked on all four.

import { runColor } from "../../lib/colors.js";
import { plotlyText } from "../../lib/escape.js";
import { createLatest } from "../../lib/latest.js";
import { baseLayout, createChart, linkAxes, markerMode, title } from "../../plots/chart.js";
import { MARKER_STEPS } from "../../plots/axes.js";
import { valuesLayout, valueTrace, rateTraces, ratesLayout, valuesTitle } from "../../plots/curves.js";
import {
  contourTrace, gridValueAt, heightOf, heightRange, landscapeLayout, markTrace3d, minimaTrace, nowTrace,
  nowTrace3d, pathTrace, pathTrace3d, startTrace, surfaceLayout, surfaceTrace,
} from "../../plots/landscape.js";
import { hasNonPositive, positionsAt, stepUpdates, valuesAt, wholeUpdates } from "./comparison.js";
import { t } from "../../lib/i18n.js";

// Trace indices inside each landscape chart, the same for contours and surface.
const T = { contour: 0, path: [1, 2], marker: [3, 4], start: 5, minima: 6 };
const CURSOR = { type: "line", xref: "x", yref: "paper", y0: 0, y1: 1, line: { color: "#6b7280", width: 1, dash: "dot" } };
export const SURFACE = "surface";
export const CONTOUR = "contour";

/** The lab's charts on the divs `contours` (two), `values` and `rates`. */
export function createLabCharts(divs) {
  const contours = divs.contours.map((div) => createChart(div));
  const values = createChart(divs.values);
  const rates = createChart(divs.rates);
  const all = [...contours, values, rates];
  const modes = contours.map(() => CONTOUR);
  let names = [];
  let logValues = true;
  let drawn = null; // {state, info, overlay}: what the landscapes show, to redraw in another mode

  function landscapeTitle(which, overlay) {
    if (overlay && which === 0) return t("{a} and {b}", { a: names[0].name, b: names[1].name });
    return `${names[which].name} (${names[which].details})`;
  }

  const logZ = (info) => Boolean(info.log_contours);

  function flatTraces(state, info, shown) {
    const { meta } = state;
    const mode = markerMode(meta.steps, MARKER_STEPS);
    return [
      contourTrace(meta.contour, { logContours: info.log_contours }),
      ...names.map((run, i) => pathTrace({
        name: run.name, tag: run.tag, color: runColor(i), mode, visible: shown(i), legendgroup: `run${i}`,
        points: state.runs[i].points,
      })),
      ...names.map((run, i) => nowTrace({
        tag: run.tag, color: runColor(i), at: meta.start, visible: shown(i), legendgroup: `run${i}`,
      })),
      startTrace([meta.start]),
      minimaTrace(info.minima),
    ];
  }

  function surfaceTraces(state, info, shown) {
    const { meta } = state;
    const z = logZ(info);
    const height = (p) => heightOf(gridValueAt(meta.contour, p[0], p[1]), z);
    return [
      surfaceTrace(meta.contour, { logZ: z }),
      ...names.map((run, i) => pathTrace3d({
        name: run.name, tag: run.tag, color: runColor(i), visible: shown(i), legendgroup: `run${i}`,
        points: state.runs[i].points, values: state.runs[i].values, logZ: z,
      })),
      ...names.map((run, i) => nowTrace3d({
        tag: run.tag, color: runColor(i), at: meta.start, z: height(meta.start), visible: shown(i),
        legendgroup: `run${i}`,
      })),
      markTrace3d(startTrace([meta.start]), [height(meta.start)]),
      markTrace3d(minimaTrace(info.minima), info.minima.map(height)),
    ];
  }

  function drawLandscape(which) {
    const { state, info, overlay } = drawn;
    const { meta } = state;
    const shown = (i) => i === which || overlay;
    const text = landscapeTitle(which, overlay);
    const uirevision = `${meta.function}:${meta.expression ?? ""}:${meta.box.join(",")}`;
    const chart = contours[which];
    chart.div.dataset.mode = modes[which];
    if (modes[which] === SURFACE) {
      const zRange = heightRange(meta.contour, logZ(info));
      return chart.reset(surfaceTraces(state, info, shown), surfaceLayout({
        text, box: meta.box, logZ: logZ(info), zRange, uirevision,
      }));
    }
    return chart.reset(flatTraces(state, info, shown), landscapeLayout({
      text, box: meta.box, uirevision, margin: { t: 40 },
    }));
  }

  /** What frame k changes: the landscapes' markers, the rings on f(xₜ), the cursor on both curves. */
  function frameUpdates(state, k) {
    const at = positionsAt(state, k);
    const heights = valuesAt(state, k);
    const markers = contours.map((_, which) => ({
      x: at.map((p) => [p[0]]),
      y: at.map((p) => [p[1]]),
      ...(modes[which] === SURFACE ? { z: heights.map((v) => [heightOf(v, logZ(drawn.info))]) } : {}),
    }));
    // Step k's points on the curves are drawn larger (Plotly's selected points: f(xₜ) from step 0,
    // the rates from step 1).
    return {
      markers,
      rings: { selectedpoints: state.runs.map(() => [k]) },
      rateRings: { selectedpoints: state.runs.flatMap(() => [[k - 1], [k - 1]]) },
      cursor: { shapes: [{ ...CURSOR, x0: k, x1: k }] },
    };
  }

  function drawFrame({ state, k }) {
    const frame = frameUpdates(state, k);
    const rateIndices = state.runs.flatMap((_, i) => [2 * i, 2 * i + 1]);
    contours.forEach((chart, which) => chart.restyle(frame.markers[which], T.marker));
    values.update(frame.rings, frame.cursor, state.runs.map((_, i) => i));
    rates.update(frame.rateRings, frame.cursor, rateIndices);
    return Promise.all(all.map((c) => c.flush()));
  }

  const frames = createLatest({ send: drawFrame });

  function pathUpdate(which, update, info) {
    if (modes[which] !== SURFACE) return update.paths;
    return { ...update.paths, z: update.heights.z.map((row) => row.map((v) => heightOf(v, logZ(info)))) };
  }

  return {
    contours,
    /** Empty frames before the first run; zoom linked between the landscapes. */
    async init() {
      const empty = baseLayout({
        title: title(t("waiting for the first run…")), xaxis: { visible: false }, yaxis: { visible: false },
      });
      await Promise.all(all.map((c) => c.init([], empty)));
      linkAxes(contours);
    },
    /** Redraw every chart for a new comparison (`info`: its function's catalogue entry). */
    draw(state, runNames, info, overlay) {
      names = runNames;
      logValues = true;
      drawn = { state, info, overlay };
      const { meta } = state;
      contours.forEach((_, which) => drawLandscape(which));
      const mode = markerMode(meta.steps, MARKER_STEPS);
      const ring = { selected: { marker: { size: 13 } }, unselected: { marker: { opacity: 1 } } };
      values.reset(
        names.map((run, i) => ({ ...valueTrace({ name: run.name, tag: run.tag, color: runColor(i), mode }), ...ring })),
        valuesLayout({ log: true, steps: meta.steps, uirevision: meta.steps, hovermode: "x" }),
      );
      rates.reset(
        names.flatMap((run, i) => rateTraces({ name: run.name, tag: run.tag, color: runColor(i), mode }))
          .map((trace) => ({ ...trace, ...ring })),
        ratesLayout({ steps: meta.steps, uirevision: meta.steps, hovermode: "x" }),
      );
    },
    /** Append a step event's points; f ≤ 0 turns the f(xₜ) axis linear for the rest of the run. */
    extend(state, step) {
      drawn.state = state;
      const update = { ...stepUpdates(step), heights: { z: step.runs.map((part) => part.values) } };
      const runs = step.runs.map((_, i) => i);
      contours.forEach((chart, which) => chart.extend(pathUpdate(which, update, drawn.info), T.path));
      values.extend(update.values, runs);
      rates.extend(update.rates, update.rates.x.map((_, i) => i));
      if (logValues && hasNonPositive(step)) {
        logValues = false;
        values.retitle(valuesTitle(false), { "yaxis.type": "linear" });
      }
    },
    /**
     * Every run's curves replaced by a whole comparison of the same problem (a slider moved), the
     * player at frame `k`: one redraw per chart. Resolves once all four are drawn.
     */
    replace(state, runNames, k, changed = state.runs.map((_, i) => i)) {
      names = runNames;
      drawn.state = state;
      const whole = wholeUpdates(state);
      const frame = frameUpdates(state, k);
      const cat = (a, b) => ({ x: [...a.x, ...b.x], y: [...a.y, ...b.y], ...(a.z ? { z: [...a.z, ...b.z] } : {}) });
      const rateIndices = whole.rates.x.map((_, i) => i);
      contours.forEach((chart, which) => {
        // A landscape whose runs did not change keeps its drawing (the contours are the costly part).
        const shows = drawn.overlay && which === 0 ? [0, 1] : [which];
        if (!shows.some((i) => changed.includes(i)) || (drawn.overlay && which > 0)) return;
        chart.update(
          cat(pathUpdate(which, whole, drawn.info), frame.markers[which]),
          { "title.text": plotlyText(landscapeTitle(which, drawn.overlay)) },
          [...T.path, ...T.marker],
        );
      });
      const log = state.runs.every((run) => run.values.every((v) => v > 0));
      const axis = log === logValues ? {} : { "yaxis.type": log ? "log" : "linear", "title.text": valuesTitle(log) };
      logValues = log;
      const runs = state.runs.map((_, i) => i);
      values.update({ ...whole.values, ...frame.rings }, { ...frame.cursor, ...axis }, runs);
      rates.update({ ...whole.rates, ...frame.rateRings }, frame.cursor, rateIndices);
      return this.flush();
    },
    /**
     * Frame k: each run's marker where it is then (on the surface too), a cursor and step k's points
     * on the curves. Frames asked for while one is being drawn collapse to the newest.
     */
    showFrame(state, k) {
      frames.push({ state, k });
    },
    /** Landscape `which` as contours or as a surface (its camera kept while its runs re-run). */
    setMode(which, mode) {
      modes[which] = mode;
      return drawn ? drawLandscape(which) : Promise.resolve();
    },
    /** `handler(step)` when a step of f(xₜ) or of the rates is hovered or clicked. */
    onStep(handler) {
      for (const chart of [values, rates]) {
        const report = (event) => {
          const step = event?.points?.[0]?.x;
          if (Number.isInteger(step)) handler(step);
        };
        chart.on("plotly_hover", report);
        chart.on("plotly_click", report);
      }
    },
    /** Both paths on the first landscape, or one each. */
    overlay(on) {
      drawn.overlay = on;
      const chart = contours[0];
      chart.restyle({ visible: [on] }, [T.path[1]]);
      chart.restyle({ visible: [on] }, [T.marker[1]]);
      chart.retitle(landscapeTitle(0, on));
      chart.resize();
      if (!on) contours[1].resize();
    },
    flush: async () => {
      await frames.idle();
      return Promise.all(all.map((c) => c.flush()));
    },
  };
}
