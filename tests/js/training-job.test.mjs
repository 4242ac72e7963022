// The Training view's job reducer, replayed over a whole job's event stream.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  endMessage, finalLossText, jobFromRecord, jobLine, markLost, progressParts, progressText, reduceJob, runProgress,
  runStatusText,
} from "../../static/js/views/training/job.js";
import { deepFreeze, STATUSES } from "./helpers.mjs";

const RECORD = {
  id: "job1", status: "queued", progress: 0, device: null, epochs: 2, batch_size: 10, seed: 0, points: 31,
  dataset: { id: "airfoil", label: "NASA airfoil self-noise" },
  runs: [
    { optimizer: "adagrad", impl: "book", hyperparams: { eta: 0.1 }, status: "queued", points: 0 },
    { optimizer: "rmsprop", impl: "book", hyperparams: { eta: 0.01, gamma: 0.9 }, status: "queued", points: 0 },
  ],
};

const EVENTS = [
  ["job", RECORD],
  ["status", { status: "running", device: "cpu", started_at: 100 }],
  ["progress", { progress: 0.5, runs: [{ epochs: [0, 0.5], losses: [0.9, 0.4] }, { epochs: [0, 0.5], losses: [0.9, 0.6] }] }],
  ["run", { index: 0, status: "diverged", diverged_at: 0.75, final_loss: null, summary: "diverged" }],
  ["progress", { progress: 1, runs: [{ epochs: [], losses: [] }, { epochs: [1, 2], losses: [0.3, 0.25] }] }],
  ["heartbeat", { whatever: true }],
  ["end", {
    status: "done", error: null, finished_at: 103, seconds: 0.123, sec_per_epoch: 0.0123, progress: 1,
    runs: [{ index: 1, status: "done", final_loss: 0.25, summary: "loss: 0.250000, 0.012300 sec per epoch" }],
  }],
];

function replay(events) {
  return events.reduce((job, [name, data]) => deepFreeze(reduceJob(job, name, deepFreeze(structuredClone(data)))), null);
}

test("a whole stream: statuses, curves once each, the end's outcomes, and no input mutated", () => {
  const job = replay(EVENTS);
  assert.equal(job.status, "done");
  assert.equal(job.device, "cpu");
  assert.equal(job.started_at, 100);
  assert.equal(job.progress, 1);
  assert.equal(job.seconds, 0.123);
  assert.equal(job.cancelling, false);
  const [a, b] = job.runs;
  assert.equal(a.status, "diverged");
  assert.equal(a.diverged_at, 0.75);
  assert.deepEqual(a.epochs, [0, 0.5]);
  assert.deepEqual(a.losses, [0.9, 0.4]);
  assert.equal(a.points, 2);
  assert.equal(b.status, "done");
  assert.deepEqual(b.epochs, [0, 0.5, 1, 2]);
  assert.deepEqual(b.losses, [0.9, 0.6, 0.3, 0.25]);
  assert.equal(b.points, 4);
  assert.equal(b.final_loss, 0.25);
  assert.equal(b.optimizer, "rmsprop"); // the end's outcome is merged into the run, not put in its place
});

test("status moves queued runs along, and only those", () => {
  const job = replay([EVENTS[0], EVENTS[1], EVENTS[3], ["status", { status: "running" }]]);
  assert.deepEqual(job.runs.map((r) => r.status), ["diverged", "running"]);
  assert.equal(job.device, "cpu"); // kept when the event has none
});

test("the job event starts over from the record (copied), and events before it are ignored", () => {
  assert.equal(reduceJob(null, "progress", EVENTS[2][1]), null);
  const record = structuredClone(RECORD);
  record.runs[0].epochs = [0];
  record.runs[0].losses = [1];
  const job = reduceJob(null, "job", record);
  job.runs[0].losses.push(2);
  assert.deepEqual(record.runs[0].losses, [1]);
  assert.deepEqual(jobFromRecord(RECORD).runs[1].epochs, []);
});

test("an unknown event, or a run index the job does not have, changes nothing", () => {
  const job = replay(EVENTS.slice(0, 2));
  assert.equal(reduceJob(job, "heartbeat", {}), job);
  const next = reduceJob(job, "run", { index: 7, status: "done" });
  assert.deepEqual(next.runs, job.runs);
});

test("progressParts: the points each grown run adds, with its index", () => {
  const job = replay(EVENTS.slice(0, 3));
  assert.deepEqual(progressParts(job, EVENTS[4][1]), [{ index: 1, epochs: [1, 2], losses: [0.3, 0.25] }]);
  const extra = { runs: [{ epochs: [1], losses: [1] }, { epochs: [1], losses: [1] }, { epochs: [1], losses: [1] }] };
  assert.deepEqual(progressParts(job, extra).map((p) => p.index), [0, 1]); // no third run to draw
});

test("a lost job: unknown, and so are its runs that were still active", () => {
  const job = markLost(replay(EVENTS.slice(0, 4)), STATUSES);
  assert.equal(job.status, "unknown");
  assert.deepEqual(job.runs.map((r) => r.status), ["diverged", "unknown"]);
  assert.match(jobLine(job), /^job job1 · lost: the server no longer has it · 2 epochs at batch 10$/);
});

test("progress of a run: the job's while it runs, frozen where it stopped", () => {
  const job = replay(EVENTS.slice(0, 4));
  assert.equal(runProgress(job.runs[1], job), 0.5);
  assert.equal(runProgress(job.runs[0], job), 0.375); // diverged at epoch 0.75 of 2
  assert.equal(progressText(job.runs[0], job), "diverged at epoch 0.750");
  assert.equal(progressText(job.runs[1], job), "50% · running");
  assert.equal(runStatusText(job.runs[0]), "diverged at epoch 0.750");
  const cancelled = { ...job.runs[1], status: "cancelled" };
  assert.equal(runProgress(cancelled, job), 0.25); // its last point is at epoch 0.5
  assert.equal(progressText(cancelled, job), "25% · cancelled");
  const done = replay(EVENTS);
  assert.equal(progressText(done.runs[1], done), "100% · done");
  assert.equal(runProgress({ status: "queued", epochs: [] }, job), 0);
});

test("the job line says where the job is", () => {
  assert.equal(jobLine(replay(EVENTS.slice(0, 1))), "job job1 · queued: waiting for a free worker · 2 epochs at batch 10");
  assert.equal(jobLine(replay(EVENTS.slice(0, 3))), "job job1 · running on cpu · 50% · 2 epochs at batch 10");
  assert.equal(
    jobLine(replay(EVENTS)),
    "job job1 · done on cpu · 0.123 s · 0.012300 sec per epoch for all runs · 2 epochs at batch 10",
  );
  assert.match(jobLine({ ...replay(EVENTS), epochs: 1 }), / 1 epoch at batch 10$/);
  const unstored = { ...replay(EVENTS), stored: false, store_error: "the run history is read-only" };
  assert.match(jobLine(unstored), / · kept in memory, not yet in the history: the run history is read-only$/);
});

test("only a failed or interrupted job has an end message", () => {
  assert.equal(endMessage({ status: "failed", error: "out of memory" }), "The job failed: out of memory");
  assert.equal(endMessage({ status: "failed", error: null }), "The job failed: no reason given");
  assert.match(endMessage({ status: "interrupted" }), /interrupted/);
  assert.equal(endMessage({ status: "done" }), "");
  assert.equal(endMessage({ status: "cancelled" }), "");
});

test("several seeds: the curves keep their band and times; the table says mean ± sd", () => {
  const record = structuredClone(RECORD);
  record.seeds = 3;
  const events = [
    ["job", record],
    ["progress", {
      progress: 1,
      runs: [
        { epochs: [0, 1], losses: [0.5, 0.3], losses_min: [0.5, 0.28], losses_max: [0.5, 0.33], elapsed: [0, 0.01] },
        { epochs: [0], losses: [0.5], losses_min: [0.49], losses_max: [0.52], elapsed: [0] },
      ],
    }],
    ["progress", { progress: 1, runs: [{ epochs: [], losses: [] }, { epochs: [1], losses: [0.2], losses_min: [0.19], losses_max: [0.21], elapsed: [0.02] }] }],
    ["run", { index: 1, status: "done", final_loss: 0.2, final_loss_sd: 0.0123456, final_loss_min: 0.19, final_loss_max: 0.21 }],
  ];
  const job = replay(events);
  assert.deepEqual(job.runs[1].losses_min, [0.49, 0.19]);
  assert.deepEqual(job.runs[1].losses_max, [0.52, 0.21]);
  assert.deepEqual(job.runs[1].elapsed, [0, 0.02]);
  assert.deepEqual(job.runs[0].elapsed, [0, 0.01]);
  assert.equal(job.runs[1].points, 2);
  assert.deepEqual(progressParts(job, events[2][1]), [
    { index: 1, epochs: [1], losses: [0.2], losses_min: [0.19], losses_max: [0.21], elapsed: [0.02] },
  ]);
  assert.equal(finalLossText(job.runs[1]), "0.200000 ± 0.012346");
  assert.equal(finalLossText({ final_loss: 0.25, final_loss_sd: null }), "0.250000"); // one seed
  assert.equal(finalLossText({ final_loss: null, final_loss_sd: null }), "–"); // diverged
  const copied = jobFromRecord({ ...record, runs: [{ ...record.runs[0], epochs: [0], losses: [1], elapsed: [0] }] });
  assert.deepEqual(copied.runs[0].elapsed, [0]);
  assert.equal(copied.runs[0].losses_min, undefined); // an older record: no band
});
