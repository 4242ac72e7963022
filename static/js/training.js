// The Training view: 2–6 optimizers train the book's linear regression on one data set, as one job
// (POST /api/jobs), followed live through its event stream (jobs.js). Loss curves grow on one
// overlaid plot and on one small plot per run; a progress bar and a results row per run.
// The URL holds the form and the job shown, so a reload re-attaches to a job still running.

import { ApiError, fieldErrors, getJSON, isAbort, postFile, postJSON } from "./api.js";
import { baseLayout, createChart, runColor, runLetter, seriesTrace, title } from "./charts.js";
import {
  clearFieldErrors, createOptimizerPanel, el, formatNumber, parseNumber, showFieldErrors, showFormErrors,
} from "./form.js";
import { followJob } from "./jobs.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "./state.js";

const MIN_RUNS = 2;
const MAX_RUNS = 6;
const LETTERS = "abcdef";
// The book's comparison (D2L 7.5 and 7.6 on the airfoil data): AdaGrad η=0.1 vs RMSProp η=0.01, γ=0.9.
const DEFAULTS = { dataset: "airfoil", batch_size: "10", epochs: "2", seed: "0", device: "auto" };
const DEFAULT_RUNS = [
  { opt: "adagrad", impl: "book", eta: "0.1" },
  { opt: "rmsprop", impl: "book", eta: "0.01", gamma: "0.9" },
];
// What "+ Add a run" proposes next: the first of these the form does not hold yet.
const NEXT_RUNS = [
  { opt: "rmsprop", impl: "torch" }, { opt: "adam", impl: "book" }, { opt: "momentum", impl: "book" },
  { opt: "sgd", impl: "book" }, { opt: "adadelta", impl: "book" }, { opt: "gd", impl: "book" },
];
const ACTIVE = new Set(["queued", "running"]);
const TERMINAL = new Set(["done", "failed", "cancelled", "interrupted"]);
const MARKER_POINTS = 41; // shorter curves get markers on their points
const LOG_RATIO = 100; // a curve spanning more than this factor switches to a log axis
const IDLE_TEXT = "Press Run: the loss curves of every run appear here as they train";

const $ = (id) => document.getElementById(id);

// --- pure helpers --------------------------------------------------------------------------

/** A loss or a time as the book prints it: 6 decimals; "–" for none. */
export function sixDecimals(value) {
  return Number.isFinite(value) ? value.toFixed(6) : "–";
}

/** "45%" */
export function percent(fraction) {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** A data set's name for menus and titles; synthetic data always says so. */
export function datasetName(d) {
  let name = d.label;
  if (d.synthetic && !/synthetic/i.test(name)) name += " (synthetic)";
  return name;
}

function isObject(value) {
  return value !== null && typeof value === "object";
}

/**
 * The runs a URL state holds (a, b, … up to the last letter given), at least two; a letter left
 * out takes the book's pair (a, b) or the next proposal. Runs a and b keep the book's values
 * for what the URL does not say, as long as it names the same optimizer.
 */
export function runsFromState(url) {
  let count = MIN_RUNS;
  [...LETTERS].forEach((letter, i) => {
    if (isObject(url[letter])) count = Math.max(count, i + 1);
  });
  return [...LETTERS.slice(0, count)].map((letter, i) => {
    const given = isObject(url[letter]) ? url[letter] : {};
    const base = DEFAULT_RUNS[i] ?? NEXT_RUNS[i - DEFAULT_RUNS.length];
    const same = (given.opt ?? base.opt) === base.opt && (given.impl ?? base.impl) === base.impl;
    return same ? { ...base, ...given } : given;
  });
}

// --- the view -----------------------------------------------------------------------------

class TrainingView {
  constructor(root, datasets, optimizers) {
    this.root = root;
    this.form = $("train-form");
    this.catalogue = optimizers;
    this.optimizers = new Map(optimizers.map((o) => [o.name, o]));
    this.datasets = datasets;
    this.panels = [];
    this.overlay = createChart($("chart-loss"));
    this.multiples = [];
    this.job = null; // the job shown: its config, status and curves
    this.follower = null;
    this.attaching = 0; // bumps on every attach: answers for an older job are dropped
    this.submitting = false;
    this.awaiting = null; // a job just submitted whose first event has not come yet
    this.updates = 0; // progress events drawn (data-updates): the curves grew this many times
    this.busyTimer = null;
  }

  async start() {
    this.fillDatasets();
    this.bindControls();
    const url = readUrlState();
    this.applyState(this.withDefaults(url));
    await this.overlay.init([], this.emptyLayout(IDLE_TEXT));
    if (url.dataset && !this.usableDataset(url.dataset)) {
      const known = this.datasets.find((d) => d.id === url.dataset);
      this.showNotice(known
        ? `${datasetName(known)} is unavailable (${known.reason ?? "no reason given"}): using ${$("dataset").selectedOptions[0]?.textContent}.`
        : `The data set “${url.dataset}” of this link is not on the server (uploads last while the server runs): ` +
          `using ${$("dataset").selectedOptions[0]?.textContent}.`);
    }
    onUrlStateChange((state) => {
      this.applyState(this.withDefaults(state));
      // Back to another job: the form shows what that job ran (edits made after it replaced its entry).
      if ((state.job ?? null) !== (this.job?.id ?? null)) this.attach(state.job ?? null, { fillForm: true });
    });
    if (url.job) await this.attach(url.job, { fillForm: !isObject(url.a) });
    else this.setState("idle");
  }

  bindControls() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    $("cancel").addEventListener("click", () => this.cancel());
    $("add-run").addEventListener("click", () => this.addRun());
    $("dataset").addEventListener("change", () => {
      $("upload-status").hidden = true;
      this.showDataset();
      this.formChanged();
    });
    for (const id of ["batch_size", "epochs", "seed"]) $(id).addEventListener("input", () => this.formChanged());
    $("device").addEventListener("change", () => this.formChanged());
    $("upload").addEventListener("change", () => {
      const file = $("upload").files?.[0];
      if (file) this.upload(file);
    });
  }

  // --- state <-> form <-> URL --------------------------------------------------------------

  usableDataset(id) {
    return this.datasets.some((d) => d.id === id && d.available);
  }

  withDefaults(url) {
    const fallback = this.usableDataset(DEFAULTS.dataset)
      ? DEFAULTS.dataset : this.datasets.find((d) => d.available)?.id ?? DEFAULTS.dataset;
    return {
      dataset: this.usableDataset(url.dataset) ? url.dataset : fallback,
      batch_size: url.batch_size ?? DEFAULTS.batch_size,
      epochs: url.epochs ?? DEFAULTS.epochs,
      seed: url.seed ?? DEFAULTS.seed,
      device: ["auto", "cpu", "cuda"].includes(url.device) ? url.device : DEFAULTS.device,
      runs: runsFromState(url),
    };
  }

  applyState(state) {
    $("dataset").value = state.dataset;
    this.showDataset();
    for (const id of ["batch_size", "epochs", "seed"]) $(id).value = state[id];
    $("device").value = state.device;
    this.renderRuns(state.runs);
  }

  currentState() {
    const state = {
      dataset: $("dataset").value,
      batch_size: $("batch_size").value.trim(),
      epochs: $("epochs").value.trim(),
      seed: $("seed").value.trim(),
      device: $("device").value,
    };
    this.panels.forEach((panel, i) => { state[LETTERS[i]] = panel.getState(); });
    if (this.job) state.job = this.job.id;
    return state;
  }

  formChanged() {
    writeUrlState(this.currentState(), { replace: true });
  }

  /** The form as the job's config (after a reload on a bare ?job= link). */
  formFromJob(job) {
    const runs = job.runs.map((run) => {
      const state = { opt: run.optimizer, impl: run.impl };
      for (const [name, value] of Object.entries(run.hyperparams)) state[name] = formatNumber(value);
      return state;
    });
    this.applyState({
      dataset: this.datasets.some((d) => d.id === job.dataset.id) ? job.dataset.id : $("dataset").value,
      batch_size: String(job.batch_size), epochs: String(job.epochs), seed: String(job.seed),
      device: job.device_requested, runs: runs.slice(0, MAX_RUNS),
    });
    writeUrlState({ ...this.currentState(), job: job.id }, { replace: true });
  }

  /** The API body, or the fields that cannot be sent as typed. */
  readForm() {
    const errors = [];
    const number = (id) => {
      const parsed = parseNumber($(id).value);
      if (parsed.error) errors.push({ field: id, message: parsed.error });
      return parsed.value;
    };
    const body = {
      dataset: $("dataset").value,
      batch_size: number("batch_size"),
      epochs: number("epochs"),
      seed: number("seed"),
      device: $("device").value,
      runs: this.panels.map((panel) => {
        const { run, errors: panelErrors } = panel.read();
        errors.push(...panelErrors);
        return run;
      }),
    };
    return { body, errors };
  }

  // --- data sets and uploads ---------------------------------------------------------------

  fillDatasets() {
    const select = $("dataset");
    const chosen = select.value;
    select.replaceChildren(...this.datasets.map((d) => el("option", {
      value: d.id,
      text: d.available ? datasetName(d) : `${datasetName(d)} (unavailable)`,
      disabled: !d.available,
      title: d.available ? d.description : d.reason ?? "unavailable",
    })));
    if (chosen && this.usableDataset(chosen)) select.value = chosen;
    const airfoil = this.datasets.find((d) => d.kind === "airfoil");
    const box = $("airfoil-unavailable");
    box.hidden = !airfoil || airfoil.available;
    if (airfoil && !airfoil.available) {
      box.textContent = `${airfoil.label} is unavailable: ${airfoil.reason ?? "no reason given"}. ` +
        "The synthetic set and uploaded CSV files still work.";
    }
  }

  showDataset() {
    const d = this.datasets.find((item) => item.id === $("dataset").value);
    $("dataset-note").textContent = d ? d.description : "";
    $("synthetic-tag").hidden = !d?.synthetic;
  }

  async upload(file) {
    const field = this.form.querySelector('[data-field="file"]');
    clearFieldErrors(field.parentElement);
    const status = $("upload-status");
    status.hidden = false;
    status.textContent = `uploading ${file.name} (${formatNumber(Math.round(file.size / 102.4) / 10)} kB)…`;
    try {
      const info = await postFile("/api/datasets", "file", file);
      this.datasets = await getJSON("/api/datasets");
      if (!this.datasets.some((d) => d.id === info.id)) this.datasets.push(info);
      this.fillDatasets();
      $("dataset").value = info.id;
      this.showDataset();
      this.formChanged();
      status.textContent = `Uploaded ${info.filename ?? file.name}: ${info.rows} rows, ${info.features} features, ` +
        `target “${info.columns.at(-1)}”. Standardised like the book; kept while the server runs.`;
    } catch (err) {
      status.hidden = true;
      const message = err instanceof ApiError && err.isValidation
        ? fieldErrors(err).map((e) => e.message).join("; ")
        : err.status === 413 ? err.message.replace(/^server answered 413: /, "too large: ") : err.message;
      showFieldErrors(field.parentElement, [{ field: "file", message }]);
    } finally {
      $("upload").value = ""; // picking the same file again uploads it again
    }
  }

  // --- runs of the form --------------------------------------------------------------------

  renderRuns(states) {
    const list = $("run-list");
    list.replaceChildren();
    this.panels = states.slice(0, MAX_RUNS).map((state, i) => {
      const letter = runLetter(i);
      const remove = el("button", {
        type: "button", class: "remove-run", text: "✕ remove", title: `remove run ${letter}`,
        "aria-label": `remove run ${letter}`, disabled: states.length <= MIN_RUNS,
      });
      remove.addEventListener("click", () => this.removeRun(i));
      const card = el("fieldset", { class: `card run run-${letter.toLowerCase()}`, dataset: { run: String(i) } }, [
        el("legend", {}, [el("span", { class: "run-badge", text: letter }), ` run ${letter}`]),
        remove,
      ]);
      list.append(card);
      const panel = createOptimizerPanel(card, {
        catalogue: this.catalogue, fieldPrefix: `runs[${i}]`, context: "training",
        onChange: () => this.formChanged(),
      });
      panel.setState(state);
      return panel;
    });
    const count = this.panels.length;
    $("add-run").disabled = count >= MAX_RUNS;
    $("run-count").textContent = `${count} runs (${MIN_RUNS}–${MAX_RUNS}), same data and start`;
  }

  addRun() {
    const states = this.panels.map((panel) => panel.getState());
    const held = new Set(states.map((s) => `${s.opt}/${s.impl}`));
    const next = NEXT_RUNS.find((r) => !held.has(`${r.opt}/${r.impl}`)) ?? NEXT_RUNS[0];
    this.renderRuns([...states, { ...next }]);
    this.formChanged();
    $("run-list").lastElementChild?.querySelector("select")?.focus();
  }

  removeRun(index) {
    const states = this.panels.map((panel) => panel.getState());
    states.splice(index, 1);
    this.renderRuns(states);
    this.formChanged();
  }

  // --- status and errors -------------------------------------------------------------------

  setState(state) {
    this.root.dataset.state = state;
    this.updateButtons();
  }

  updateButtons() {
    const active = Boolean(this.awaiting || (this.job && ACTIVE.has(this.job.status)));
    $("run").disabled = this.submitting || active;
    $("run").title = active ? "this job is still training: cancel it first, or wait" : "";
    $("cancel").disabled = !active || Boolean(this.job?.cancelling);
  }

  showErrors(errors) {
    showFormErrors(this.form, $("form-errors"), errors);
  }

  showBanner(text) {
    clearInterval(this.busyTimer);
    $("banner").textContent = text;
    $("banner").hidden = !text;
  }

  showNotice(...children) {
    $("notice").replaceChildren(...children);
    $("notice").hidden = children.length === 0;
  }

  /** 429: "server busy, retry in N s", counting down. */
  showBusy(err) {
    let left = err.retryAfter ?? 5;
    const reason = err.message.replace(/^server answered 429: /, "").replace(/;?\s*retry in \d+ s\.?$/, "");
    const text = () => `Server busy, retry in ${left} s: ${reason}.`;
    this.showBanner(text());
    this.busyTimer = setInterval(() => {
      left -= 1;
      if (left > 0) {
        $("banner").textContent = text();
        return;
      }
      clearInterval(this.busyTimer);
      $("banner").textContent = `The server was busy (${reason}): press Run to try again.`;
    }, 1000);
  }

  requestFailed(err) {
    if (isAbort(err)) return;
    $("run-status").textContent = "";
    if (err instanceof ApiError && err.isValidation) {
      this.showErrors(fieldErrors(err));
      this.setState("invalid");
      $("run-status").textContent = "the server refused a field";
    } else if (err instanceof ApiError && err.status === 429) {
      this.showBusy(err);
      this.setState("busy");
    } else {
      const network = !(err instanceof ApiError) || err.status === 0;
      this.showBanner(`${network ? "Network error" : "Server error"}: ${err.message}`);
      this.setState("error");
    }
  }

  // --- running and cancelling --------------------------------------------------------------

  async run() {
    if (this.submitting || (this.job && ACTIVE.has(this.job.status))) return;
    clearFieldErrors(this.form);
    this.showErrors([]);
    this.showBanner("");
    $("run-status").textContent = "";
    const { body, errors } = this.readForm();
    if (errors.length) {
      this.showErrors(errors);
      this.setState("invalid");
      $("run-status").textContent = "fix the marked fields";
      return;
    }
    this.submitting = true;
    this.setState("submitting");
    $("run-status").textContent = "submitting…";
    let created;
    try {
      created = await postJSON("/api/jobs", body);
    } catch (err) {
      this.submitting = false;
      this.requestFailed(err);
      return;
    }
    this.submitting = false;
    $("run-status").textContent = "";
    writeUrlState({ ...this.currentState(), job: created.id });
    await this.attach(created.id, { fresh: true });
  }

  async cancel() {
    const job = this.job;
    if (!job || !ACTIVE.has(job.status)) return;
    job.cancelling = true;
    this.updateButtons();
    $("run-status").textContent = "cancelling…";
    try {
      await postJSON(`/api/jobs/${encodeURIComponent(job.id)}/cancel`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return; // it ended meanwhile; its end event says how
      job.cancelling = false;
      this.updateButtons();
      $("run-status").textContent = "";
      this.requestFailed(err);
    }
  }

  /** Show job `id`: fresh (just submitted: the stream's history draws it) or by GET, then follow it. */
  async attach(id, { fresh = false, fillForm = false } = {}) {
    this.follower?.close();
    this.follower = null;
    this.awaiting = null;
    const token = ++this.attaching;
    this.showNotice();
    this.showBanner("");
    if (!id) {
      this.job = null;
      delete this.root.dataset.job;
      this.clearJob();
      this.setState("idle");
      return;
    }
    this.root.dataset.job = id;
    if (fresh) {
      this.job = null;
      $("run-link").hidden = true;
      this.awaiting = id;
      this.setState("queued");
      this.follow(id, 0, token);
      return;
    }
    this.setState("loading");
    let record;
    try {
      record = await getJSON(`/api/jobs/${encodeURIComponent(id)}`);
    } catch (err) {
      if (token !== this.attaching) return;
      this.job = null;
      this.clearJob();
      if (err instanceof ApiError && err.status === 404) {
        this.jobGone(id, err);
        return;
      }
      this.requestFailed(err);
      return;
    }
    if (token !== this.attaching) return;
    if (fillForm) this.formFromJob(record);
    await this.loadJob(record);
    if (!TERMINAL.has(record.status)) this.follow(id, record.last_event_id, token);
  }

  jobGone(id, err) {
    const stored = /\/api\/runs\//.test(err.message);
    this.showNotice(
      `Job ${id} is no longer live on this server${stored ? "" : " (a mistyped link, or dropped after a restart)"}. `,
      ...(stored ? [el("a", { href: `/runs/${encodeURIComponent(id)}`, text: "Open its stored record" }), "."] : []),
    );
    const job = this.job;
    if (job?.id === id && !TERMINAL.has(job.status)) {
      // Lost while it ran (the server restarted): what was drawn stays, its outcome is unknown here.
      job.status = "unknown";
      for (const run of job.runs) if (ACTIVE.has(run.status)) run.status = "unknown";
      this.renderTable();
      this.renderProgress();
      this.renderJobLine();
    }
    this.setState("gone");
  }

  follow(id, after, token) {
    this.follower = followJob(id, {
      after,
      onEvent: (name, data) => {
        if (token === this.attaching) this.onEvent(name, data);
      },
      onRecord: (record) => {
        if (token === this.attaching) this.loadJob(record);
      },
      onTrouble: (message) => {
        if (token === this.attaching) $("run-status").textContent = message ?? "";
      },
      onError: (err) => {
        if (token !== this.attaching) return;
        this.awaiting = null;
        $("run-status").textContent = "";
        if (err.status === 404) this.jobGone(id, err);
        else this.requestFailed(err);
      },
    });
  }

  // --- events ------------------------------------------------------------------------------

  onEvent(name, data) {
    if (name === "job") {
      this.loadJob(data);
      return;
    }
    if (!this.job) return;
    if (name === "status") this.onStatus(data);
    else if (name === "progress") this.onProgress(data);
    else if (name === "run") this.onRun(data);
    else if (name === "end") this.onEnd(data);
  }

  /** Draw a job from its record (GET /api/jobs/{id}, or the stream's `job` event: no curves yet). */
  async loadJob(record) {
    const job = {
      ...record,
      runs: record.runs.map((run) => ({ ...run, epochs: [...(run.epochs ?? [])], losses: [...(run.losses ?? [])] })),
    };
    this.job = job;
    if (this.awaiting === job.id) this.awaiting = null;
    this.logScale = { overlay: false, runs: job.runs.map(() => false) };
    this.drawJob();
    this.renderTable();
    this.renderProgress();
    this.renderJobLine();
    this.setState(job.status);
    if (TERMINAL.has(job.status)) await this.finished();
  }

  onStatus(data) {
    const job = this.job;
    job.status = data.status;
    job.device = data.device ?? job.device;
    job.started_at = data.started_at ?? job.started_at;
    for (const run of job.runs) if (run.status === "queued") run.status = data.status;
    this.renderTable();
    this.renderProgress();
    this.renderJobLine();
    this.setState(job.status);
  }

  onProgress(data) {
    const job = this.job;
    job.progress = data.progress;
    const indices = [];
    const xs = [];
    const ys = [];
    data.runs.forEach((part, i) => {
      const run = job.runs[i];
      if (!run || !part.losses.length) return;
      run.epochs.push(...part.epochs);
      run.losses.push(...part.losses);
      run.points = run.losses.length;
      indices.push(i);
      xs.push(part.epochs);
      ys.push(part.losses);
      this.multiples[i]?.extend({ x: [part.epochs], y: [part.losses] }, [0]);
    });
    this.overlay.extend({ x: xs, y: ys }, indices);
    this.updates += 1;
    this.root.dataset.updates = String(this.updates);
    this.updateScales();
    this.renderProgress();
    this.renderJobLine();
  }

  onRun(data) {
    const run = this.job.runs[data.index];
    if (!run) return;
    Object.assign(run, data);
    this.renderTable();
    this.renderProgress();
  }

  async onEnd(data) {
    const job = this.job;
    Object.assign(job, {
      status: data.status, error: data.error, finished_at: data.finished_at, seconds: data.seconds,
      sec_per_epoch: data.sec_per_epoch, progress: data.progress, cancelling: false,
    });
    for (const outcome of data.runs ?? []) Object.assign(job.runs[outcome.index] ?? {}, outcome);
    $("run-status").textContent = "";
    this.renderTable();
    this.renderProgress();
    this.renderJobLine();
    await this.finished();
  }

  /** A job has ended: the state tells tests and users once every chart has drawn its last point. */
  async finished() {
    const job = this.job;
    await Promise.all([this.overlay, ...this.multiples].map((chart) => chart.flush()));
    if (job !== this.job) return;
    if (job.status === "failed") this.showBanner(`The job failed: ${job.error ?? "no reason given"}`);
    if (job.status === "interrupted") this.showBanner("The server stopped during this job: it was interrupted.");
    this.setState(job.status);
  }

  // --- drawing -----------------------------------------------------------------------------

  runName(run, i) {
    const info = this.optimizers.get(run.optimizer);
    return `${runLetter(i)} · ${info?.label ?? run.optimizer}${run.impl === "torch" ? " (torch)" : ""}`;
  }

  hyperparamText(run) {
    const info = this.optimizers.get(run.optimizer);
    const symbols = new Map((info?.hyperparams ?? []).map((hp) => [hp.name, hp.symbol]));
    return Object.entries(run.hyperparams)
      .map(([name, value]) => `${symbols.get(name) ?? name}=${formatNumber(value)}`).join(", ");
  }

  /** Empty axes like the book's figure, with a word on what will appear. */
  emptyLayout(text) {
    const epochs = Number.parseInt($("epochs").value, 10);
    return baseLayout({
      title: title("loss vs epoch"),
      xaxis: { title: { text: "epoch" }, range: [0, Number.isFinite(epochs) && epochs > 0 ? epochs : 2] },
      yaxis: { title: { text: "loss" }, range: [0, 1] },
      annotations: [{
        text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { size: 14, color: "#6b7280" },
      }],
    });
  }

  lossTrace(run, i, extra = {}) {
    return seriesTrace({
      name: this.runName(run, i), color: runColor(i),
      mode: this.job.points <= MARKER_POINTS ? "lines+markers" : "lines",
      marker: { color: runColor(i), size: 5 },
      x: [...run.epochs], y: [...run.losses],
      hovertemplate: `${runLetter(i)} epoch %{x:.3f}: loss %{y:.6f}<extra></extra>`,
      ...extra,
    });
  }

  overlayTitle() {
    const job = this.job;
    return `loss vs epoch · ${datasetName(job.dataset)} · batch ${job.batch_size}, seed ${job.seed}` +
      (this.logScale.overlay ? " (log scale)" : "");
  }

  drawJob() {
    const job = this.job;
    const epochs = { title: { text: "epoch" }, range: [0, job.epochs], autorange: false };
    this.overlay.reset(job.runs.map((run, i) => this.lossTrace(run, i)), baseLayout({
      title: title(this.overlayTitle()),
      uirevision: job.id,
      showlegend: true,
      xaxis: epochs,
      yaxis: { title: { text: "loss" }, type: "linear", exponentformat: "power" },
    }));
    for (const chart of this.multiples) chart.flush().then(() => window.Plotly.purge(chart.div));
    const cards = job.runs.map((run, i) => {
      const letter = runLetter(i);
      return el("figure", { class: `plot-card multiple run-${letter.toLowerCase()}`, dataset: { run: String(i) } }, [
        el("figcaption", { class: "multiple-head" }, [
          el("span", { class: "run-badge", text: letter }),
          el("span", { class: "multiple-name", text: this.runName(run, i).slice(4), title: this.hyperparamText(run) }),
          el("span", { class: "multiple-hps", text: this.hyperparamText(run) }),
        ]),
        el("div", { class: "progress-row" }, [
          el("progress", { class: "run-progress", max: 1, value: 0, "aria-label": `run ${letter} progress` }),
          el("span", { class: "progress-text" }),
        ]),
        el("div", { class: "plot plot-small", id: `multiple-${i}` }),
      ]);
    });
    $("multiples").replaceChildren(...cards);
    $("multiples").dataset.count = String(cards.length);
    this.multiples = job.runs.map((run, i) => {
      const chart = createChart($(`multiple-${i}`));
      chart.init([this.lossTrace(run, i, { showlegend: false })], baseLayout({
        uirevision: job.id,
        margin: { l: 52, r: 10, t: 10, b: 40 },
        showlegend: false,
        xaxis: epochs,
        yaxis: { title: { text: "loss" }, type: "linear", exponentformat: "power" },
      }));
      return chart;
    });
    this.updateScales();
  }

  /** A curve that spans more than LOG_RATIO (a run blowing up) is shown on a log axis. */
  updateScales() {
    const spans = (losses) => {
      const positive = losses.filter((v) => v > 0);
      return positive.length > 1 && Math.max(...positive) / Math.min(...positive) > LOG_RATIO;
    };
    const runs = this.job.runs;
    if (!this.logScale.overlay && spans(runs.flatMap((run) => run.losses))) {
      this.logScale.overlay = true;
      this.overlay.relayout({ "yaxis.type": "log", "title.text": this.overlayTitle() });
    }
    runs.forEach((run, i) => {
      if (this.logScale.runs[i] || !spans(run.losses)) return;
      this.logScale.runs[i] = true;
      this.multiples[i]?.relayout({ "yaxis.type": "log", "yaxis.title.text": "loss (log)" });
    });
  }

  clearJob() {
    this.overlay.reset([], this.emptyLayout(IDLE_TEXT));
    for (const chart of this.multiples) chart.flush().then(() => window.Plotly.purge(chart.div));
    this.multiples = [];
    $("multiples").replaceChildren();
    $("results-body").replaceChildren();
    $("results-empty").hidden = false;
    $("job-line").textContent = "Press Run to train every run on the same data, from the same start.";
    $("run-link").hidden = true;
  }

  /** Where run `run` stands, 0–1: the job's progress while it trains, frozen where it stopped. */
  runProgress(run) {
    const job = this.job;
    if (run.status === "done") return 1;
    if (run.status === "queued") return 0;
    if (run.status === "running") return job.progress;
    const stoppedAt = run.diverged_at ?? run.epochs.at(-1) ?? 0;
    return Math.min(1, stoppedAt / job.epochs);
  }

  renderProgress() {
    this.job.runs.forEach((run, i) => {
      const card = $("multiples").querySelector(`.multiple[data-run="${i}"]`);
      if (!card) return;
      const fraction = this.runProgress(run);
      const bar = card.querySelector("progress");
      bar.value = fraction;
      bar.dataset.status = run.status;
      let text = `${percent(fraction)} · ${run.status}`;
      if (run.status === "diverged" && Number.isFinite(run.diverged_at)) text = `diverged at epoch ${run.diverged_at.toFixed(3)}`;
      else if (run.status === "done") text = "100% · done";
      card.querySelector(".progress-text").textContent = text;
      card.dataset.status = run.status;
    });
  }

  renderTable() {
    const job = this.job;
    const rows = job.runs.map((run, i) => {
      const letter = runLetter(i);
      const status = run.status === "diverged" && Number.isFinite(run.diverged_at)
        ? `diverged at epoch ${run.diverged_at.toFixed(3)}` : run.status;
      const info = this.optimizers.get(run.optimizer);
      return el("tr", { class: `run-${letter.toLowerCase()}`, dataset: { run: String(i), status: run.status } }, [
        el("th", { scope: "row" }, [el("span", { class: "run-badge", text: letter })]),
        el("td", { class: "cell-optimizer", text: info?.label ?? run.optimizer }),
        el("td", { class: "cell-impl", text: run.impl }),
        el("td", { class: "cell-hps", text: this.hyperparamText(run) }),
        el("td", { class: "cell-status" }, [el("span", { class: `status status-${run.status}`, text: status })]),
        el("td", { class: "cell-loss num", text: sixDecimals(run.final_loss) }),
        el("td", { class: "cell-time num", text: sixDecimals(run.sec_per_epoch) }),
        el("td", { class: "cell-device", text: job.device }),
        el("td", { class: "cell-summary" }, [el("code", { text: run.summary || "…" })]),
      ]);
    });
    $("results-body").replaceChildren(...rows);
    $("results-empty").hidden = rows.length > 0;
  }

  renderJobLine() {
    const job = this.job;
    const parts = [`job ${job.id}`];
    if (job.status === "queued") parts.push("queued: waiting for a free worker");
    else if (job.status === "unknown") parts.push("lost: the server no longer has it");
    else if (job.status === "running") parts.push(`running on ${job.device}`, percent(job.progress));
    else {
      parts.push(`${job.status} on ${job.device}`);
      if (Number.isFinite(job.seconds) && job.seconds > 0) parts.push(`${formatNumber(Number(job.seconds.toPrecision(3)))} s`);
      if (Number.isFinite(job.sec_per_epoch)) parts.push(`${sixDecimals(job.sec_per_epoch)} sec per epoch for all runs`);
    }
    parts.push(`${job.epochs} epoch${job.epochs === 1 ? "" : "s"} at batch ${job.batch_size}`);
    $("job-line").textContent = parts.join(" · ");
    // Every job is in the run history; link it once it has ended (its page shows final curves).
    const link = $("run-link");
    link.hidden = !TERMINAL.has(job.status);
    link.href = `/runs/${encodeURIComponent(job.id)}`;
  }
}

async function main() {
  const root = $("training");
  try {
    const [datasets, optimizers] = await Promise.all([getJSON("/api/datasets"), getJSON("/api/optimizers")]);
    await new TrainingView(root, datasets, optimizers).start();
  } catch (err) {
    $("banner").textContent = `Could not start the training view: ${err.message}`;
    $("banner").hidden = false;
    root.dataset.state = "error";
  }
}

main();
