// The statuses of training jobs (and of their records in the history) are the server's:
// GET /healthz lists them as `job_statuses: {active, finished}`. Views ask this module rather
// than spelling them. "unknown" is the page's own word for a job the server no longer has.

import { t } from "./i18n.js";

export const UNKNOWN = "unknown";

/** The statuses of `meta` ({active: [...], finished: [...]}) with the questions views ask of them. */
export function jobStatuses(meta) {
  const active = new Set(meta?.active ?? []);
  const finished = new Set(meta?.finished ?? []);
  if (!active.size || !finished.size) throw new Error(t("the server listed no job statuses"));
  return Object.freeze({
    /** Every status, active ones first: what a status filter offers. */
    all: [...active, ...finished],
    /** Queued or running: the job can still change (and be cancelled, not deleted). */
    isActive: (status) => active.has(status),
    /** The job has ended and will not change any more. */
    isFinished: (status) => finished.has(status),
  });
}
