// How runs, optimizers, hyper-parameters and data sets are named on every page. Pure.
// `info` is an optimizer's GET /api/optimizers entry (its label and hyper-parameter symbols);
// without it the API names are shown.

import { t } from "./i18n.js";

/** "A", "B", ... for run 0, 1, ... */
export function runLetter(index) {
  return String.fromCharCode(65 + index);
}

/** "A · RMSProp": a run's tag before its name, as in legends. */
export function tagged(tag, text) {
  return `${tag} · ${text}`;
}

/** "RMSProp", or "RMSProp (torch)" with `torchTag` for a torch.optim run. */
export function optimizerName(run, info, { torchTag = false } = {}) {
  const label = info?.label ?? run.optimizer;
  return torchTag && run.impl === "torch" ? t("{label} (torch)", { label }) : label;
}

/** "η=0.4, γ=0.9": the run's hyper-parameters with the book's symbols, in the order given. */
export function hyperparamText(run, info, format = String) {
  const symbols = new Map((info?.hyperparams ?? []).map((hp) => [hp.name, hp.symbol]));
  return Object.entries(run.hyperparams ?? {})
    .map(([name, value]) => `${symbols.get(name) ?? name}=${format(value)}`)
    .join(", ");
}

/** "book" or "torch.optim": where a run's update rule comes from. */
export function implName(impl) {
  return impl === "torch" ? "torch.optim" : t("book");
}

/** A data set's name for menus and titles; synthetic data always says so. */
export function datasetName(dataset) {
  let name = dataset.label;
  if (dataset.synthetic && !/synthetic|合成/i.test(name)) name = t("{name} (synthetic)", { name });
  return name;
}

/** A job's, run's or record's status in words ("done" → 已完成); one the page does not know stays as it is. */
export function statusName(status) {
  const words = {
    queued: t("queued"),
    running: t("running"),
    done: t("done"),
    failed: t("failed"),
    cancelled: t("cancelled"),
    interrupted: t("interrupted"),
    diverged: t("diverged"),
    ok: t("ok"),
    unknown: t("unknown"),
  };
  return words[status] ?? status;
}

/** What a stored record is: a 2D comparison, a training job (a kind the page does not know stays as it is). */
export function kindName(kind) {
  const words = { trajectory: t("2D comparison"), training: t("training job"), sweep: t("sweep") };
  return words[kind] ?? kind;
}
