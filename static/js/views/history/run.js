// A stored run's page (or 2–4 runs overlaid): the header with its facts, exports and delete
// button, the summary table (one row per inner run), and the confirmation before a delete.

import { runColor } from "../../lib/colors.js";
import { $, el } from "../../lib/dom.js";
import { figure, when } from "../../lib/format.js";
import { showPin } from "./list.js";
import { runLabel, runTag } from "./plots.js";
import { deleteProblem } from "./state.js";
import { t, tn } from "../../lib/i18n.js";
import { kindName, statusName } from "../../lib/labels.js";

/** Empty the run screen before another run (or comparison) is shown. */
export function clearRun() {
  $("plots").replaceChildren();
  $("run-actions").hidden = true;
  $("run-links").replaceChildren();
  $("summary-head").replaceChildren();
  $("summary-body").replaceChildren();
  $("run-title").textContent = "";
  $("run-meta").textContent = "";
}

/** One run's header: title, facts, export links, delete (not while its job is active), a live link. */
export function showRunHeader(run, statuses) {
  document.title = `${run.title} · ${t("Optimizer Lab")}`;
  $("run-title").textContent = run.title;
  const seconds = run.timings?.seconds;
  $("run-meta").textContent = [
    kindName(run.kind), statusName(run.status), when(run.created_at), run.device ? t("device {device}", { device: run.device }) : "",
    Number.isFinite(seconds) ? `${figure(seconds, 3)} s` : "", run.timings?.error ?? "",
  ].filter(Boolean).join(" · ");
  $("export-csv").href = `/api/runs/${run.id}/export?format=csv`;
  $("export-json").href = `/api/runs/${run.id}/export?format=json`;
  $("run-actions").hidden = false;
  const active = statuses.isActive(run.status);
  const problem = deleteProblem(run, active);
  $("delete").disabled = Boolean(problem);
  $("delete").title = problem;
  showPin($("pin"), run);
  // The record gets its curves when the job ends; until then the Training view follows it live.
  $("run-links").replaceChildren(...(active && run.kind === "training" ? [el("li", { class: "run-live" }, [
    t("This job is {status}: its curves are stored when it ends. ", { status: statusName(run.status) }),
    el("a", { id: "watch-live", href: `/training?job=${encodeURIComponent(run.id)}`, text: t("Watch it live in the Training view") }),
  ])] : []));
}

/** A comparison's header: what is compared, and a coloured link to each record. */
export function showCompareHeader(records) {
  const kind = records[0].kind;
  const count = records.length;
  document.title = `${tn("Comparing {n} run", "Comparing {n} runs", count)} · ${t("Optimizer Lab")}`;
  $("run-title").textContent = kind === "training"
    ? tn("Comparing {n} training job", "Comparing {n} training jobs", count)
    : tn("Comparing {n} 2D comparison", "Comparing {n} 2D comparisons", count);
  $("run-meta").textContent = t("colours tell the stored runs apart, line styles the runs inside each");
  $("run-links").replaceChildren(...records.map((record, r) => {
    const swatch = el("span", { class: "swatch", dataset: { index: String(r) } });
    swatch.style.background = runColor(r);
    return el("li", {}, [
      swatch, `R${r + 1}: `, el("a", { href: `/runs/${record.id}`, text: record.title }),
      ` (${statusName(record.status)}, ${when(record.created_at)})`,
    ]);
  }));
}

/** "diverged at epoch 1.23" / "diverged at step 7" for a diverged run, else its status. */
export function storedStatus(run, training) {
  const diverged = run.status === "diverged" && run.diverged_at !== null && run.diverged_at !== undefined;
  if (!diverged) return statusName(run.status);
  const at = figure(run.diverged_at, 4);
  return training ? t("diverged at epoch {epoch}", { epoch: at }) : t("diverged at step {step}", { step: at });
}

/** The summary table: one row per inner run, the columns of the records' kind. */
export function showSummary(records, single, optimizers) {
  const training = records[0].kind === "training";
  const columns = training
    ? [t("run"), t("optimizer"), t("status"), t("final loss"), t("sec / epoch"), t("the book's line")]
    : [t("run"), t("optimizer"), t("status"), t("steps"), t("final x"), t("f(final x)")];
  $("summary-head").replaceChildren(el("tr", {}, columns.map((text) => el("th", { scope: "col", text }))));
  const rows = records.flatMap((record, r) => record.runs.map((run, k) => {
    const cells = training
      ? [figure(run.final_loss), figure(run.sec_per_epoch, 3), run.summary || "–"]
      : [String(Math.max(0, (run.points ?? 1) - 1)),
        run.final ? `(${run.final.map((v) => figure(v)).join(", ")})` : "–", figure(run.final_value)];
    return el("tr", {}, [
      el("th", { scope: "row", text: runTag(r, k, single) }),
      el("td", { text: runLabel(run, optimizers.get(run.optimizer)) }),
      el("td", {}, [el("span", { class: `status status-${run.status}`, text: storedStatus(run, training) })]),
      ...cells.map((text) => el("td", { text })),
    ]);
  }));
  $("summary-body").replaceChildren(...rows);
}

/** Ask before deleting `run` (the dialog's close event tells what was chosen). */
export function confirmDelete(run) {
  $("confirm-name").textContent = run.title;
  $("confirm-delete").returnValue = "";
  $("confirm-delete").showModal();
  $("confirm-cancel").focus(); // the safe choice first
}
