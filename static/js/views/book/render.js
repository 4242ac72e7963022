// The book page's DOM: one table per section of the chapter, one row per printed result
// (what it is, its formulas, what the book printed, ours, the verdict, seconds per epoch, a
// link), and the results the catalogue leaves out with the reason. Rows are built once and
// updated as answers arrive.

import { el } from "../../lib/dom.js";
import { bookNumber } from "../../lib/format.js";
import { showFormulas } from "../../lib/math.js";
import { resultHref } from "./links.js";
import { scatter, strip } from "./spread.js";
import { t } from "../../lib/i18n.js";

const TEXT = {
  columns: [t("result"), t("the book printed"), t("ours"), t("verdict"), t("seconds per epoch"), ""],
  verdict: { running: t("running…"), pass: t("pass"), fail: t("fail") },
  open: { trajectory: t("open in the 2D lab"), training: t("open in Training") },
  // The book's own output line (D2L's train_2d prints it so, in either edition).
  point: (steps, [x1, x2]) => `epoch ${steps}, x1 ${bookNumber(x1)}, x2 ${bookNumber(x2)}`,
  randomPoint: (ours, n) => t("mean ± sd over {n} seeds: x1 {x1} ± {sd1}, x2 {x2} ± {sd2}", {
    n, x1: bookNumber(ours.x1.mean), sd1: bookNumber(ours.x1.sd), x2: bookNumber(ours.x2.mean), sd2: bookNumber(ours.x2.sd),
  }),
  loss: (o) => t("loss {mean} ± {sd} (mean ± sd), {min}–{max} over {seeds} seeds", {
    mean: bookNumber(o.mean), sd: bookNumber(o.sd), min: bookNumber(o.min), max: bookNumber(o.max), seeds: o.seeds,
  }),
  seeds: (done, n) => t("{done} of {n} seeds…", { done, n }),
  timeBook: (v) => t("book {value}", { value: bookNumber(v) }),
  timeOurs: (v) => t("ours {value}", { value: bookNumber(v) }),
  timeNote: (o) => t("{seeds} seeds in one job, {device}", { seeds: o.seeds, device: o.device }),
  random: t("unseeded in the book: judged against our spread"),
  omittedTitle: t("Printed, but not re-run"),
  failed: (why) => t("failed: {reason}", { reason: why }),
};

/** The language of the page's descriptions: "zh" when the page is in Chinese, else "en". */
export function pageLanguage() {
  return document.documentElement.lang.toLowerCase().startsWith("zh") ? "zh" : "en";
}

function row(result, lang, refs) {
  const formulas = el("div", { class: "book-formulas" });
  showFormulas(formulas, result.formulas);
  const verdict = el("span", { class: "verdict", dataset: { verdict: "running" }, text: TEXT.verdict.running });
  const ours = el("div", { class: "ours" });
  const time = el("td", { class: "num time" });
  const what = el("td", { class: "what" }, [el("p", { class: "description", text: result.description[lang] }), formulas]);
  if (result.random) what.append(el("p", { class: "note", text: TEXT.random }));
  const tr = el("tr", { dataset: { result: result.id, kind: result.kind } }, [
    what,
    el("td", {}, [el("code", { class: "printed", text: result.printed.line })]),
    el("td", {}, [ours]),
    el("td", {}, [verdict]),
    time,
    el("td", {}, [el("a", { class: "open", href: resultHref(result), text: TEXT.open[result.kind] })]),
  ]);
  refs.set(result.id, { tr, verdict, ours, time });
  return tr;
}

/** Build every section's table in `container`; returns {id → the row's elements}. */
export function buildSections(container, book, lang = pageLanguage()) {
  const refs = new Map();
  const sections = book.sections.map((section) => {
    const results = book.results.filter((r) => r.section === section.id);
    const head = el("tr", {}, TEXT.columns.map((c) => el("th", { scope: "col", text: c })));
    return el("section", { class: "book-section card", id: `section-${section.id.replace(".", "-")}` }, [
      el("h2", { text: `${section.id} ${section.title[lang]}` }),
      el("table", { class: "book-table" }, [el("thead", {}, [head]), el("tbody", {}, results.map((r) => row(r, lang, refs)))]),
    ]);
  });
  container.replaceChildren(...sections);
  return refs;
}

function showOurs(node, result, state, book) {
  const { ours } = state;
  if (state.error) {
    node.replaceChildren(el("p", { class: "field-error", text: TEXT.failed(state.error) }));
  } else if (!ours) {
    node.textContent = result.random ? TEXT.seeds(state.points.length, book.seeds) : "";
  } else if (result.kind === "training") {
    node.replaceChildren(el("p", { text: TEXT.loss(ours) }), strip(result.printed.loss, ours, book.sigmas));
  } else if (result.random) {
    node.replaceChildren(el("p", { text: TEXT.randomPoint(ours, book.seeds) }), scatter(result.printed.point, ours.points));
  } else {
    node.replaceChildren(el("code", { text: TEXT.point(result.request.steps, ours.point) }));
  }
}

/** Show `state` (a row of state.js) in the row of `result`. */
export function updateRow(refs, result, state, book) {
  const { tr, verdict, ours, time } = refs.get(result.id);
  tr.dataset.verdict = state.verdict;
  verdict.dataset.verdict = state.verdict;
  verdict.textContent = TEXT.verdict[state.verdict];
  showOurs(ours, result, state, book);
  if (result.kind === "training") {
    const lines = [el("span", { class: "book-time", text: TEXT.timeBook(result.printed.sec_per_epoch) })];
    if (state.ours?.secPerEpoch != null) {
      lines.push(
        el("span", { class: "our-time", text: TEXT.timeOurs(state.ours.secPerEpoch) }),
        el("span", { class: "note", text: TEXT.timeNote(state.ours) }),
      );
    }
    time.replaceChildren(...lines);
  }
}

/** The printed results the catalogue does not re-run, each with why. */
export function showOmitted(container, omitted, lang = pageLanguage()) {
  container.hidden = omitted.length === 0;
  container.replaceChildren(
    el("h2", { text: TEXT.omittedTitle }),
    el("ul", {}, omitted.map((o) => el("li", {}, [
      el("strong", { text: `${o.section} ${o.description[lang]}: ` }),
      el("code", { text: o.line }),
      el("p", { class: "note", text: o.reason[lang] }),
    ]))),
  );
}
