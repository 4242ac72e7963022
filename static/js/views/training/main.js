// The Training view: 2–6 optimizers train the book's linear regression on one data set, as one job
// (POST /api/jobs), followed live through its event stream (lib/job-stream.js). The job is data
// (job.js reduces its events); the charts, tables and words are drawn from it. The URL holds the
// form and the job shown (state.js), so a reload re-attaches to a job still running.

import { ApiError, fieldErrors, getJSON, postJSON } from "../../lib/api.js";
import { byName, loadCatalogue } from "../../lib/catalogue.js";
import { $, showChildren, showLink } from "../../lib/dom.js";
import { clearFieldErrors, showFormErrors } from "../../lib/form.js";
import { followJob } from "../../lib/job-stream.js";
import { isObject } from "../../lib/json.js";
import { createBanner, failureKind, startView } from "../../lib/messages.js";
import { sweepLink } from "../../lib/sweep-link.js";
import { onUrlStateChange, readUrlState, writeUrlState } from "../../lib/url-state.js";
import { createTrainingCharts } from "./charts.js";
import { createDatasetPicker } from "./datasets.js";
import { endMessage, markLost, progressParts, reduceJob } from "./job.js";
import { goneNotice, renderAfter, renderJob, renderNoJob, runNames } from "./render.js";
import { createRunList } from "./runs.js";
import { readForm, showAxis, writeForm } from "./form.js";
import { epochsShown, formFromJob, requestFrom, toUrl, usable, withDefaults, xAxisOf } from "./state.js";
import { t } from "../../lib/i18n.js";

const idleText = () => t("Press Run: the loss curves of every run appear here as they train");

class TrainingView {
  constructor(root, { datasets, optimizers, statuses }) {
    this.root = root;
    this.form = $("train-form");
    this.optimizers = byName(optimizers);
    this.statuses = statuses;
    this.catalogues = { optimizers: this.optimizers, statuses };
    this.banner = createBanner();
    this.picker = createDatasetPicker(datasets, { form: this.form, onChange: () => this.formChanged() });
    this.charts = createTrainingCharts($("chart-loss"), $("multiples"));
    this.runs = createRunList({ catalogue: optimizers, onChange: () => this.formChanged() });
    this.job = null; // the job shown: its config, status and curves
    this.follower = null;
    this.attaching = 0; // bumps on every attach: answers for an older job are dropped
    this.submitting = false;
    this.awaiting = null; // a job just submitted whose first event has not come yet
    this.updates = 0; // progress events drawn (data-updates): the curves grew this many times
  }

  async start() {
    this.bindControls();
    const url = readUrlState();
    this.applyForm(withDefaults(url, this.picker.datasets));
    this.setAxis(xAxisOf(url));
    await this.charts.idle(idleText(), epochsShown($("epochs").value));
    if (url.dataset && !usable(this.picker.datasets, url.dataset)) this.showNotice(this.picker.missing(url.dataset));
    onUrlStateChange((state) => {
      this.applyForm(withDefaults(state, this.picker.datasets));
      this.setAxis(xAxisOf(state));
      // Back to another job: the form shows what that job ran (edits made after it replaced its entry).
      if ((state.job ?? null) !== (this.job?.id ?? null)) this.attach(state.job ?? null, { fillForm: true });
    });
    if (url.job) await this.attach(url.job, { fillForm: !isObject(url.a) });
    else this.setState("idle");
    if (url.run === "1" && !url.job) {
      // A sweep's cell: train it now (the entry without run=1 stays in history, so back does not retrain).
      writeUrlState(toUrl(this.currentForm()), { replace: true });
      await this.run();
    }
  }

  bindControls() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    $("cancel").addEventListener("click", () => this.cancel());
    for (const id of ["batch_size", "epochs", "seed", "seeds"]) $(id).addEventListener("input", () => this.formChanged());
    $("device").addEventListener("change", () => this.formChanged());
    for (const id of ["x-epoch", "x-seconds"]) $(id).addEventListener("change", () => this.setAxis($(id).value, true));
  }

  /** The loss plots against epochs or training seconds (`keep`: the URL says so). */
  setAxis(axis, keep = false) {
    showAxis(axis);
    if (this.charts.axis !== axis) this.charts.setAxis(axis);
    if (keep) this.formChanged();
  }

  // --- form <-> URL --------------------------------------------------------------------------

  applyForm = (form) => {
    writeForm(form, this.picker, this.runs);
    this.showSweepLink(this.currentForm());
  };

  showSweepLink({ runs, ...problem }) {
    showLink($("sweep-link"), sweepLink({ kind: "training", ...problem }, runs));
  }

  currentForm = () => readForm(this.picker, this.runs);

  formChanged() {
    writeUrlState(toUrl(this.currentForm(), this.job?.id, this.charts.axis), { replace: true });
    this.showSweepLink(this.currentForm());
  }

  // --- status and errors ---------------------------------------------------------------------

  setState(state) {
    this.root.dataset.state = state;
    this.updateButtons();
  }

  updateButtons() {
    const active = Boolean(this.awaiting || (this.job && this.statuses.isActive(this.job.status)));
    $("run").disabled = this.submitting || active;
    $("run").title = active ? t("this job is still training: cancel it first, or wait") : "";
    $("cancel").disabled = !active || Boolean(this.job?.cancelling);
  }

  say(text) {
    $("run-status").textContent = text;
  }

  showNotice(...children) {
    showChildren($("notice"), ...children);
  }

  showErrors(errors) {
    showFormErrors(this.form, $("form-errors"), errors);
  }

  requestFailed(err) {
    const kind = failureKind(err);
    if (kind === "aborted") return;
    this.say(kind === "invalid" ? t("the server refused a field") : "");
    if (kind === "invalid") this.showErrors(fieldErrors(err));
    else if (kind === "busy") this.banner.busy(err);
    else this.banner.error(err);
    this.setState(kind);
  }

  // --- running and cancelling ----------------------------------------------------------------

  async run() {
    if (this.submitting || (this.job && this.statuses.isActive(this.job.status))) return;
    clearFieldErrors(this.form);
    this.showErrors([]);
    this.banner.show("");
    this.say("");
    const form = this.currentForm();
    const { body, errors } = requestFrom(form);
    if (errors.length) {
      this.showErrors(errors);
      this.setState("invalid");
      this.say(t("fix the marked fields"));
      return;
    }
    this.submitting = true;
    this.setState("submitting");
    this.say(t("submitting…"));
    let created;
    try {
      created = await postJSON("/api/jobs", body);
    } catch (err) {
      this.submitting = false;
      this.requestFailed(err);
      return;
    }
    this.submitting = false;
    this.say("");
    writeUrlState(toUrl(form, created.id, this.charts.axis));
    await this.attach(created.id, { fresh: true });
  }

  async cancel() {
    const job = this.job;
    if (!job || !this.statuses.isActive(job.status)) return;
    this.job = { ...job, cancelling: true };
    this.updateButtons();
    this.say(t("cancelling…"));
    try {
      await postJSON(`/api/jobs/${encodeURIComponent(job.id)}/cancel`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return; // it ended meanwhile; its end event says how
      if (this.job?.id === job.id) this.job = { ...this.job, cancelling: false };
      this.updateButtons();
      this.say("");
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
    this.banner.show("");
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
      if (err instanceof ApiError && err.status === 404) this.jobGone(id, err);
      else this.requestFailed(err);
      return;
    }
    if (token !== this.attaching) return;
    if (fillForm) {
      this.applyForm(formFromJob(record, this.picker.datasets, this.picker.value));
      writeUrlState(toUrl(this.currentForm(), record.id, this.charts.axis), { replace: true });
    }
    await this.show(reduceJob(null, "job", record));
    if (!this.statuses.isFinished(record.status)) this.follow(id, record.last_event_id, token);
  }

  jobGone(id, err) {
    this.showNotice(...goneNotice(id, err));
    if (this.job?.id === id && !this.statuses.isFinished(this.job.status)) {
      this.job = markLost(this.job, this.statuses);
      renderJob(this.job, this.catalogues);
    }
    this.setState("gone");
  }

  follow(id, after, token) {
    const mine = (handler) => (...args) => {
      if (token === this.attaching) handler(...args);
    };
    this.follower = followJob(id, {
      after,
      statuses: this.statuses,
      onEvent: mine((name, data) => this.onEvent(name, data)),
      onRecord: mine((record) => this.show(reduceJob(null, "job", record))),
      onTrouble: mine((message) => this.say(message ?? "")),
      onError: mine((err) => {
        this.awaiting = null;
        this.say("");
        if (err.status === 404) this.jobGone(id, err);
        else this.requestFailed(err);
      }),
    });
  }

  clearJob() {
    this.charts.clear(idleText(), epochsShown($("epochs").value));
    renderNoJob();
  }

  // --- events --------------------------------------------------------------------------------

  /** Draw a job from scratch (its record, or the stream's `job` event). */
  async show(job) {
    this.job = job;
    if (this.awaiting === job.id) this.awaiting = null;
    const listed = this.picker.datasets.find((d) => d.id === job.dataset.id);
    this.charts.draw(job, runNames(job, this.optimizers), listed ?? job.dataset);
    renderJob(job, this.catalogues);
    this.setState(job.status);
    if (this.statuses.isFinished(job.status)) await this.finished();
  }

  onEvent(name, data) {
    if (name === "job") {
      this.show(reduceJob(null, name, data));
      return;
    }
    if (!this.job) return;
    const before = this.job;
    this.job = reduceJob(before, name, data);
    if (name === "progress") {
      this.charts.extend(this.job, progressParts(before, data));
      this.root.dataset.updates = String(++this.updates);
    }
    renderAfter(name, this.job, this.catalogues);
    if (name === "status") this.setState(this.job.status);
    if (name === "end") {
      this.say("");
      this.finished();
    }
  }

  /** A job has ended: the state tells tests and users once every chart has drawn its last point. */
  async finished() {
    const { id } = this.job;
    await this.charts.flush();
    if (this.job?.id !== id) return; // another job is shown meanwhile
    const message = endMessage(this.job);
    if (message) this.banner.show(message);
    this.setState(this.job.status);
  }
}

startView("training", t("start the training view"), async (root) => {
  const catalogue = await loadCatalogue("datasets", "optimizers", "statuses");
  await new TrainingView(root, catalogue).start();
});
