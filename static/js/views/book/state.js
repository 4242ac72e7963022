// The book page's state, pure: which requests GET /api/book's results need, and what each
// result's row shows as their answers come in (ours, the verdict).
//   row: {id, verdict: "running" | "pass" | "fail", ours: null | {...}, points: [...], error}
//   ours: {point} (2D) · {points, x1, x2} with each coordinate's spread (a random 2D result) ·
//         {mean, sd, min, max, seeds, secPerEpoch, device} (training)

import { pointSpreadVerdict, pointVerdict, spread, withinSpread } from "../../lib/verdict.js";

/**
 * Every request the page sends, in the catalogue's order: a 2D result once, a random one once
 * per seed (0 … seeds−1), a training result once (its request trains all its seeds in one job).
 *   [{id, kind, body}]
 */
export function planTasks(book) {
  return book.results.flatMap((result) => {
    if (result.kind === "trajectory" && result.random) {
      return Array.from({ length: book.seeds }, (_, seed) => ({
        id: result.id, kind: result.kind, body: { ...result.request, seed },
      }));
    }
    return [{ id: result.id, kind: result.kind, body: result.request }];
  });
}

/** The rows before any answer: every verdict running. */
export function startRows(book) {
  return new Map(book.results.map((r) => [r.id, { id: r.id, verdict: "running", ours: null, points: [], error: null }]));
}

function trajectoryRow(row, result, book, point) {
  if (!result.random) {
    return { ...row, ours: { point }, verdict: pointVerdict(result.printed.point, point, book.decimals) };
  }
  const points = [...row.points, point];
  if (points.length < book.seeds) return { ...row, points };
  const ours = { points, x1: spread(points.map((p) => p[0])), x2: spread(points.map((p) => p[1])) };
  return { ...row, points, ours, verdict: pointSpreadVerdict(result.printed.point, points, book.sigmas) };
}

function trainingRow(row, result, book, { job, run }) {
  const ours = {
    mean: run.final_loss, sd: run.final_loss_sd, min: run.final_loss_min, max: run.final_loss_max,
    seeds: job.seeds, secPerEpoch: run.sec_per_epoch, device: job.device, jobId: job.id,
  };
  const done = job.status === "done" && run.status === "done";
  const verdict = done ? withinSpread(result.printed.loss, ours.mean, ours.sd, book.sigmas) : "fail";
  return { ...row, ours, verdict, error: done ? null : `${job.status} / ${run.status}` };
}

/**
 * The row of `result` after one answer:
 *   {point: [x1, x2]} for a 2D request · {job, run} (the finished job and its run) for training ·
 *   {error: "message"} when the request failed (the row fails and says why).
 */
export function reduceRow(row, result, book, answer) {
  if (answer.error) return { ...row, verdict: "fail", error: answer.error };
  if (row.error) return row; // one seed failed: the row has failed already
  return result.kind === "trajectory"
    ? trajectoryRow(row, result, book, answer.point)
    : trainingRow(row, result, book, answer);
}

/** Counts over the rows, and the page's own verdict: running until every row has one. */
export function summarise(rows) {
  const counts = { pass: 0, fail: 0, running: 0 };
  for (const row of rows.values()) counts[row.verdict] += 1;
  const verdict = counts.running ? "running" : counts.fail ? "fail" : "pass";
  return { ...counts, total: rows.size, verdict };
}
