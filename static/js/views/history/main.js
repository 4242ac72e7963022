// The History view: every stored 2D comparison and training job (GET /api/runs), filtered and paged;
// one run opened at its permanent URL (/runs/<id>); 2–4 runs of one kind overlaid
// (/history?compare=<id>,<id>); delete with a confirmation; pin and unpin; every plot downloads as
// PNG or SVG. The list shows this browser's runs, or everyone's, and the space the history uses.
// The URL holds the filters, the page and the comparison (state.js), so reload, back and shared
// links restore them.

import { ApiError, deleteJSON, deleteResource, getJSON, isAbort, postJSON } from "../../lib/api.js";
import { byName, loadCatalogue } from "../../lib/catalogue.js";
import { $, el, showChildren } from "../../lib/dom.js";
import { createBanner, startView } from "../../lib/messages.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "../../lib/url-state.js";
import { listRow, showPin } from "./list.js";
import { createRunPlots, sameLandscape } from "./plots.js";
import { clearRun, confirmDelete, showCompareHeader, showRunHeader, showSummary } from "./run.js";
import {
  FILTERS, PAGE_SIZE, compareHint, emptyText, idsProblem, lastPage, listState, route, usageText,
} from "./state.js";
import { t } from "../../lib/i18n.js";
import { statusName } from "../../lib/labels.js";

const filter = (key) => $(`filter-${key}`);

class HistoryView {
  constructor(root, { optimizers, functions, statuses }) {
    this.root = root;
    this.optimizers = byName(optimizers);
    this.functions = byName(functions);
    this.statuses = statuses;
    this.banner = createBanner();
    this.selected = new Map(); // id -> kind, kept across pages and filters
    this.offset = 0;
    this.controller = null;
    this.records = [];

    filter("optimizer").append(...optimizers.map((o) => el("option", { value: o.name, text: o.label })));
    filter("status").append(...statuses.all.map((status) => el("option", { value: status, text: statusName(status) })));
    this.bindControls();
  }

  start() {
    onUrlStateChange((state) => this.route(state));
    const runId = this.root.dataset.run;
    if (runId) return this.openRuns([runId], { single: true });
    return this.route(readUrlState());
  }

  route(state) {
    const where = route(state);
    if (where.screen === "compare") return this.openRuns(where.ids, { single: false });
    for (const key of FILTERS) {
      const select = filter(key);
      select.value = [...select.options].some((o) => o.value === where.filters[key]) ? where.filters[key] : "";
    }
    this.offset = where.offset;
    return this.showList();
  }

  bindControls() {
    for (const key of FILTERS) {
      filter(key).addEventListener("change", () => {
        this.offset = 0;
        writeUrlState(this.listState());
        this.showList();
      });
    }
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("refresh").addEventListener("click", () => this.showList());
    $("prev").addEventListener("click", () => this.turnPage(-1));
    $("next").addEventListener("click", () => this.turnPage(1));
    $("compare").addEventListener("click", () => {
      writeUrlState({ compare: [...this.selected.keys()].join(",") });
      this.openRuns([...this.selected.keys()], { single: false });
    });
    $("delete").addEventListener("click", () => confirmDelete(this.records[0]));
    $("pin").addEventListener("click", () => this.togglePin(this.records[0], $("pin")));
    $("confirm-delete").addEventListener("close", () => {
      if ($("confirm-delete").returnValue === "delete") this.deleteRun();
    });
  }

  setState(state) {
    this.root.dataset.state = state;
  }

  fetchJSON(url) {
    return getJSON(url, { signal: this.controller.signal });
  }

  /** A new screen: the previous one's requests are cancelled, its messages cleared. */
  restart() {
    this.controller?.abort();
    this.controller = new AbortController();
    this.banner.show("");
    $("notice").hidden = true;
    this.setState("loading");
    return this.controller;
  }

  refuse(text) {
    this.banner.show(text);
    this.setState("error");
  }

  failed(err, controller) {
    if (isAbort(err) || controller !== this.controller) return;
    this.banner.error(err);
    this.setState("error");
  }

  // --- the list -------------------------------------------------------------------------------

  listState() {
    return listState(Object.fromEntries(FILTERS.map((key) => [key, filter(key).value])), this.offset);
  }

  turnPage(direction) {
    this.offset = Math.max(0, this.offset + direction * PAGE_SIZE);
    writeUrlState(this.listState());
    this.showList();
  }

  async showList() {
    const controller = this.restart();
    $("list-view").hidden = false;
    $("run-view").hidden = true;
    document.title = `${t("Run history")} · ${t("Optimizer Lab")}`;
    const params = new URLSearchParams({ ...this.listState(), offset: String(this.offset), limit: String(PAGE_SIZE) });
    try {
      const page = await this.fetchJSON(`/api/runs?${params}`);
      if (controller !== this.controller) return;
      if (!page.items.length && page.total > 0 && this.offset > 0) {
        this.offset = lastPage(page.total); // past the end: the last page
        writeUrlState(this.listState(), { replace: true });
        this.showList();
        return;
      }
      $("runs-body").replaceChildren(...page.items.map((item) => listRow(item, {
        ticked: this.selected.has(item.id),
        onTick: (checked) => {
          if (checked) this.selected.set(item.id, item.kind);
          else this.selected.delete(item.id);
          this.updateCompare();
        },
        onPin: (record, button) => this.togglePin(record, button),
      })));
      $("empty").textContent = emptyText(Object.fromEntries(FILTERS.map((key) => [key, filter(key).value])));
      $("empty").hidden = page.items.length > 0;
      $("usage").textContent = usageText(page.usage);
      $("runs-table").hidden = page.items.length === 0;
      const last = this.offset + page.items.length;
      $("page-label").textContent = page.total
        ? t("{first}–{last} of {total}", { first: this.offset + 1, last, total: page.total }) : t("no runs");
      $("prev").disabled = this.offset === 0;
      $("next").disabled = last >= page.total;
      this.updateCompare();
      this.setState("list");
    } catch (err) {
      this.failed(err, controller);
    }
  }

  updateCompare() {
    const count = this.selected.size;
    const hint = compareHint(this.selected);
    $("compare").disabled = Boolean(hint);
    $("compare").textContent = count ? t("Compare ticked ({count})", { count }) : t("Compare ticked");
    $("compare-hint").textContent = hint;
  }

  // --- one run, or several overlaid ------------------------------------------------------------

  async openRuns(ids, { single }) {
    const controller = this.restart();
    $("list-view").hidden = true;
    $("run-view").hidden = false;
    clearRun();
    const problem = idsProblem(ids, single);
    if (problem) return this.refuse(problem);
    try {
      const records = await Promise.all(ids.map((id) => this.fetchJSON(`/api/runs/${encodeURIComponent(id)}`)
        .catch((err) => {
          if (err instanceof ApiError && err.status === 404) return { missing: id };
          throw err;
        })));
      if (controller !== this.controller) return undefined;
      const missing = records.filter((r) => r.missing).map((r) => r.missing);
      if (missing.length) {
        return this.refuse(t("No stored run with id {ids}: deleted, or a mistyped link.", { ids: missing.join(", ") }));
      }
      if (new Set(records.map((r) => r.kind)).size > 1) {
        return this.refuse(t("These runs are of different kinds: compare 2D comparisons or training jobs, not both."));
      }
      this.records = records;
      if (single) showRunHeader(records[0], this.statuses);
      else showCompareHeader(records);
      showSummary(records, single, this.optimizers);
      const plots = createRunPlots($("plots"), { records, single, optimizers: this.optimizers, functions: this.functions });
      if (records[0].kind === "trajectory") {
        const contour = sameLandscape(records) ? await this.contour(records[0]) : null;
        if (controller !== this.controller) return undefined;
        await plots.trajectories(contour);
      } else {
        await plots.training();
      }
      if (controller !== this.controller) return undefined;
      this.setState(single ? "run" : "compare");
    } catch (err) {
      this.failed(err, controller);
    }
    return undefined;
  }

  /** The landscape a stored 2D run was drawn on, or null (its paths still show, on plain axes). */
  contour(record) {
    return this.fetchJSON(`/api/runs/${record.id}/contour`).catch((err) => {
      if (isAbort(err)) throw err;
      return null;
    });
  }

  // --- pin and delete -------------------------------------------------------------------------

  /** Pin or unpin `record` (a list row's or the open run's), then show what the server answered. */
  async togglePin(record, button) {
    const url = `/api/runs/${encodeURIComponent(record.id)}/pin`;
    button.disabled = true;
    try {
      const answer = record.pinned ? await deleteJSON(url) : await postJSON(url);
      record.pinned = answer.pinned;
      this.banner.show("");
    } catch (err) {
      if (!isAbort(err)) this.banner.error(err);
    } finally {
      showPin(button, record);
    }
  }

  async deleteRun() {
    const run = this.records[0];
    const controller = this.restart();
    try {
      await deleteResource(`/api/runs/${run.id}`, { signal: controller.signal });
      if (controller !== this.controller) return;
      this.selected.delete(run.id);
      $("run-view").hidden = true;
      showChildren($("notice"), t("Deleted “{title}”. ", { title: run.title }), el("a", { href: "/history", text: t("See every stored run") }));
      document.title = `${t("Run deleted")} · ${t("Optimizer Lab")}`;
      this.setState("deleted");
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        this.banner.show(err.message);
        this.setState("run");
        return;
      }
      this.failed(err, controller);
    }
  }
}

startView("history", t("open the history"), async (root) => {
  const catalogue = await loadCatalogue("optimizers", "functions", "statuses");
  await new HistoryView(root, catalogue).start();
});
