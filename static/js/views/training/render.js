// The Training view's text and tables, drawn from a job: the results table, each run's progress
// bar (inside its small multiple's card) and the job line with its link to the stored record.

import { $, el, showLink } from "../../lib/dom.js";
import { formatNumber, sixDecimals } from "../../lib/format.js";
import { hyperparamText, optimizerName, runLetter, tagged } from "../../lib/labels.js";
import { finalLossText, jobLine, progressText, runProgress, runStatusText } from "./job.js";
import { t } from "../../lib/i18n.js";

/** How each run of `job` is named: {name: "A · RMSProp (torch)", label, hyperparams: "η=0.01, …"}. */
export function runNames(job, optimizers) {
  return job.runs.map((run, i) => {
    const info = optimizers.get(run.optimizer);
    const label = optimizerName(run, info, { torchTag: true });
    return { name: tagged(runLetter(i), label), label, hyperparams: hyperparamText(run, info, formatNumber) };
  });
}

// Each render takes the job and the catalogues it names things by: {optimizers (by name), statuses}.

/** One row per run: optimizer, impl, hyper-parameters, status, final loss, time, device, the book's line. */
export function renderTable(job, { optimizers }) {
  const rows = job.runs.map((run, i) => {
    const letter = runLetter(i);
    const info = optimizers.get(run.optimizer);
    return el("tr", { class: `run-${letter.toLowerCase()}`, dataset: { run: String(i), status: run.status } }, [
      el("th", { scope: "row" }, [el("span", { class: "run-badge", text: letter })]),
      el("td", { class: "cell-optimizer", text: optimizerName(run, info) }),
      el("td", { class: "cell-impl", text: run.impl === "book" ? t("book") : run.impl }),
      el("td", { class: "cell-hps", text: hyperparamText(run, info, formatNumber) }),
      el("td", { class: "cell-status" }, [el("span", { class: `status status-${run.status}`, text: runStatusText(run) })]),
      el("td", { class: "cell-loss num", text: finalLossText(run), title: spreadTitle(run, job) }),
      el("td", { class: "cell-time num", text: sixDecimals(run.sec_per_epoch) }),
      el("td", { class: "cell-device", text: job.device }),
      el("td", { class: "cell-summary" }, [el("code", { text: run.summary || "…" })]),
    ]);
  });
  $("results-body").replaceChildren(...rows);
  $("results-empty").hidden = rows.length > 0;
  $("th-loss").textContent = (job.seeds ?? 1) > 1
    ? t("final loss (mean ± sd, {seeds} seeds)", { seeds: job.seeds }) : t("final loss");
}

/** "over 5 seeds: lowest 0.242184, highest 0.246610" for a run over several seeds, else none. */
function spreadTitle(run, job) {
  if (!((job.seeds ?? 1) > 1) || !Number.isFinite(run.final_loss_min)) return undefined;
  return t("mean ± sd over {seeds} seeds; lowest {low}, highest {high}", {
    seeds: job.seeds, low: sixDecimals(run.final_loss_min), high: sixDecimals(run.final_loss_max),
  });
}

/** Each run's progress bar and its words, in the run's small-multiple card. */
export function renderProgress(job) {
  job.runs.forEach((run, i) => {
    const card = $("multiples").querySelector(`.multiple[data-run="${i}"]`);
    if (!card) return;
    const bar = card.querySelector("progress");
    bar.value = runProgress(run, job);
    bar.dataset.status = run.status;
    card.querySelector(".progress-text").textContent = progressText(run, job);
    card.dataset.status = run.status;
  });
}

/** The job line; once the job has ended, the link to its permanent page (which shows its final curves). */
export function renderJobLine(job, { statuses }) {
  $("job-line").textContent = jobLine(job);
  showLink($("run-link"), statuses.isFinished(job.status) ? `/runs/${encodeURIComponent(job.id)}` : null);
}

/** Everything that shows a job's state in words. */
export function renderJob(job, catalogues) {
  renderTable(job, catalogues);
  renderProgress(job);
  renderJobLine(job, catalogues);
}

// What each event of the job's stream changes on the page (the charts aside).
const REDRAWN = {
  status: [renderTable, renderProgress, renderJobLine],
  progress: [renderProgress, renderJobLine],
  run: [renderTable, renderProgress],
  end: [renderTable, renderProgress, renderJobLine],
};

/** Redraw what event `name` changed of `job`. */
export function renderAfter(name, job, catalogues) {
  for (const render of REDRAWN[name] ?? []) render(job, catalogues);
}

/** No job: an empty table and the invitation to press Run. */
export function renderNoJob() {
  $("results-body").replaceChildren();
  $("results-empty").hidden = false;
  $("job-line").textContent = t("Press Run to train every run on the same data, from the same start.");
  $("run-link").hidden = true;
}

/** Why job `id` cannot be shown (the 404's words say whether the history still has it), with its link. */
export function goneNotice(id, err) {
  const stored = /\/api\/runs\//.test(err.message);
  return [
    stored
      ? t("Job {id} is no longer live on this server. ", { id })
      : t("Job {id} is no longer live on this server (a mistyped link, or dropped after a restart). ", { id }),
    ...(stored ? [el("a", { href: `/runs/${encodeURIComponent(id)}`, text: t("Open its stored record") }), "."] : []),
  ];
}
