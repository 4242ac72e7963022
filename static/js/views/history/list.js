// The list of stored runs: one row per record (tick box, when, kind, title linking its page,
// status, result, pin), and the words of a record's result.

import { el } from "../../lib/dom.js";
import { figure, when } from "../../lib/format.js";
import { pinControl } from "./state.js";
import { t } from "../../lib/i18n.js";
import { statusName } from "../../lib/labels.js";

/** A record's kind in the list's narrow column. */
function kindText(kind) {
  const words = { training: t("training"), trajectory: t("2D"), sweep: t("sweep") };
  return words[kind] ?? kind;
}

/** "rmsprop: best 1.2e-5 at eta=0.4, gamma=0.9 · 12 of 4096 cells diverged" (a sweep). */
function sweepText(run) {
  const best = run.best;
  const where = best ? Object.entries(best).filter(([k]) => !["row", "col", "value"].includes(k)) : [];
  const at = where.map(([k, v]) => `${k}=${figure(v, 4)}`).join(", ");
  const head = best ? t("{optimizer}: best {value} at {at}", { optimizer: run.optimizer, value: figure(best.value, 4), at })
    : `${run.optimizer}: ${statusName(run.status)}`;
  return run.diverged
    ? t("{head} · {diverged} of {cells} cells diverged", { head, diverged: run.diverged, cells: run.cells }) : head;
}

/** "adam: loss 0.243452 · sgd: diverged" (training), "adagrad: f 2.26 · …" (2D), or a sweep's best cell. */
export function resultText(item) {
  if (item.kind === "sweep") return item.runs.map(sweepText).join(" · ");
  return item.runs.map((run) => {
    if (run.status === "diverged") return `${run.optimizer}: ${statusName("diverged")}`;
    if (item.kind === "training") {
      return run.final_loss === null || run.final_loss === undefined
        ? `${run.optimizer}: ${statusName(run.status)}`
        : t("{optimizer}: loss {loss}", { optimizer: run.optimizer, loss: run.final_loss.toFixed(6) });
    }
    return `${run.optimizer}: f ${figure(run.final_value, 4)}`;
  }).join(" · ");
}

/** Show a record's pin state ({pinned, mine}) on its button. */
export function showPin(button, record) {
  const control = pinControl(record);
  button.textContent = control.label;
  button.disabled = control.disabled;
  button.title = control.title;
  button.setAttribute("aria-pressed", String(control.pressed));
  button.classList.toggle("pinned", control.pressed);
}

/** A record's row; its tick box is `ticked` and calls `onTick(checked)`, its pin button `onPin(item, button)`. */
export function listRow(item, { ticked, onTick, onPin }) {
  const box = el("input", {
    type: "checkbox", class: "pick", value: item.id, dataset: { kind: item.kind },
    "aria-label": t("compare {title}", { title: item.title }), checked: ticked,
    // A sweep's heatmap opens on its own page; overlaying sweeps is not a thing.
    disabled: item.kind === "sweep", title: item.kind === "sweep" ? t("a sweep opens on its own page") : undefined,
  });
  box.addEventListener("change", () => onTick(box.checked));
  const link = el("a", { href: `/runs/${item.id}`, text: item.title, class: "run-link" });
  const pin = el("button", { type: "button", class: "button secondary pin", "aria-label": t("pin {title}", { title: item.title }) });
  showPin(pin, item);
  pin.addEventListener("click", () => onPin(item, pin));
  return el("tr", { dataset: { id: item.id, kind: item.kind, status: item.status } }, [
    el("td", {}, [box]),
    el("td", { class: "nowrap" }, [el("time", {
      datetime: new Date(item.created_at * 1000).toISOString(), text: when(item.created_at),
    })]),
    el("td", { class: "nowrap", text: kindText(item.kind) }),
    el("td", {}, [link]),
    el("td", {}, [el("span", { class: `status status-${item.status}`, text: statusName(item.status) })]),
    el("td", { class: "result-cell", text: resultText(item) }),
    el("td", {}, [pin]),
  ]);
}
