// The Training view's charts: every run's losses overlaid on one plot, and one small plot per
// run (its card also holds the run's progress bar). Drawn from a job, extended by its progress
// events; a curve that comes to span more than LOG_RATIO turns its axis logarithmic.

import { runColor } from "../../lib/colors.js";
import { $, el } from "../../lib/dom.js";
import { datasetName, runLetter } from "../../lib/labels.js";
import { MARKER_POINTS, spansDecades } from "../../plots/axes.js";
import { createChart, markerMode } from "../../plots/chart.js";
import { emptyLossLayout, lossLayout, lossTrace, MULTIPLE_LOG, multipleLayout } from "../../plots/loss.js";

/** The overlay's title: data set, batch and seed of the job. */
function overlayTitle(job, log) {
  return `loss vs epoch · ${datasetName(job.dataset)} · batch ${job.batch_size}, seed ${job.seed}` +
    (log ? " (log scale)" : "");
}

/** One small multiple: badge, name and hyper-parameters, progress bar, plot. */
function multipleCard(name, i) {
  const letter = runLetter(i);
  return el("figure", { class: `plot-card multiple run-${letter.toLowerCase()}`, dataset: { run: String(i) } }, [
    el("figcaption", { class: "multiple-head" }, [
      el("span", { class: "run-badge", text: letter }),
      el("span", { class: "multiple-name", text: name.label, title: name.hyperparams }),
      el("span", { class: "multiple-hps", text: name.hyperparams }),
    ]),
    el("div", { class: "progress-row" }, [
      el("progress", { class: "run-progress", max: 1, value: 0, "aria-label": `run ${letter} progress` }),
      el("span", { class: "progress-text" }),
    ]),
    el("div", { class: "plot plot-small", id: `multiple-${i}` }),
  ]);
}

/** The charts of the view: the overlay in `overlayDiv`, the small multiples inside `box`. */
export function createTrainingCharts(overlayDiv, box) {
  const overlay = createChart(overlayDiv);
  let multiples = [];
  let job = null;
  let log = { overlay: false, runs: [] };

  const trace = (run, name, i, extra = {}) => lossTrace({
    name: name.name, tag: runLetter(i), color: runColor(i), epochs: run.epochs, losses: run.losses,
    mode: markerMode(job.points, MARKER_POINTS), ...extra,
  });

  function dropMultiples() {
    for (const chart of multiples) chart.purge();
    multiples = [];
  }

  /** Switch to a log axis each curve (and the overlay) that now spans more than LOG_RATIO. */
  function updateScales() {
    if (!log.overlay && spansDecades(job.runs.flatMap((run) => run.losses))) {
      log.overlay = true;
      overlay.retitle(overlayTitle(job, true), { "yaxis.type": "log" });
    }
    job.runs.forEach((run, i) => {
      if (log.runs[i] || !spansDecades(run.losses)) return;
      log.runs[i] = true;
      multiples[i]?.relayout(MULTIPLE_LOG);
    });
  }

  return {
    /** Empty axes with a word on what will appear (before the first job). */
    idle: (text, epochs) => overlay.init([], emptyLossLayout(text, epochs)),
    /** Back to empty axes: no job shown. */
    clear(text, epochs) {
      job = null;
      overlay.reset([], emptyLossLayout(text, epochs));
      dropMultiples();
      box.replaceChildren();
    },
    /** Redraw from a job (its curves so far); `names` [{name, label, hyperparams}] per run. */
    draw(shown, names) {
      job = shown;
      log = { overlay: false, runs: job.runs.map(() => false) };
      const epochs = job.epochs;
      overlay.reset(job.runs.map((run, i) => trace(run, names[i], i)), lossLayout({
        text: overlayTitle(job, false), epochs, uirevision: job.id, showlegend: true,
      }));
      dropMultiples();
      const cards = job.runs.map((_, i) => multipleCard(names[i], i));
      box.replaceChildren(...cards);
      box.dataset.count = String(cards.length);
      multiples = job.runs.map((run, i) => {
        const chart = createChart($(`multiple-${i}`));
        chart.init([trace(run, names[i], i, { showlegend: false })], multipleLayout({ epochs, uirevision: job.id }));
        return chart;
      });
      updateScales();
    },
    /** Append a progress event's points ([{index, epochs, losses}]) to `shown`'s charts. */
    extend(shown, parts) {
      job = shown;
      for (const part of parts) multiples[part.index]?.extend({ x: [part.epochs], y: [part.losses] }, [0]);
      overlay.extend(
        { x: parts.map((p) => p.epochs), y: parts.map((p) => p.losses) },
        parts.map((p) => p.index),
      );
      updateScales();
    },
    /** Resolves once every chart has drawn what it was given. */
    flush: () => Promise.all([overlay, ...multiples].map((chart) => chart.flush())),
  };
}
