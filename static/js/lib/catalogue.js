// What the server describes once and every view builds on: optimizers, functions, data sets and
// the job statuses. A view asks for the ones it needs, fetched in parallel.

import { getJSON } from "./api.js";
import { jobStatuses } from "./statuses.js";

const SOURCES = {
  optimizers: () => getJSON("/api/optimizers"),
  functions: () => getJSON("/api/functions"),
  datasets: () => getJSON("/api/datasets"),
  statuses: async () => jobStatuses((await getJSON("/healthz")).job_statuses),
};

/** {name: answer} for each of `names` ("optimizers", "functions", "datasets", "statuses"). */
export async function loadCatalogue(...names) {
  const answers = await Promise.all(names.map((name) => SOURCES[name]()));
  return Object.fromEntries(names.map((name, i) => [name, answers[i]]));
}

/** A catalogue list as a Map by its entries' `name`. */
export function byName(list) {
  return new Map(list.map((item) => [item.name, item]));
}
