// The 2D lab's four charts: a landscape per run (or both paths on the first) as contours or a 3D
// surface, f(xₜ) and the effective rates, drawn from a comparison's state, extended by each step
// event, or, while a slider is dragged, with the moved runs' traces replaced. Hovering a step on
// f(xₜ) or the rates reports it (linked scrubbing); the player's frame is marked on all four.

import { runColor } from "../../lib/colors.js";
import { watchInView } from "../../lib/dom.js";
import { plotlyText } from "../../lib/escape.js";
import { createLatest } from "../../lib/latest.js";
import { baseLayout, createChart, linkAxes, markerMode, title } from "../../plots/chart.js";
import { MARKER_STEPS, rangeHolds } from "../../plots/axes.js";
import { valuesLayout, valueTrace, rateTraces, ratesLayout, valuesTitle } from "../../plots/curves.js";
import {
  contourTrace, gridValueAt, heightOf, heightRange, landscapeLayout, markTrace3d, minimaTrace, nowTrace,
  nowTrace3d, pathTrace, pathTrace3d, startTrace, surfaceLayout, surfaceTrace,
} from "../../plots/landscape.js";
import { hasNonPositive, stepUpdates, wholeUpdates } from "./comparison.js";
import { curveFrame, curveTraces, frameChanges, joined, landscapeFrame, landscapeRuns } from "./updates.js";
import { t } from "../../lib/i18n.js";

// Trace indices inside each landscape chart, the same for contours and surface.
const T = { contour: 0, path: [1, 2], marker: [3, 4], start: 5, minima: 6 };
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
  let shownFrame = null; // the player's frame the markers, rings and cursor show
  const stale = new Set(); // charts a slider's answers skipped (out of view): redrawn once in view

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
    stale.delete(chart);
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

  const heights = (which) => modes[which] === SURFACE && ((v) => heightOf(v, logZ(drawn.info)));
  const frameUpdates = (state, k) => frameChanges(state, k, contours.map((_, which) => heights(which)));

  function drawFrame({ state, k }) {
    const frame = frameUpdates(state, k);
    shownFrame = k;
    contours.forEach((chart, which) => chart.restyle(frame.markers[which], T.marker));
    values.update(frame.rings, frame.cursor, state.runs.map((_, i) => i));
    rates.update(frame.rateRings, frame.cursor, curveTraces(state.runs.map((_, i) => i), 2));
    return Promise.all(all.map((c) => c.flush()));
  }

  const frames = createLatest({ send: drawFrame });

  function pathUpdate(which, update, info) {
    if (modes[which] !== SURFACE) return update.paths;
    return { ...update.paths, z: update.heights.z.map((row) => row.map((v) => heightOf(v, logZ(info)))) };
  }

  // --- a slider drag's answers: whole redraws, or only the changed runs' traces ------------------

  function redrawLandscape(which, state, k) {
    const frame = frameUpdates(state, k);
    return contours[which].update(
      joined(pathUpdate(which, wholeUpdates(state), drawn.info), frame.markers[which]),
      { "title.text": plotlyText(landscapeTitle(which, drawn.overlay)) },
      [...T.path, ...T.marker],
    );
  }

  function moveLandscape(which, state, k, runs) {
    const chart = contours[which];
    const { traces, data } = landscapeFrame(wholeUpdates(state).paths, frameUpdates(state, k).markers[which], runs, T);
    const moved = chart.morph(data, traces);
    // The title (its run's settings) follows a frame later, while the next answer is on its way.
    const text = plotlyText(landscapeTitle(which, drawn.overlay));
    if (chart.div.layout?.title?.text !== text) chart.relayout({ "title.text": text });
    return moved;
  }

  const positive = (state) => state.runs.every((run) => run.values.every((v) => v > 0));

  function redrawValues(state, k) {
    const log = positive(state);
    const axis = log === logValues ? {} : { "yaxis.type": log ? "log" : "linear", "title.text": valuesTitle(log) };
    logValues = log;
    const frame = frameUpdates(state, k);
    return values.update({ ...wholeUpdates(state).values, ...frame.rings }, { ...frame.cursor, ...axis }, state.runs.map((_, i) => i));
  }

  function moveValues(state, k, runs) {
    const series = state.runs.map((run) => run.values);
    if (positive(state) !== logValues || !rangeHolds(values.range("yaxis"), series, { log: logValues })) {
      return redrawValues(state, k);
    }
    const { traces, data } = curveFrame(wholeUpdates(state).values, runs, 1);
    return values.morph(data, traces);
  }

  function redrawRates(state, k) {
    const frame = frameUpdates(state, k);
    return rates.update({ ...wholeUpdates(state).rates, ...frame.rateRings }, frame.cursor, curveTraces(state.runs.map((_, i) => i), 2));
  }

  function moveRates(state, k, runs) {
    const whole = wholeUpdates(state).rates;
    if (!rangeHolds(rates.range("yaxis"), whole.y, { log: true })) return redrawRates(state, k);
    const { traces, data } = curveFrame(whole, runs, 2);
    return rates.morph(data, traces);
  }

  /**
   * A slider's answer on one chart: only the traces of the changed runs `runs` replotted (on
   * contours; a surface is redrawn), or, with `runs` null, the chart redrawn whole.
   */
  function drawAnswer(chart, state, k, runs) {
    const which = contours.indexOf(chart);
    if (which >= 0) return runs && modes[which] === CONTOUR ? moveLandscape(which, state, k, runs) : redrawLandscape(which, state, k);
    if (chart === values) return runs ? moveValues(state, k, runs) : redrawValues(state, k);
    return runs ? moveRates(state, k, runs) : redrawRates(state, k);
  }

  // Charts out of view are not redrawn while a slider moves; they catch up once they are back.
  const screen = watchInView(all.map((c) => c.div), (div) => {
    const chart = all.find((c) => c.div === div);
    if (stale.delete(chart) && drawn) drawAnswer(chart, drawn.state, shownFrame, null);
  });

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
      shownFrame = null;
      stale.clear();
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
     * The runs `changed` of a whole comparison of the same problem (a slider moved) drawn over the
     * old ones, the player at frame `k`. While the frame stays, only the changed runs' traces are
     * replotted (the contours and the axes stay as drawn, unless a curve leaves its axis's range);
     * a chart out of view is skipped and redrawn once it comes back. Resolves once all are drawn.
     */
    replace(state, runNames, k, changed = state.runs.map((_, i) => i)) {
      names = runNames;
      drawn.state = state;
      const sameFrame = k === shownFrame;
      shownFrame = k;
      const redraws = [];
      const later = (chart, runs) => {
        if (screen.visible(chart.div)) redraws.push(drawAnswer(chart, state, k, sameFrame ? runs : null));
        else stale.add(chart);
      };
      contours.forEach((chart, which) => {
        const runs = landscapeRuns(which, state.runs.length, drawn.overlay).filter((i) => changed.includes(i));
        if ((drawn.overlay && which > 0) || (sameFrame && !runs.length)) return; // hidden, or unchanged
        later(chart, runs);
      });
      if (changed.length || !sameFrame) {
        later(values, changed);
        later(rates, changed);
      }
      return Promise.all(redraws);
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
