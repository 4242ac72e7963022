// The list of stored runs: one row per record (tick box, when, kind, title linking its page,
// status, result), and the words of a record's result.

import { el } from "../../lib/dom.js";
import { figure, when } from "../../lib/format.js";

/** "adam: loss 0.243452 · sgd: diverged" (training) or "adagrad: f 2.26 · …" (2D). */
export function resultText(item) {
  return item.runs.map((run) => {
    if (run.status === "diverged") return `${run.optimizer}: diverged`;
    if (item.kind === "training") {
      return run.final_loss === null || run.final_loss === undefined
        ? `${run.optimizer}: ${run.status}` : `${run.optimizer}: loss ${run.final_loss.toFixed(6)}`;
    }
    return `${run.optimizer}: f ${figure(run.final_value, 4)}`;
  }).join(" · ");
}

/** A record's row; its tick box is `ticked` and calls `onTick(checked)`. */
export function listRow(item, { ticked, onTick }) {
  const box = el("input", {
    type: "checkbox", class: "pick", value: item.id, dataset: { kind: item.kind },
    "aria-label": `compare ${item.title}`, checked: ticked,
  });
  box.addEventListener("change", () => onTick(box.checked));
  const link = el("a", { href: `/runs/${item.id}`, text: item.title, class: "run-link" });
  return el("tr", { dataset: { id: item.id, kind: item.kind, status: item.status } }, [
    el("td", {}, [box]),
    el("td", { class: "nowrap" }, [el("time", {
      datetime: new Date(item.created_at * 1000).toISOString(), text: when(item.created_at),
    })]),
    el("td", { class: "nowrap", text: item.kind === "training" ? "training" : "2D" }),
    el("td", {}, [link]),
    el("td", {}, [el("span", { class: `status status-${item.status}`, text: item.status })]),
    el("td", { class: "result-cell", text: resultText(item) }),
  ]);
}
