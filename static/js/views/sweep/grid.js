// One sweep as data, folded from its events (meta, progress…, done) or read whole from its answer
// (GET /api/sweeps/{id}) or its record (GET /api/runs/{id}). Pure: the view draws from it.
//   {id, kind, status, optimizer, impl, hyperparams, problem, axes, metrics, shape: [rows, cols],
//    cells: {metric: rows × cols, null until done}, rowsDone, progress, runId, error, fresh: [first, rows]}

const ENDED = new Set(["done", "failed", "cancelled", "interrupted"]);

function emptyCells(metrics, [rows, cols]) {
  return Object.fromEntries(metrics.map((name) => [name, Array.from({ length: rows }, () => Array(cols).fill(null))]));
}

function fromMeta(meta) {
  const shape = meta.shape ?? [meta.axes[1].values.length, meta.axes[0].values.length];
  return {
    id: meta.id, kind: meta.kind, status: meta.status, optimizer: meta.optimizer, impl: meta.impl,
    hyperparams: meta.hyperparams, problem: meta.problem, axes: meta.axes, metrics: meta.metrics, shape,
    cells: emptyCells(meta.metrics, shape), rowsDone: 0, progress: 0, runId: null, error: null, seconds: 0, fresh: null,
    mine: meta.mine ?? true, // a stream this page opened is of a sweep it submitted
  };
}

/** True once the sweep has ended (its cells are all it will have). */
export function ended(sweep) {
  return Boolean(sweep) && ENDED.has(sweep.status);
}

/** The next state after event `name` with `data`; null before `meta`. */
export function reduceSweep(state, name, data) {
  if (name === "meta") return fromMeta(data);
  if (!state) return null;
  if (name === "progress") {
    const next = { ...state, status: data.status, progress: data.progress, rowsDone: data.rows_done, fresh: null };
    if (data.cells) {
      next.cells = { ...state.cells };
      for (const [metric, rows] of Object.entries(data.cells)) {
        const grid = next.cells[metric].slice();
        rows.forEach((row, k) => { grid[data.first + k] = row; });
        next.cells[metric] = grid;
      }
      next.fresh = [data.first, data.rows];
    }
    return next;
  }
  if (name === "done") {
    return {
      ...state, status: data.status, progress: data.progress, rowsDone: data.rows_done, runId: data.run_id,
      error: data.error, seconds: data.seconds, fresh: null,
    };
  }
  return state;
}

/** The state of a sweep's whole answer (GET /api/sweeps/{id}). */
export function fromAnswer(answer) {
  const state = fromMeta({ ...answer, shape: undefined });
  return {
    ...state, cells: answer.cells ?? state.cells, rowsDone: answer.rows_done, progress: answer.progress,
    runId: answer.run_id, error: answer.error, seconds: answer.seconds,
  };
}

/** The state of a stored sweep (GET /api/runs/{id} of kind "sweep"). */
export function fromRecord(record) {
  const config = record.config;
  const state = fromMeta({ id: record.id, status: record.status, ...config });
  const cells = record.series?.[0]?.cells;
  const summary = record.runs?.[0] ?? {};
  return {
    ...state, cells: cells && Object.keys(cells).length ? cells : state.cells, rowsDone: summary.rows_done ?? 0,
    progress: record.timings?.progress ?? 0, runId: record.id, error: record.timings?.error ?? null,
    seconds: record.timings?.seconds ?? 0,
  };
}
