// Shared by the node tests: frozen inputs (a reducer that mutates its input throws), the statuses
// as the server lists them (GET /healthz; tests/test_api_meta.py holds the server to them).
import { jobStatuses } from "../../static/js/lib/statuses.js";

export function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export const STATUSES = jobStatuses({ active: ["queued", "running"], finished: ["done", "failed", "cancelled", "interrupted"] });
