// How runs, optimizers, hyper-parameters and data sets are named on every page. Pure.
// `info` is an optimizer's GET /api/optimizers entry (its label and hyper-parameter symbols);
// without it the API names are shown.

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
  return torchTag && run.impl === "torch" ? `${label} (torch)` : label;
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
  return impl === "torch" ? "torch.optim" : "book";
}

/** A data set's name for menus and titles; synthetic data always says so. */
export function datasetName(dataset) {
  let name = dataset.label;
  if (dataset.synthetic && !/synthetic/i.test(name)) name += " (synthetic)";
  return name;
}
