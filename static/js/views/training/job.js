// A training job as data, and the reducer of its event stream. Pure: no DOM, no Plotly, so the
// whole life of a job (job → status → progress… → run… → end) can be replayed in a test.
//   job: the record of GET /api/jobs/{id} (config, status, progress, device, timings, seeds) with
//        runs: [{optimizer, impl, hyperparams, status, epochs: [...], losses: [...], points,
//                losses_min, losses_max, elapsed (per point: the seeds' range, training seconds),
//                final_loss (the mean over the seeds), final_loss_sd, …, sec_per_epoch, diverged_at, summary}]

import { UNKNOWN } from "../../lib/statuses.js";
import { formatNumber, percent, sixDecimals } from "../../lib/format.js";
import { t, tn } from "../../lib/i18n.js";
import { statusName } from "../../lib/labels.js";

// A run's curve, one value per point: x in epochs, the mean loss, the seeds' lowest and highest
// loss, the training seconds so far. Only epochs and losses are always there (older servers and
// records have no others).
export const CURVE = ["epochs", "losses", "losses_min", "losses_max", "elapsed"];
const OPTIONAL = CURVE.slice(2);

/** A run's curves copied, those it has (epochs and losses always). */
function curvesOf(run) {
  const curves = { epochs: [...(run.epochs ?? [])], losses: [...(run.losses ?? [])] };
  for (const key of OPTIONAL) if (run[key]) curves[key] = [...run[key]];
  return curves;
}

/** A job from its record (GET /api/jobs/{id}, or the stream's `job` event: no curves yet). */
export function jobFromRecord(record) {
  return { ...record, runs: record.runs.map((run) => ({ ...run, ...curvesOf(run) })) };
}

/** `run`'s curves with a progress event's part appended (the keys the part brings). */
function grown(run, part) {
  const next = { ...run };
  for (const key of CURVE) if (part[key]) next[key] = (run[key] ?? []).concat(part[key]);
  return next;
}

function withRuns(job, change) {
  return { ...job, runs: job.runs.map(change) };
}

/** The job after one event of its stream; events it does not know leave it as it was. */
export function reduceJob(job, name, data) {
  if (name === "job") return jobFromRecord(data);
  if (!job) return job;
  if (name === "status") {
    const next = withRuns(job, (run) => (run.status === "queued" ? { ...run, status: data.status } : run));
    return { ...next, status: data.status, device: data.device ?? job.device, started_at: data.started_at ?? job.started_at };
  }
  if (name === "progress") {
    return {
      ...withRuns(job, (run, i) => {
        const part = data.runs[i];
        if (!part?.losses.length) return run;
        const next = grown(run, part);
        return { ...next, points: next.losses.length };
      }),
      progress: data.progress,
    };
  }
  if (name === "run") return withRuns(job, (run, i) => (i === data.index ? { ...run, ...data } : run));
  if (name === "end") {
    const outcomes = new Map((data.runs ?? []).map((outcome) => [outcome.index, outcome]));
    return {
      ...withRuns(job, (run, i) => ({ ...run, ...outcomes.get(i) })),
      status: data.status, error: data.error, finished_at: data.finished_at, seconds: data.seconds,
      sec_per_epoch: data.sec_per_epoch, progress: data.progress, cancelling: false,
    };
  }
  return job;
}

/**
 * What a `progress` event adds to the charts: [{index, epochs, losses, (losses_min, losses_max,
 * elapsed)}] for the runs it grew.
 */
export function progressParts(job, data) {
  return data.runs
    .map((part, index) => {
      const out = { index, epochs: part.epochs, losses: part.losses };
      for (const key of OPTIONAL) if (part[key]) out[key] = part[key];
      return out;
    })
    .filter((part) => job.runs[part.index] && part.losses.length);
}

/** "0.243452 ± 0.001234": a run's final loss, with the spread of its seeds when it has several. */
export function finalLossText(run) {
  const mean = sixDecimals(run.final_loss);
  return Number.isFinite(run.final_loss) && Number.isFinite(run.final_loss_sd) ? `${mean} ± ${sixDecimals(run.final_loss_sd)}` : mean;
}

/** A job lost while it ran (the server restarted): what was drawn stays, its outcome is unknown. */
export function markLost(job, statuses) {
  const next = withRuns(job, (run) => (statuses.isActive(run.status) ? { ...run, status: UNKNOWN } : run));
  return { ...next, status: UNKNOWN };
}

/** Where a run stands, 0–1: the job's progress while it trains, frozen where it stopped. */
export function runProgress(run, job) {
  if (run.status === "done") return 1;
  if (run.status === "queued") return 0;
  if (run.status === "running") return job.progress;
  const stoppedAt = run.diverged_at ?? run.epochs.at(-1) ?? 0;
  return Math.min(1, stoppedAt / job.epochs);
}

/** A run's status for people: "diverged at epoch 1.234", else the status itself. */
export function runStatusText(run) {
  return run.status === "diverged" && Number.isFinite(run.diverged_at)
    ? t("diverged at epoch {epoch}", { epoch: run.diverged_at.toFixed(3) }) : statusName(run.status);
}

/** The text beside a run's progress bar: "45% · running", "100% · done", "diverged at epoch …". */
export function progressText(run, job) {
  if (run.status === "done") return `100% · ${statusName("done")}`;
  if (run.status === "diverged" && Number.isFinite(run.diverged_at)) return runStatusText(run);
  return `${percent(runProgress(run, job))} · ${statusName(run.status)}`;
}

/** "job 3f… · done on cpu · 0.52 s · 0.012345 sec per epoch for all runs · 2 epochs at batch 10". */
export function jobLine(job) {
  const parts = [t("job {id}", { id: job.id })];
  if (job.status === "queued") parts.push(t("queued: waiting for a free worker"));
  else if (job.status === UNKNOWN) parts.push(t("lost: the server no longer has it"));
  else if (job.status === "running") parts.push(t("running on {device}", { device: job.device }), percent(job.progress));
  else {
    parts.push(t("{status} on {device}", { status: statusName(job.status), device: job.device }));
    if (Number.isFinite(job.seconds) && job.seconds > 0) parts.push(`${formatNumber(Number(job.seconds.toPrecision(3)))} s`);
    if (Number.isFinite(job.sec_per_epoch)) {
      parts.push(t("{seconds} sec per epoch for all runs", { seconds: sixDecimals(job.sec_per_epoch) }));
    }
  }
  parts.push(tn("{n} epoch at batch {batch}", "{n} epochs at batch {batch}", job.epochs, { batch: job.batch_size }));
  if (job.stored === false) {
    const reason = job.store_error ?? t("it cannot be written");
    parts.push(t("kept in memory, not yet in the history: {reason}", { reason }));
  }
  return parts.join(" · ");
}

/** What the banner says once a job has ended badly (failed, interrupted), else "". */
export function endMessage(job) {
  const reason = job.error ?? t("no reason given");
  if (job.status === "failed") return t("The job failed: {reason}", { reason });
  if (job.status === "interrupted") return t("The server stopped during this job: it was interrupted.");
  return "";
}
