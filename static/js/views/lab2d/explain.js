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

/** One row per quantity (x_{t-1}, g_t, the state, the rate, x_t), one column per coordinate. */
function table(step, notation, name) {
  const { symbols } = notation;
  const quantities = [
    [symbols.previous, step.previous],
    [symbols.gradient, step.gradient],
    ...step.state.map(({ key, values }) => [notation.state[key], values]),
    [notation.rate, step.rate],
    [symbols.point, step.point],
  ];
  const head = el("tr", {}, [
    el("td"),
    ...step.point.map((_, i) => el("th", { scope: "col", text: TEXT.coordinate(i + 1) })),
  ]);
  const rows = quantities.map(([formula, values]) =>
    el("tr", {}, [mathHeader(formula), ...values.map((v) => el("td", { class: "num", text: figure(v) }))]),
  );
  const caption = el("caption", { class: "visually-hidden", text: TEXT.caption(name, step.t) });
  return el("table", { class: "explain-table" }, [caption, el("thead", {}, [head]), el("tbody", {}, rows)]);
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
      container.replaceChildren(
        ...comparison.runs.map((_, i) => {
          const run = runAt(comparison, i);
          const notation = optimizers.get(run.optimizer).notation[run.impl];
          const rule = el("div", { class: "explain-rule" });
          showFormulas(rule, [notation.gradient["2d"], ...notation.rule]);
          const article = el("article", { class: `explain-run run-${names[i].tag.toLowerCase()}`, dataset: { run: String(i) } }, [
            el("h3", {}, [el("span", { class: "run-badge", text: names[i].tag }), ` ${names[i].label} (${names[i].details})`]),
            rule,
          ]);
          const step = explainStep(run, t);
          if (step) article.append(table(step, notation, names[i].name));
          else if (t === 0) article.append(el("p", { class: "note", text: TEXT.start(run.points[0] ?? comparison.meta.start) }));
          else if (comparison.done || comparison.runs[i].status === "diverged") article.append(el("p", { class: "note", text: TEXT.stopped(stepsAvailable(run)) }));
          else article.append(el("p", { class: "note", text: TEXT.waiting }));
          return article;
        }),
      );
    },
  };
}
