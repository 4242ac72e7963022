// The plots of stored runs: a 2D comparison's paths on its landscape and f(xₜ), a training job's
// losses; one run alone (a colour per inner run) or 2–4 overlaid (a colour per record, a dash
// per inner run). Each plot sits in a card with its PNG/SVG download buttons.

import { runColor } from "../../lib/colors.js";
import { el } from "../../lib/dom.js";
import { hyperparamText, optimizerName, runLetter, tagged } from "../../lib/labels.js";
import { formatNumber } from "../../lib/format.js";
import { MARKER_POINTS, MARKER_STEPS, logFits, spansDecades } from "../../plots/axes.js";
import { createChart, markerMode } from "../../plots/chart.js";
import { valueTrace, valuesLayout } from "../../plots/curves.js";
import { downloadButtons } from "../../plots/export.js";
import { contourTrace, landscapeLayout, minimaTrace, pathTrace, startTrace } from "../../plots/landscape.js";
import { bandTraces, lossLayout, lossTrace } from "../../plots/loss.js";
import { t } from "../../lib/i18n.js";

const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

/** "A" for run k of a run's own page; "R2B" for run k of record r in a comparison. */
export function runTag(r, k, single) {
  return single ? runLetter(k) : `R${r + 1}${runLetter(k)}`;
}

/** "Adam (torch) η=0.01": a stored run's optimizer and hyper-parameters. */
export function runLabel(run, info) {
  const hps = hyperparamText(run, info, formatNumber);
  return `${optimizerName(run, info, { torchTag: true })}${hps ? ` ${hps}` : ""}`;
}

/** True when the records were run on one function (same expression and box): one landscape fits all. */
export function sameLandscape(records) {
  const first = records[0].config;
  return records.every((record) => record.config.function === first.function &&
    (record.config.expression ?? null) === (first.expression ?? null) &&
    JSON.stringify(record.config.box ?? null) === JSON.stringify(first.box ?? null));
}

/** The plots of `records` (one kind) into `box`; `optimizers` and `functions` are catalogues by name. */
export function createRunPlots(box, { records, single, optimizers, functions }) {
  const ids = records.map((record) => record.id).join("-");

  /** Colour and dash of inner run k of record r. */
  const style = (r, k) => (single
    ? { color: runColor(k), dash: "solid" }
    : { color: runColor(r), dash: DASHES[k % DASHES.length] });

  /** Every inner run: its record index, run index, series, name and style. */
  const curves = () => records.flatMap((record, r) => record.series.map((series, k) => {
    const tag = runTag(r, k, single);
    const name = tagged(tag, runLabel(record.runs[k], optimizers.get(record.runs[k].optimizer)));
    return { series, tag, name, markerSize: 5, seeds: record.config.seeds ?? 1, ...style(r, k) };
  }));

  function card(key, height) {
    const div = el("div", { class: `plot plot-history plot-${height}`, id: `plot-${key}` });
    const stem = () => `optimizer-lab-${single ? "" : "compare-"}${ids}-${key}`;
    box.append(el("figure", { class: "plot-card history-figure", dataset: { plot: key } }, [
      el("div", { class: "figure-bar" }, [downloadButtons(div, stem)]),
      div,
    ]));
    return createChart(div);
  }

  return {
    /** Paths over the landscape (`contour`: the grid, or null: plain axes), then f(xₜ). */
    async trajectories(contour) {
      const first = records[0].config;
      const info = functions.get(first.function);
      const traces = contour ? [contourTrace(contour, { logContours: contour.log_contours })] : [];
      const values = [];
      for (const { series, ...curve } of curves()) {
        const mode = markerMode(series.points.length - 1, MARKER_STEPS);
        traces.push(pathTrace({ ...curve, mode, legendgroup: curve.name, points: series.points }));
        values.push(valueTrace({ ...curve, mode, legendgroup: curve.name, values: series.values }));
      }
      const starts = records.map((record) => record.config.start).filter(Boolean);
      if (starts.length) traces.push(startTrace(starts));
      if (sameLandscape(records) && info?.minima?.length) traces.push(minimaTrace(info.minima));
      const label = first.function === "custom" ? `f = ${first.expression}` : info?.label ?? first.function;
      const text = contour ? t("paths on {label}", { label }) : t("paths in (x₁, x₂) (different functions: no contour)");
      await card("paths", "tall").init(traces, landscapeLayout({ text, box: contour?.box, showlegend: true }));
      const log = logFits(values.map((t) => t.y));
      await card("values", "short").init(values, valuesLayout({ log, showlegend: true }));
    },
    /** Every run's losses on one plot (log axis when they span more than LOG_RATIO). */
    async training() {
      const all = curves();
      const traces = all.map(({ series, seeds, ...curve }) => lossTrace({
        ...curve, epochs: series.epochs, losses: series.losses, mode: markerMode(series.epochs.length, MARKER_POINTS),
        legendgroup: curve.name,
      }));
      // A job over several seeds: each mean with its band from the lowest to the highest seed.
      for (const { series, seeds, tag, color, name } of all) {
        if (seeds > 1 && series.losses_min && series.losses_max) {
          traces.push(...bandTraces({
            tag, color, x: series.epochs, low: series.losses_min, high: series.losses_max, legendgroup: name,
          }));
        }
      }
      const losses = records.flatMap((record) => record.series.flatMap((series) => series.losses));
      const log = spansDecades(losses);
      const empty = !losses.some((v) => Number.isFinite(v) && v > 0);
      const dataset = records[0].config.dataset?.label ?? records[0].config.dataset?.id ?? "";
      let text = dataset ? t("full-data loss per epoch, {dataset}", { dataset }) : t("full-data loss per epoch");
      if (log) text = t("{title} (log scale)", { title: text });
      if (empty) text = t("{title}: no points stored yet", { title: text });
      await card("loss", "tall").init(traces, lossLayout({ text, log, showlegend: true }));
    },
  };
}
