// The book, live (/book): every printed result of ch. 7 from GET /api/book, re-run through the
// public API — 2D results via POST /api/trajectories, training results as jobs — with the
// book's value beside ours and a verdict per result (data-verdict: running | pass | fail).

import { getJSON, postJSON } from "../../lib/api.js";
import { $, showText } from "../../lib/dom.js";
import { showFormulas } from "../../lib/math.js";
import { errorText, failureKind, startView } from "../../lib/messages.js";
import { jobStatuses } from "../../lib/statuses.js";
import { buildSections, showOmitted, updateRow } from "./render.js";
import { planTasks, reduceRow, startRows, summarise } from "./state.js";
import { t } from "../../lib/i18n.js";

const IN_FLIGHT = 2; // requests at once: what the server trains at a time by default
const POLL_MS = 150; // a job's record is read this often until it has finished
const BUSY_RETRIES = 30;
const TEXT = {
  progress: (done, total) => t("{done} of {total} requests answered", { done, total }),
  summary: {
    running: (s) => t("{judged} of {total} results judged so far…", { judged: s.pass + s.fail, total: s.total }),
    pass: (s) => t("All {total} results reproduce what the book printed.", { total: s.total }),
    fail: (s) => t("{fail} of {total} results do not reproduce what the book printed.", { fail: s.fail, total: s.total }),
  },
  machine: (health) => (health.cuda
    ? t("This machine: torch {version}, CUDA available.", { version: health.torch })
    : t("This machine: torch {version}, no CUDA.", { version: health.torch })),
  trainedOn: (device) => t("Training jobs run on {device}.", { device }),
  rules: (book) => t(
    "A 2D result passes when our point equals the printed one to {decimals} decimals. The book ran " +
      "its training (and 7.2's SGD) once, unseeded, so there ours is {seeds} seeds and a result " +
      "passes when the printed value lies within our mean ± {sigmas} sd.",
    { decimals: book.decimals, seeds: book.seeds, sigmas: book.sigmas },
  ),
};

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

class BookPage {
  constructor(root, { book, health, statuses }) {
    Object.assign(this, { root, book, health, statuses });
    this.results = new Map(book.results.map((r) => [r.id, r]));
    this.tasks = planTasks(book);
    this.controller = null;
    showText($("book-rules"), TEXT.rules(book));
    showText($("book-machine"), TEXT.machine(health));
    showFormulas($("book-loss"), [book.loss]);
    showOmitted($("book-omitted"), book.omitted);
    this.refs = buildSections($("book-sections"), book);
    $("book-rerun").addEventListener("click", () => this.run());
  }

  /** One request's answer, as state.js's reduceRow takes it; a busy server is waited for. */
  async answer(task, signal) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return task.kind === "trajectory" ? await this.trajectory(task, signal) : await this.training(task, signal);
      } catch (err) {
        if (failureKind(err) !== "busy" || attempt >= BUSY_RETRIES) throw err;
        await sleep((err.retryAfter ?? 1) * 1000, signal);
      }
    }
  }

  async trajectory(task, signal) {
    const answer = await postJSON("/api/trajectories", task.body, { signal });
    return { point: answer.runs[0].points.at(-1) };
  }

  async training(task, signal) {
    const created = await postJSON("/api/jobs", task.body, { signal });
    for (;;) {
      await sleep(POLL_MS, signal);
      const job = await getJSON(created.url, { signal });
      if (this.statuses.isFinished(job.status)) {
        showText($("book-device"), TEXT.trainedOn(job.device));
        return { job, run: job.runs[0] };
      }
    }
  }

  show(id) {
    updateRow(this.refs, this.results.get(id), this.rows.get(id), this.book);
    const summary = summarise(this.rows);
    const node = $("book-summary");
    node.dataset.verdict = summary.verdict;
    node.textContent = TEXT.summary[summary.verdict](summary);
  }

  progress(done) {
    $("book-progress").max = this.tasks.length;
    $("book-progress").value = done;
    $("book-progress-text").textContent = TEXT.progress(done, this.tasks.length);
  }

  async run() {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    this.rows = startRows(this.book);
    for (const id of this.rows.keys()) this.show(id);
    this.root.dataset.state = "running";
    $("book-rerun").disabled = true;
    let next = 0;
    let done = 0;
    this.progress(0);
    const worker = async () => {
      while (next < this.tasks.length && !signal.aborted) {
        const task = this.tasks[next++];
        let answer;
        try {
          answer = await this.answer(task, signal);
        } catch (err) {
          if (signal.aborted) return;
          answer = { error: errorText(err) };
        }
        this.rows.set(task.id, reduceRow(this.rows.get(task.id), this.results.get(task.id), this.book, answer));
        this.show(task.id);
        this.progress(++done);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    if (signal.aborted) return;
    this.root.dataset.state = "done";
    $("book-rerun").disabled = false;
  }
}

startView("book", t("load the book's results"), async (root) => {
  const [book, health] = await Promise.all([getJSON("/api/book"), getJSON("/healthz")]);
  const page = new BookPage(root, { book, health, statuses: jobStatuses(health.job_statuses) });
  page.run();
});
