// The History view: every stored 2D comparison and training job (GET /api/runs), filtered and paged;
// one run opened at its permanent URL (/runs/<id>); 2–4 runs of one kind overlaid
// (/history?compare=<id>,<id>); delete with a confirmation; every plot downloads as PNG or SVG.
// The URL holds the filters, the page and the comparison, so reload, back and shared links restore them.

import { ApiError, deleteResource, getJSON, isAbort } from "./api.js";
import { baseLayout, createChart, runColor, runLetter, title } from "./charts.js";
import { downloadButtons } from "./export.js";
import { el, formatNumber } from "./form.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "./state.js";

const PAGE_SIZE = 20;
const MAX_COMPARE = 4;
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
const MARKER_STEPS = 60; // shorter paths get markers, as in the 2D lab
const KIND_LABEL = { trajectory: "2D comparison", training: "training job" };

const $ = (id) => document.getElementById(id);

// --- pure helpers --------------------------------------------------------------------------

/** Seconds since the epoch as local "YYYY-MM-DD HH:MM:SS". */
export function when(seconds) {
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A number for a table cell: 6 significant digits, "–" for none. */
export function figure(value, digits = 6) {
  if (value === null || value === undefined) return "–";
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(digits)).toString();
}

/** The ids of a comparison URL (?compare=a,b): distinct, in order. */
export function compareIds(text) {
  return [...new Set(String(text ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
}

/** True when every value is > 0 (a log axis can show them). */
function allPositive(series) {
  return series.every((values) => values.every((v) => v === null || v > 0));
}

// --- the view -----------------------------------------------------------------------------

class HistoryView {
  constructor(root, optimizers, functions) {
    this.root = root;
    this.optimizers = new Map(optimizers.map((o) => [o.name, o]));
    this.functions = new Map(functions.map((f) => [f.name, f]));
    this.selected = new Map(); // id -> kind, kept across pages and filters
    this.offset = 0;
    this.total = 0;
    this.controller = null;
    this.records = [];

    $("filter-optimizer").append(...optimizers.map((o) => el("option", { value: o.name, text: o.label })));
    this.bindControls();
  }

  start() {
    onUrlStateChange((state) => this.route(state));
    const runId = this.root.dataset.run;
    if (runId) return this.openRuns([runId], { single: true });
    return this.route(readUrlState());
  }

  route(state) {
    if (state.compare !== undefined) return this.openRuns(compareIds(state.compare), { single: false });
    this.applyFilters(state);
    return this.showList();
  }

  bindControls() {
    for (const id of ["filter-kind", "filter-optimizer", "filter-status"]) {
      $(id).addEventListener("change", () => {
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
    $("delete").addEventListener("click", () => this.askDelete());
    $("confirm-delete").addEventListener("close", () => {
      if ($("confirm-delete").returnValue === "delete") this.deleteRun();
    });
  }

  setState(state) {
    this.root.dataset.state = state;
  }

  showBanner(text) {
    $("banner").textContent = text;
    $("banner").hidden = !text;
  }

  fetchJSON(url) {
    return getJSON(url, { signal: this.controller.signal });
  }

  restart() {
    this.controller?.abort();
    this.controller = new AbortController();
    this.showBanner("");
    $("notice").hidden = true;
    this.setState("loading");
    return this.controller;
  }

  failed(err, controller) {
    if (isAbort(err) || controller !== this.controller) return;
    const what = err instanceof ApiError && err.status === 0 ? "Network error" : "Server error";
    this.showBanner(`${what}: ${err.message}`);
    this.setState("error");
  }

  // --- the list -----------------------------------------------------------------------------

  filters() {
    return { kind: $("filter-kind").value, optimizer: $("filter-optimizer").value, status: $("filter-status").value };
  }

  applyFilters(state) {
    for (const [key, id] of [["kind", "filter-kind"], ["optimizer", "filter-optimizer"], ["status", "filter-status"]]) {
      const select = $(id);
      const wanted = state[key] ?? "";
      select.value = [...select.options].some((o) => o.value === wanted) ? wanted : "";
    }
    const offset = Number.parseInt(state.offset ?? "0", 10);
    this.offset = Number.isFinite(offset) && offset > 0 ? offset - (offset % PAGE_SIZE) : 0;
  }

  /** The list's URL state: only the filters in use, and the page when it is not the first. */
  listState() {
    const state = {};
    for (const [key, value] of Object.entries(this.filters())) if (value) state[key] = value;
    if (this.offset) state.offset = String(this.offset);
    return state;
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
    document.title = "Run history · Optimizer Lab";
    const params = new URLSearchParams({ ...this.listState(), offset: String(this.offset), limit: String(PAGE_SIZE) });
    try {
      const page = await this.fetchJSON(`/api/runs?${params}`);
      if (controller !== this.controller) return;
      if (!page.items.length && page.total > 0 && this.offset > 0) {
        this.offset = Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE; // past the end: the last page
        writeUrlState(this.listState(), { replace: true });
        this.showList();
        return;
      }
      this.total = page.total;
      $("runs-body").replaceChildren(...page.items.map((item) => this.row(item)));
      $("empty").hidden = page.items.length > 0;
      $("runs-table").hidden = page.items.length === 0;
      const last = this.offset + page.items.length;
      $("page-label").textContent = page.total ? `${this.offset + 1}–${last} of ${page.total}` : "no runs";
      $("prev").disabled = this.offset === 0;
      $("next").disabled = last >= page.total;
      this.updateCompare();
      this.setState("list");
    } catch (err) {
      this.failed(err, controller);
    }
  }

  row(item) {
    const box = el("input", {
      type: "checkbox", class: "pick", value: item.id, dataset: { kind: item.kind },
      "aria-label": `compare ${item.title}`, checked: this.selected.has(item.id),
    });
    box.addEventListener("change", () => {
      if (box.checked) this.selected.set(item.id, item.kind);
      else this.selected.delete(item.id);
      this.updateCompare();
    });
    const link = el("a", { href: `/runs/${item.id}`, text: item.title, class: "run-link" });
    return el("tr", { dataset: { id: item.id, kind: item.kind, status: item.status } }, [
      el("td", {}, [box]),
      el("td", { class: "nowrap" }, [el("time", { datetime: new Date(item.created_at * 1000).toISOString(),
        text: when(item.created_at) })]),
      el("td", { class: "nowrap", text: item.kind === "training" ? "training" : "2D" }),
      el("td", {}, [link]),
      el("td", {}, [el("span", { class: `status status-${item.status}`, text: item.status })]),
      el("td", { class: "result-cell", text: this.resultText(item) }),
    ]);
  }

  resultText(item) {
    return item.runs.map((run) => {
      if (run.status === "diverged") return `${run.optimizer}: diverged`;
      if (item.kind === "training") {
        return run.final_loss === null || run.final_loss === undefined
          ? `${run.optimizer}: ${run.status}` : `${run.optimizer}: loss ${run.final_loss.toFixed(6)}`;
      }
      return `${run.optimizer}: f ${figure(run.final_value, 4)}`;
    }).join(" · ");
  }

  updateCompare() {
    const count = this.selected.size;
    const kinds = new Set(this.selected.values());
    let hint = "";
    if (count < 2) hint = "tick 2–4 runs of one kind to overlay them";
    else if (count > MAX_COMPARE) hint = `at most ${MAX_COMPARE} runs at once: untick ${count - MAX_COMPARE}`;
    else if (kinds.size > 1) hint = "tick runs of one kind: 2D comparisons or training jobs";
    $("compare").disabled = Boolean(hint);
    $("compare").textContent = count ? `Compare ticked (${count})` : "Compare ticked";
    $("compare-hint").textContent = hint;
  }

  // --- one run, or several overlaid ----------------------------------------------------------

  async openRuns(ids, { single }) {
    const controller = this.restart();
    $("list-view").hidden = true;
    $("run-view").hidden = false;
    $("plots").replaceChildren();
    $("run-actions").hidden = true;
    $("run-links").replaceChildren();
    $("summary-head").replaceChildren();
    $("summary-body").replaceChildren();
    $("run-title").textContent = "";
    $("run-meta").textContent = "";
    const wrong = single ? ids.length !== 1 : ids.length < 2 || ids.length > MAX_COMPARE;
    if (wrong) {
      this.showBanner(`A comparison takes 2 to ${MAX_COMPARE} run ids; this link has ${ids.length}.`);
      this.setState("error");
      return;
    }
    try {
      const records = await Promise.all(ids.map((id) => this.fetchJSON(`/api/runs/${encodeURIComponent(id)}`)
        .catch((err) => {
          if (err instanceof ApiError && err.status === 404) return { missing: id };
          throw err;
        })));
      if (controller !== this.controller) return;
      const missing = records.filter((r) => r.missing).map((r) => r.missing);
      if (missing.length) {
        this.showBanner(`No stored run with id ${missing.join(", ")}: deleted, or a mistyped link.`);
        this.setState("error");
        return;
      }
      const kinds = new Set(records.map((r) => r.kind));
      if (kinds.size > 1) {
        this.showBanner("These runs are of different kinds: compare 2D comparisons or training jobs, not both.");
        this.setState("error");
        return;
      }
      this.records = records;
      this.single = single;
      this.showHeader(records, single);
      this.showSummary(records, single);
      if (records[0].kind === "trajectory") await this.drawTrajectories(records, single, controller);
      else await this.drawTraining(records, single);
      if (controller !== this.controller) return;
      this.setState(single ? "run" : "compare");
    } catch (err) {
      this.failed(err, controller);
    }
  }

  tag(r, k, single) {
    return single ? runLetter(k) : `R${r + 1}${runLetter(k)}`;
  }

  runLabel(run) {
    const info = this.optimizers.get(run.optimizer);
    const symbols = new Map((info?.hyperparams ?? []).map((hp) => [hp.name, hp.symbol]));
    const hps = Object.entries(run.hyperparams ?? {})
      .map(([name, value]) => `${symbols.get(name) ?? name}=${formatNumber(value)}`).join(", ");
    const impl = run.impl === "torch" ? " (torch)" : "";
    return `${info?.label ?? run.optimizer}${impl}${hps ? ` ${hps}` : ""}`;
  }

  showHeader(records, single) {
    const kind = records[0].kind;
    if (single) {
      const run = records[0];
      document.title = `${run.title} · Optimizer Lab`;
      $("run-title").textContent = run.title;
      const seconds = run.timings?.seconds;
      $("run-meta").textContent = [
        KIND_LABEL[kind], run.status, when(run.created_at), run.device ? `device ${run.device}` : "",
        Number.isFinite(seconds) ? `${figure(seconds, 3)} s` : "", run.timings?.error ?? "",
      ].filter(Boolean).join(" · ");
      $("export-csv").href = `/api/runs/${run.id}/export?format=csv`;
      $("export-json").href = `/api/runs/${run.id}/export?format=json`;
      $("run-actions").hidden = false;
      const active = run.status === "queued" || run.status === "running";
      $("delete").disabled = active;
      $("delete").title = active ? "a job still in progress cannot be deleted" : "";
      // The record gets its curves when the job ends; until then the Training view follows it live.
      $("run-links").replaceChildren(...(active && kind === "training" ? [el("li", { class: "run-live" }, [
        `This job is ${run.status}: its curves are stored when it ends. `,
        el("a", { id: "watch-live", href: `/training?job=${encodeURIComponent(run.id)}`, text: "Watch it live in the Training view" }),
      ])] : []));
      return;
    }
    document.title = `Comparing ${records.length} runs · Optimizer Lab`;
    $("run-title").textContent = `Comparing ${records.length} ${kind === "training" ? "training jobs" : "2D comparisons"}`;
    $("run-meta").textContent = "colours tell the stored runs apart, line styles the runs inside each";
    $("run-links").replaceChildren(...records.map((record, r) => el("li", {}, [
      el("span", { class: "swatch", dataset: { index: String(r) } }),
      `R${r + 1}: `,
      el("a", { href: `/runs/${record.id}`, text: record.title }),
      ` (${record.status}, ${when(record.created_at)})`,
    ])));
    for (const swatch of $("run-links").querySelectorAll(".swatch")) {
      swatch.style.background = runColor(Number(swatch.dataset.index));
    }
  }

  showSummary(records, single) {
    const training = records[0].kind === "training";
    const columns = training
      ? ["run", "optimizer", "status", "final loss", "sec / epoch", "the book's line"]
      : ["run", "optimizer", "status", "steps", "final x", "f(final x)"];
    $("summary-head").replaceChildren(el("tr", {}, columns.map((text) => el("th", { scope: "col", text }))));
    const rows = [];
    records.forEach((record, r) => record.runs.forEach((run, k) => {
      const status = run.status === "diverged" && run.diverged_at !== null && run.diverged_at !== undefined
        ? `diverged at ${training ? "epoch " : "step "}${figure(run.diverged_at, 4)}` : run.status;
      const cells = training
        ? [figure(run.final_loss), figure(run.sec_per_epoch, 3), run.summary || "–"]
        : [String(Math.max(0, (run.points ?? 1) - 1)),
          run.final ? `(${run.final.map((v) => figure(v)).join(", ")})` : "–", figure(run.final_value)];
      rows.push(el("tr", {}, [
        el("th", { scope: "row", text: this.tag(r, k, single) }),
        el("td", { text: this.runLabel(run) }),
        el("td", {}, [el("span", { class: `status status-${run.status}`, text: status })]),
        ...cells.map((text) => el("td", { text })),
      ]));
    }));
    $("summary-body").replaceChildren(...rows);
  }

  /** Colour and dash of inner run k of record r: one colour per run when alone, per record when compared. */
  style(r, k, single) {
    return single ? { color: runColor(k), dash: "solid" } : { color: runColor(r), dash: DASHES[k % DASHES.length] };
  }

  /** A figure card with its download control; returns the chart. */
  figureCard(key, height = "tall") {
    const div = el("div", { class: `plot plot-history plot-${height}`, id: `plot-${key}` });
    const ids = this.records.map((record) => record.id).join("-");
    const stem = () => `optimizer-lab-${this.single ? "" : "compare-"}${ids}-${key}`;
    const card = el("figure", { class: "plot-card history-figure", dataset: { plot: key } }, [
      el("div", { class: "figure-bar" }, [downloadButtons(div, stem)]),
      div,
    ]);
    $("plots").append(card);
    return createChart(div);
  }

  traceName(record, run, r, k, single) {
    return `${this.tag(r, k, single)} · ${this.runLabel(run)}`;
  }

  async drawTrajectories(records, single, controller) {
    const first = records[0].config;
    const sameFunction = records.every((record) => record.config.function === first.function &&
      (record.config.expression ?? null) === (first.expression ?? null) &&
      JSON.stringify(record.config.box ?? null) === JSON.stringify(first.box ?? null));
    const contour = sameFunction
      ? await this.fetchJSON(`/api/runs/${records[0].id}/contour`).catch((err) => {
        if (isAbort(err)) throw err;
        return null; // the paths still show, on plain axes
      })
      : null;
    if (controller !== this.controller) return;
    const info = this.functions.get(first.function);
    const label = first.function === "custom" ? `f = ${first.expression}` : info?.label ?? first.function;
    const traces = [];
    if (contour) {
      const z = contour.log_contours
        ? contour.z.map((row) => row.map((v) => (v === null ? null : Math.log10(1 + Math.max(v, 0))))) : contour.z;
      traces.push({
        type: "contour", x: contour.x1, y: contour.x2, z, ncontours: 24, showscale: false, showlegend: false,
        colorscale: [[0, "#f8fafc"], [0.5, "#cbd5e1"], [1, "#64748b"]],
        contours: { coloring: "heatmap", showlines: true }, line: { color: "rgba(30, 41, 59, 0.35)", width: 0.6 },
        hovertemplate: `x₁ %{x:.3f}<br>x₂ %{y:.3f}<br>${contour.log_contours ? "log₁₀(1+f)" : "f"} %{z:.4g}<extra></extra>`,
      });
    }
    const values = [];
    records.forEach((record, r) => record.series.forEach((series, k) => {
      const run = record.runs[k];
      const { color, dash } = this.style(r, k, single);
      const name = this.traceName(record, run, r, k, single);
      const mode = series.points.length <= MARKER_STEPS + 1 ? "lines+markers" : "lines";
      traces.push({
        type: "scatter", mode, name, x: series.points.map((p) => p[0]), y: series.points.map((p) => p[1]),
        line: { color, dash, width: 2 }, marker: { color, size: 5 }, legendgroup: name,
        hovertemplate: `${this.tag(r, k, single)} step %{pointNumber}<br>x₁ %{x:.6f}<br>x₂ %{y:.6f}<extra></extra>`,
      });
      values.push({
        type: "scatter", mode, name, x: series.values.map((_, t) => t), y: series.values,
        line: { color, dash, width: 2 }, marker: { color, size: 5 }, legendgroup: name,
        hovertemplate: `${this.tag(r, k, single)} step %{x}: f %{y:.6g}<extra></extra>`,
      });
    }));
    const starts = records.map((record) => record.config.start).filter(Boolean);
    if (starts.length) {
      traces.push({
        type: "scatter", mode: "markers", name: "start", x: starts.map((s) => s[0]), y: starts.map((s) => s[1]),
        marker: { symbol: "x-thin", size: 12, line: { color: "#111827", width: 2.5 }, color: "#111827" },
        hovertemplate: "start (%{x}, %{y})<extra></extra>",
      });
    }
    if (sameFunction && info?.minima?.length) {
      traces.push({
        type: "scatter", mode: "markers", name: info.minima.length > 1 ? "minima" : "minimum",
        x: info.minima.map((m) => m[0]), y: info.minima.map((m) => m[1]),
        marker: { symbol: "star", size: 14, color: "#facc15", line: { color: "#111827", width: 1 } },
        hovertemplate: "minimum (%{x}, %{y})<extra></extra>",
      });
    }
    const box = contour?.box;
    const paths = this.figureCard("paths", "tall");
    const pathTitle = contour ? `paths on ${label}` : "paths in (x₁, x₂) (different functions: no contour)";
    await paths.init(traces, baseLayout({
      title: title(pathTitle), showlegend: true,
      xaxis: { title: { text: "x₁" }, ...(box ? { range: [box[0], box[1]] } : {}), gridcolor: "rgba(0,0,0,0)" },
      yaxis: { title: { text: "x₂" }, ...(box ? { range: [box[2], box[3]] } : {}), gridcolor: "rgba(0,0,0,0)" },
    }));
    const log = allPositive(values.map((t) => t.y));
    const curve = this.figureCard("values", "short");
    await curve.init(values, baseLayout({
      title: title(`objective f(xₜ) per step${log ? " (log scale)" : ""}`), showlegend: true,
      xaxis: { title: { text: "step t" } },
      yaxis: { type: log ? "log" : "linear", title: { text: "f(xₜ)" }, exponentformat: "power" },
    }));
  }

  async drawTraining(records, single) {
    const traces = [];
    records.forEach((record, r) => record.series.forEach((series, k) => {
      const run = record.runs[k];
      const { color, dash } = this.style(r, k, single);
      const name = this.traceName(record, run, r, k, single);
      traces.push({
        type: "scatter", mode: series.epochs.length <= 40 ? "lines+markers" : "lines", name,
        x: series.epochs, y: series.losses, line: { color, dash, width: 2 }, marker: { color, size: 5 },
        hovertemplate: `${this.tag(r, k, single)} epoch %{x:.3f}: loss %{y:.6f}<extra></extra>`,
      });
    }));
    const losses = traces.flatMap((t) => t.y).filter((v) => Number.isFinite(v) && v > 0);
    const log = losses.length > 0 && Math.max(...losses) / Math.min(...losses) > 100;
    const empty = losses.length === 0;
    const config = records[0].config;
    const dataset = config.dataset?.label ?? config.dataset?.id ?? "";
    const chart = this.figureCard("loss", "tall");
    await chart.init(traces, baseLayout({
      title: title(`full-data loss per epoch${dataset ? `, ${dataset}` : ""}${log ? " (log scale)" : ""}` +
        (empty ? ": no points stored yet" : "")),
      showlegend: true,
      xaxis: { title: { text: "epoch" }, rangemode: "tozero" },
      yaxis: { type: log ? "log" : "linear", title: { text: "loss" }, exponentformat: "power" },
    }));
  }

  // --- delete ---------------------------------------------------------------------------------

  askDelete() {
    const run = this.records[0];
    $("confirm-name").textContent = run.title;
    $("confirm-delete").returnValue = "";
    $("confirm-delete").showModal();
    $("confirm-cancel").focus(); // the safe choice first
  }

  async deleteRun() {
    const run = this.records[0];
    const controller = this.restart();
    try {
      await deleteResource(`/api/runs/${run.id}`, { signal: controller.signal });
      if (controller !== this.controller) return;
      this.selected.delete(run.id);
      $("run-view").hidden = true;
      $("notice").replaceChildren(`Deleted “${run.title}”. `, el("a", { href: "/history", text: "See every stored run" }));
      $("notice").hidden = false;
      document.title = "Run deleted · Optimizer Lab";
      this.setState("deleted");
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        this.showBanner(err.message);
        this.setState("run");
        return;
      }
      this.failed(err, controller);
    }
  }
}

async function main() {
  const root = $("history");
  try {
    const [optimizers, functions] = await Promise.all([getJSON("/api/optimizers"), getJSON("/api/functions")]);
    await new HistoryView(root, optimizers, functions).start();
  } catch (err) {
    $("banner").textContent = `Could not open the history: ${err.message}`;
    $("banner").hidden = false;
    root.dataset.state = "error";
  }
}

main();
