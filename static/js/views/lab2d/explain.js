// "Explain step t", beside the playback slider: each run's update at the slider's step with the
// numbers put in — x_{t-1}, g_t, the optimizer's state, its effective rate and x_t, per
// coordinate — under the rule itself (MathML from GET /api/optimizers). The numbers come from
// lib/explain.js; this module only draws them.

import { el } from "../../lib/dom.js";
import { explainStep, stepsAvailable } from "../../lib/explain.js";
import { figure } from "../../lib/format.js";
import { mathNode, showFormulas } from "../../lib/math.js";
import { runAt } from "./comparison.js";
import { t } from "../../lib/i18n.js";

const TEXT = {
  start: (point) => t("Step 0 is the start, x₀ = ({point}): no update yet.", { point: point.map((v) => figure(v)).join(", ") }),
  stopped: (n) => t("This run stopped after step {n}.", { n }),
  waiting: t("This step has not arrived yet."),
  coordinate: (i) => `x${"₀₁₂₃"[i] ?? i}`,
  caption: (name, step) => t("{name}, step {step}", { name, step }),
};

/** A row header holding a formula (the API's MathML for a symbol). */
const mathHeader = (formula) => el("th", { scope: "row", title: formula.latex }, [mathNode(formula.mathml)]);

/** The quantities of a step, one row each: x_{t-1}, g_t, the state, the rate, x_t. */
function quantities(step, notation) {
  const { symbols } = notation;
  return [
    [symbols.previous, step.previous],
    [symbols.gradient, step.gradient],
    ...step.state.map(({ key, values }) => [notation.state[key], values]),
    [notation.rate, step.rate],
    [symbols.point, step.point],
  ];
}

/** One row per quantity, one column per coordinate. */
function table(step, notation, name) {
  const head = el("tr", {}, [
    el("td"),
    ...step.point.map((_, i) => el("th", { scope: "col", text: TEXT.coordinate(i + 1) })),
  ]);
  const rows = quantities(step, notation).map(([formula, values]) =>
    el("tr", {}, [mathHeader(formula), ...values.map((v) => el("td", { class: "num", text: figure(v) }))]),
  );
  const caption = el("caption", { class: "visually-hidden", text: TEXT.caption(name, step.t) });
  return el("table", { class: "explain-table" }, [caption, el("thead", {}, [head]), el("tbody", {}, rows)]);
}

/** Why run i has no table at step t: the start, a run that stopped, a step yet to come. */
function noteAt(comparison, run, t, i) {
  if (t === 0) return TEXT.start(run.points[0] ?? comparison.meta.start);
  if (comparison.done || comparison.runs[i].status === "diverged") return TEXT.stopped(stepsAvailable(run));
  return TEXT.waiting;
}

/**
 * What run i's article shows at step t: its heading, and the step's table or a note. `shape`
 * names everything but the numbers and the words (the rule, the rows): an article of the same
 * shape is updated in place, which keeps a slider drag or playback from rebuilding the formulas.
 */
function content(comparison, names, t, i, optimizers) {
  const run = runAt(comparison, i);
  const notation = optimizers.get(run.optimizer).notation[run.impl];
  const step = explainStep(run, t);
  const note = step ? null : noteAt(comparison, run, t, i);
  const rows = step ? `${step.state.map((s) => s.key).join(",")}:${step.point.length}` : "note";
  const shape = [names[i].tag, run.optimizer, run.impl, rows].join("|");
  return { notation, step, note, shape, heading: ` ${names[i].label} (${names[i].details})`, name: names[i].name };
}

function article(view, i, tag) {
  const rule = el("div", { class: "explain-rule" });
  showFormulas(rule, [view.notation.gradient["2d"], ...view.notation.rule]);
  const node = el("article", { class: `explain-run run-${tag.toLowerCase()}`, dataset: { run: String(i), shape: view.shape } }, [
    el("h3", {}, [el("span", { class: "run-badge", text: tag }), view.heading]),
    rule,
  ]);
  node.append(view.step ? table(view.step, view.notation, view.name) : el("p", { class: "note", text: view.note }));
  return node;
}

/** Set a node's text only when it differs (an unchanged text is not laid out again). */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** The numbers and words of `view` in an article of its shape. */
function refresh(node, view) {
  setText(node.querySelector("h3").lastChild, view.heading);
  if (!view.step) {
    setText(node.querySelector("p.note"), view.note);
    return;
  }
  setText(node.querySelector("caption"), TEXT.caption(view.name, view.step.t));
  const rows = node.querySelectorAll("tbody tr");
  quantities(view.step, view.notation).forEach(([, values], r) => {
    rows[r].querySelectorAll("td").forEach((cell, c) => setText(cell, figure(values[c])));
  });
}

/**
 * The explanation panel in `container` (one article per run, coloured like the run).
 *   show(comparison, names, t): draw step t of every run; names from runNames().
 */
export function createExplainer(container, stepLabel, optimizers) {
  return {
    show(comparison, names, t) {
      stepLabel.textContent = String(t);
      if (!comparison) {
        container.replaceChildren();
        return;
      }
      const before = [...container.children];
      const articles = comparison.runs.map((_, i) => {
        const view = content(comparison, names, t, i, optimizers);
        const old = before[i];
        if (old?.dataset.shape !== view.shape) return article(view, i, names[i].tag);
        refresh(old, view);
        return old;
      });
      if (articles.length !== before.length || articles.some((node, i) => node !== before[i])) {
        container.replaceChildren(...articles);
      }
    },
  };
}
