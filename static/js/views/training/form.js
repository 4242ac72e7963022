// The Training view's form in the DOM ⇄ its state (state.js): the schedule fields, the seeds,
// the data-set picker and the run list; and the x-axis switch of the loss plots.

import { $ } from "../../lib/dom.js";
import { ONE_SEED, withSeeds } from "./state.js";

/** Fill the form from `form` (state.js), through the data-set `picker` and the `runs` list. */
export function writeForm(form, picker, runs) {
  picker.value = form.dataset;
  for (const id of ["batch_size", "epochs", "seed"]) $(id).value = form[id];
  $("seeds").value = form.seeds ?? ONE_SEED;
  $("device").value = form.device;
  runs.render(form.runs);
}

/** The form as typed (strings; `seeds` only when it is not 1). */
export function readForm(picker, runs) {
  return {
    dataset: picker.value,
    batch_size: $("batch_size").value.trim(),
    epochs: $("epochs").value.trim(),
    seed: $("seed").value.trim(),
    ...withSeeds($("seeds").value),
    device: $("device").value,
    runs: runs.states(),
  };
}

/** The x-axis switch showing `axis` ("epoch" or "seconds"). */
export function showAxis(axis) {
  $(axis === "seconds" ? "x-seconds" : "x-epoch").checked = true;
}
