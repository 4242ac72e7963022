// The runs of the Training form: 2–6 cards (A–F), each an optimizer panel with a remove button,
// and "+ Add a run" proposing the next optimizer the form does not hold yet.

import { $, el } from "../../lib/dom.js";
import { createOptimizerPanel } from "../../lib/form.js";
import { runLetter } from "../../lib/labels.js";
import { MAX_RUNS, MIN_RUNS, nextRun } from "./state.js";
import { t } from "../../lib/i18n.js";

/** The run cards inside #run-list; `onChange()` after every edit, addition and removal. */
export function createRunList({ catalogue, onChange }) {
  const list = $("run-list");
  let panels = [];

  const states = () => panels.map((panel) => panel.getState());

  function render(given) {
    list.replaceChildren();
    panels = given.slice(0, MAX_RUNS).map((state, i) => {
      const letter = runLetter(i);
      const remove = el("button", {
        type: "button", class: "remove-run", text: t("✕ remove"), title: t("remove run {letter}", { letter }),
        "aria-label": t("remove run {letter}", { letter }), disabled: given.length <= MIN_RUNS,
      });
      remove.addEventListener("click", () => {
        const kept = states();
        kept.splice(i, 1);
        render(kept);
        onChange();
      });
      const card = el("fieldset", { class: `card run run-${letter.toLowerCase()}`, dataset: { run: String(i) } }, [
        el("legend", {}, [el("span", { class: "run-badge", text: letter }), " ", t("run {letter}", { letter })]),
        remove,
      ]);
      list.append(card);
      const panel = createOptimizerPanel(card, {
        catalogue, fieldPrefix: `runs[${i}]`, context: "training", onChange,
      });
      panel.setState(state);
      return panel;
    });
    $("add-run").disabled = panels.length >= MAX_RUNS;
    $("run-count").textContent = t("{n} runs ({min}–{max}), same data and start", {
      n: panels.length, min: MIN_RUNS, max: MAX_RUNS,
    });
  }

  $("add-run").addEventListener("click", () => {
    const held = states();
    render([...held, nextRun(held)]);
    onChange();
    list.lastElementChild?.querySelector("select")?.focus();
  });

  return {
    /** Each run's panel state ({opt, impl, <hyper-parameter>: text}). */
    states,
    /** Replace the runs (at most MAX_RUNS). */
    render,
  };
}
