// The Sweep view: one optimizer (A, and B beside it) over a grid of two settings, every cell a run,
// as heatmaps on the same axes and one colour scale. A sweep is queued (POST /api/sweeps), followed
// live (its rows fill in as they finish) and stored; a click on a cell opens that cell's full run in
// the 2D lab or the Training view. The URL holds the form and the sweeps shown.

import { ApiError, fieldErrors, getJSON, postJSON } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { byName, loadCatalogue } from "../../lib/catalogue.js";
import { $, showLink, showText } from "../../lib/dom.js";
import { clearFieldErrors, showFormErrors } from "../../lib/form.js";
import { followSweep } from "../../lib/job-stream.js";
import { createBanner, failureKind, startView } from "../../lib/messages.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "../../lib/url-state.js";
import { createSweepCharts } from "./charts.js";
import { createSweepForm } from "./form.js";
import { ended, fromAnswer, fromRecord, reduceSweep } from "./grid.js";
import { PANELS, cellLink, formFromSweeps, pageField, requestsFrom, toUrl, withDefaults } from "./state.js";
import { WORDS } from "./words.js";

const enc = encodeURIComponent;

function symbolsOf(optimizers) {
  const symbols = new Map([["x1", "x₁"], ["x2", "x₂"]]);
  for (const info of optimizers) for (const hp of info.hyperparams) symbols.set(hp.name, hp.symbol);
  return symbols;
}

class SweepView {
  constructor(root, { functions, optimizers, datasets, statuses }) {
    this.root = root;
    this.functions = byName(functions);
    this.optimizers = byName(optimizers);
    this.symbols = symbolsOf(optimizers);
    this.statuses = statuses;
    this.banner = createBanner();
    this.form = createSweepForm({
      functions: this.functions, optimizerList: optimizers, optimizers: this.optimizers, datasets,
      symbols: this.symbols, onChange: () => this.formChanged(),
    });
    this.charts = createSweepCharts([$("heatmap-a"), $("heatmap-b")]);
    this.charts.onCell((r, c) => this.openCell(r, c));
    this.sweeps = []; // what is shown: grid.js states, A then B
    this.followers = [];
    this.token = 0; // bumps on every attach: answers for older sweeps are dropped
  }

  async start() {
    this.bind();
    if (this.root.dataset.runId) {
      await this.showStored(this.root.dataset.runId);
      return;
    }
    const url = readUrlState();
    this.form.set(withDefaults(url, this.functions));
    onUrlStateChange((state) => {
      this.form.set(withDefaults(state, this.functions));
      this.attach([state.sa, state.sb].filter(Boolean));
    });
    await this.attach([url.sa, url.sb].filter(Boolean));
  }

  bind() {
    $("sweep-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    $("cancel").addEventListener("click", () => this.cancel());
    $("kind").addEventListener("change", () => this.reset({ kind: $("kind").value }));
    $("basin").addEventListener("change", () => {
      const fn = $("fn").value;
      const keep = $("basin").checked && this.functions.get(fn)?.minima.length > 1;
      this.reset({ kind: "trajectory", mode: $("basin").checked ? "basin" : "grid", fn: keep ? fn : undefined });
    });
    $("metric").addEventListener("change", () => this.draw());
  }

  reset(url) {
    this.form.set(withDefaults(url, this.functions));
    this.formChanged();
  }

  formChanged() {
    writeUrlState(toUrl(this.form.get(), this.ids()), { replace: true });
  }

  ids() {
    return { a: this.sweeps[0]?.id, b: this.sweeps[1]?.id };
  }

  // --- state, words, errors ----------------------------------------------------------------------

  setState(state) {
    this.root.dataset.state = state;
    const active = this.sweeps.some((s) => !ended(s));
    $("run").disabled = state === "submitting" || active;
    $("cancel").disabled = !this.sweeps.some((s) => !ended(s) && s.mine); // another browser's: only watch it
  }

  say(text) {
    $("run-status").textContent = text;
  }

  showErrors(errors) {
    showFormErrors($("sweep-form"), $("form-errors"), errors);
  }

  failed(err, key = "a") {
    const kind = failureKind(err);
    if (kind === "aborted") return;
    if (kind === "invalid") {
      this.showErrors(fieldErrors(err).map((e) => ({ ...e, field: pageField(e.field, key) })));
      this.say(WORDS.invalid);
    } else if (kind === "busy") {
      this.banner.busy(err);
    } else {
      this.banner.error(err);
    }
    this.setState(kind);
  }

  // --- running ---------------------------------------------------------------------------------------

  async run() {
    clearFieldErrors($("sweep-form"));
    this.showErrors([]);
    this.banner.show("");
    const form = this.form.get();
    const { bodies, errors } = requestsFrom(form);
    if (errors.length) {
      this.showErrors(errors);
      this.setState("invalid");
      this.say(WORDS.invalid);
      return;
    }
    this.setState("submitting");
    const ids = [];
    for (const [i, body] of bodies.entries()) {
      try {
        ids.push((await postJSON("/api/sweeps", body)).id);
      } catch (err) {
        for (const id of ids) postJSON(`/api/sweeps/${enc(id)}/cancel`).catch(() => {});
        this.failed(err, PANELS[i]);
        return;
      }
    }
    writeUrlState(toUrl(form, { a: ids[0], b: ids[1] }));
    await this.attach(ids);
  }

  async cancel() {
    $("cancel").disabled = true;
    for (const sweep of this.sweeps.filter((s) => !ended(s))) {
      try {
        await postJSON(`/api/sweeps/${enc(sweep.id)}/cancel`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 409)) this.failed(err);
      }
    }
  }

  /** Show sweeps `ids` (from their answers, or their records once the server no longer keeps them), then follow. */
  async attach(ids) {
    for (const follower of this.followers) follower.close();
    this.followers = [];
    const token = ++this.token;
    if (!ids.length) {
      this.sweeps = [];
      this.say(WORDS.idle);
      this.setState("idle");
      return;
    }
    this.setState("loading");
    let sweeps;
    try {
      sweeps = await Promise.all(ids.map((id) => this.load(id)));
    } catch (err) {
      if (token === this.token) this.failed(err);
      return;
    }
    if (token !== this.token) return;
    this.sweeps = sweeps;
    this.draw();
    sweeps.forEach((sweep, i) => {
      if (!ended(sweep)) this.follow(i, sweep.id, sweep.lastEventId, token);
    });
  }

  async load(id) {
    try {
      const answer = await getJSON(`/api/sweeps/${enc(id)}`);
      return { ...fromAnswer(answer), lastEventId: answer.last_event_id };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      return fromRecord(await getJSON(`/api/runs/${enc(id)}`));
    }
  }

  follow(i, id, after, token) {
    const mine = (handler) => (...args) => {
      if (token === this.token) handler(...args);
    };
    this.followers.push(followSweep(id, {
      after,
      statuses: this.statuses,
      onEvent: mine((name, data) => {
        this.sweeps[i] = reduceSweep(this.sweeps[i], name, data);
        this.draw();
      }),
      onRecord: mine((answer) => {
        this.sweeps[i] = fromAnswer(answer);
        this.draw();
      }),
      onTrouble: mine((message) => message && this.say(message)),
      onError: mine((err) => this.failed(err)),
    }));
  }

  /** A stored sweep's permanent page (/runs/<id>): its form and its heatmap. */
  async showStored(id) {
    const sweep = fromRecord(await getJSON(`/api/runs/${enc(id)}`));
    this.form.set({ ...withDefaults({ kind: sweep.kind }, this.functions), ...formFromSweeps([sweep]) });
    this.sweeps = [sweep];
    this.draw();
  }

  // --- drawing -------------------------------------------------------------------------------------------

  async draw() {
    const sweeps = this.sweeps;
    if (!sweeps.length) return;
    const rows = sweeps.reduce((n, s) => n + s.shape[0], 0);
    const done = sweeps.reduce((n, s) => n + s.rowsDone, 0);
    $("progress").value = rows ? done / rows : 0;
    sweeps.forEach((sweep, i) => {
      const key = PANELS[i];
      showLink($(`run-link-${key}`), ended(sweep) && sweep.runId ? `/runs/${enc(sweep.runId)}` : null);
      showLink($(`csv-${key}`), ended(sweep) && sweep.runId ? `/api/runs/${enc(sweep.runId)}/export?format=csv` : null);
    });
    for (const key of PANELS.slice(sweeps.length)) {
      showLink($(`run-link-${key}`), null);
      showLink($(`csv-${key}`), null);
    }
    this.say(this.statusText(sweeps, done, rows));
    const metric = $("metric").value;
    await this.charts.draw(sweeps, { metric, optimizers: this.optimizers, symbols: this.symbols });
    const all = sweeps.every(ended);
    this.setState(all ? (sweeps.find((s) => s.status !== "done")?.status ?? "done") : "running");
    showText($("banner"), sweeps.filter((s) => s.status === "failed").map((s) => WORDS.failed(s.error)).join(" "));
  }

  statusText(sweeps, done, rows) {
    if (!sweeps.every(ended)) return sweeps.some((s) => s.status === "running") ? WORDS.running(done, rows, done / rows) : WORDS.queued;
    const odd = sweeps.find((s) => s.status !== "done");
    if (!odd) return WORDS.done(sweeps.reduce((n, s) => n + s.shape[0] * s.shape[1], 0), Math.max(...sweeps.map((s) => s.seconds ?? 0)));
    if (odd.status === "cancelled") return WORDS.cancelled(done, rows);
    if (odd.status === "interrupted") return WORDS.interrupted;
    return WORDS.failed(odd.error);
  }

  openCell(r, c) {
    const sweeps = this.sweeps;
    if (!sweeps.length || sweeps[0].cells.diverged_at[r] === undefined) return;
    const info = this.functions.get(sweeps[0].problem.function) ?? null;
    window.location.assign(cellLink(sweeps, r, c, info));
  }
}

startView("sweep", t("start the sweep view"), async (root) => {
  const catalogue = await loadCatalogue("functions", "optimizers", "datasets", "statuses");
  await new SweepView(root, catalogue).start();
});
