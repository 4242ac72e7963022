// The Training view's charts: every run's losses overlaid on one plot, and one small plot per
// run (its card also holds the run's progress bar). Drawn from a job, extended by its progress
// events; a curve that comes to span more than LOG_RATIO turns its axis logarithmic. A job over
// several seeds draws each run's mean with a shaded band from its lowest to its highest seed;
// the x-axis is epochs or training seconds (`setAxis`).

import { runColor } from "../../lib/colors.js";
import { $, el } from "../../lib/dom.js";
import { datasetName, runLetter } from "../../lib/labels.js";
import { MARKER_POINTS, spansDecades } from "../../plots/axes.js";
import { createChart, markerMode } from "../../plots/chart.js";
import {
  bandTraces, emptyLossLayout, lossLayout, lossTrace, multipleLayout, multipleLog,
} from "../../plots/loss.js";
import { t } from "../../lib/i18n.js";

const banded = (job) => (job.seeds ?? 1) > 1;

/**
 * The overlay's title: data set (`dataset`: its catalogue entry, named in the page's language),
 * batch and seed(s) of the job, and what x is.
 */
function overlayTitle(job, dataset, log, x = "epoch") {
  const seeds = banded(job)
    ? t("seeds {first}–{last} (mean, band: lowest to highest)", { first: job.seed, last: job.seed + job.seeds - 1 })
    : t("seed {seed}", { seed: job.seed });
  const values = { dataset: datasetName(dataset), batch: job.batch_size, seeds };
  const text = x === "seconds"
    ? t("loss vs training time · {dataset} · batch {batch}, {seeds}", values)
    : t("loss vs epoch · {dataset} · batch {batch}, {seeds}", values);
  return log ? t("{title} (log scale)", { title: text }) : text;
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
      el("progress", { class: "run-progress", max: 1, value: 0, "aria-label": t("run {letter} progress", { letter }) }),
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
  let dataset = null;
  let drawnNames = [];
  let log = { overlay: false, runs: [] };
  let x = "epoch";

  // x of a run's points: its epochs, or its training seconds (none from an older server: empty).
  const xs = (curve) => (x === "seconds" ? curve.elapsed ?? [] : curve.epochs);
  const trace = (run, name, i, extra = {}) => lossTrace({
    name: name.name, tag: runLetter(i), color: runColor(i), epochs: xs(run), losses: run.losses, xKind: x,
    mode: markerMode(job.points, MARKER_POINTS), legendgroup: `run${i}`, ...extra,
  });
  const band = (run, i) => bandTraces({
    tag: runLetter(i), color: runColor(i), x: xs(run), low: run.losses_min ?? [], high: run.losses_max ?? [],
    legendgroup: `run${i}`,
  });

  // Means first (trace i is run i), then each run's band as two traces.
  const overlayTraces = () => [
    ...job.runs.map((run, i) => trace(run, drawnNames[i], i)),
    ...(banded(job) ? job.runs.flatMap((run, i) => band(run, i)) : []),
  ];
  const overlayLayout = () => lossLayout({
    text: overlayTitle(job, dataset, false, x), epochs: job.epochs, x, uirevision: `${job.id}:${x}`, showlegend: true,
  });
  const multipleTraces = (run, i) => [
    trace(run, drawnNames[i], i, { showlegend: false }), ...(banded(job) ? band(run, i) : []),
  ];

  function dropMultiples() {
    for (const chart of multiples) chart.purge();
    multiples = [];
  }

  /** Switch to a log axis each curve (and the overlay) that now spans more than LOG_RATIO. */
  function updateScales() {
    if (!log.overlay && spansDecades(job.runs.flatMap((run) => run.losses))) {
      log.overlay = true;
      overlay.retitle(overlayTitle(job, dataset, true, x), { "yaxis.type": "log" });
    }
    job.runs.forEach((run, i) => {
      if (log.runs[i] || !spansDecades(run.losses)) return;
      log.runs[i] = true;
      multiples[i]?.relayout(multipleLog());
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
    /**
     * Redraw from a job (its curves so far); `names` [{name, label, hyperparams}] per run, `data` the
     * job's data set as the catalogue lists it (else the job's own record of it).
     */
    draw(shown, names, data = shown.dataset) {
      job = shown;
      dataset = data;
      drawnNames = names;
      log = { overlay: false, runs: job.runs.map(() => false) };
      overlay.reset(overlayTraces(), overlayLayout());
      dropMultiples();
      const cards = job.runs.map((_, i) => multipleCard(names[i], i));
      box.replaceChildren(...cards);
      box.dataset.count = String(cards.length);
      multiples = job.runs.map((run, i) => {
        const chart = createChart($(`multiple-${i}`));
        chart.init(multipleTraces(run, i), multipleLayout({ epochs: job.epochs, x, uirevision: `${job.id}:${x}` }));
        return chart;
      });
      updateScales();
    },
    /** Append a progress event's points ([{index, epochs, losses}]) to `shown`'s charts. */
    extend(shown, parts) {
      job = shown;
      const count = job.runs.length;
      const bands = banded(job);
      for (const part of parts) {
        const at = xs(part);
        const update = bands
          ? { x: [at, at, at], y: [part.losses, part.losses_min ?? [], part.losses_max ?? []] }
          : { x: [at], y: [part.losses] };
        multiples[part.index]?.extend(update, bands ? [0, 1, 2] : [0]);
      }
      const lines = { x: parts.map(xs), y: parts.map((p) => p.losses) };
      const edges = bands
        ? { x: parts.flatMap((p) => [xs(p), xs(p)]), y: parts.flatMap((p) => [p.losses_min ?? [], p.losses_max ?? []]) }
        : { x: [], y: [] };
      overlay.extend(
        { x: [...lines.x, ...edges.x], y: [...lines.y, ...edges.y] },
        [...parts.map((p) => p.index), ...(bands ? parts.flatMap((p) => [count + 2 * p.index, count + 2 * p.index + 1]) : [])],
      );
      updateScales();
    },
    /** The x-axis of every loss plot: "epoch" or "seconds" (the job shown is redrawn). */
    setAxis(axis) {
      x = axis;
      if (!job) return;
      log = { overlay: false, runs: job.runs.map(() => false) };
      overlay.reset(overlayTraces(), overlayLayout());
      multiples.forEach((chart, i) => chart.reset(multipleTraces(job.runs[i], i), multipleLayout({
        epochs: job.epochs, x, uirevision: `${job.id}:${x}`,
      })));
      updateScales();
    },
    /** The x-axis now. */
    get axis() {
      return x;
    },
    /** Resolves once every chart has drawn what it was given. */
    flush: () => Promise.all([overlay, ...multiples].map((chart) => chart.flush())),
  };
}
