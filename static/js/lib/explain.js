// "Explain step t": the numbers of one run's update at step t, recovered from what the
// trajectory stream carries (points x_t, the rate lr_eff and the state after each step).
// Pure: no DOM, testable under node.
//
// The stream does not send g_t itself; it follows from the rule:
//  - most rules step x_t = x_{t-1} − rate ⊙ g_t, so g_t = (x_{t-1} − x_t) / rate;
//  - momentum steps by its velocity: g_t = (v_t − γ v_{t-1}) / η (book) or b_t − γ b_{t-1} (torch);
//  - Adam steps by v̂_t: g_t = (v_t − β1 v_{t-1}) / (1 − β1).
// In float64 this is exact to about |x| · 1e-16 / rate, far below the 6 digits shown.

const VELOCITY = {
  momentum: { book: "v", torch: "momentum_buffer" },
  adam: { book: "v", torch: "exp_avg" },
};

/** The state entry `key` after step k (k = 0: before the first step, all zeros). */
function stateAt(run, key, k, width) {
  return k === 0 ? new Array(width).fill(0) : run.state[key][k - 1];
}

/** g_t of `run` (one entry per coordinate), t ≥ 1. */
export function gradientAt(run, t) {
  const before = run.points[t - 1];
  const after = run.points[t];
  const hp = run.hyperparams;
  const key = VELOCITY[run.optimizer]?.[run.impl];
  if (key === undefined) {
    const rate = run.lr_eff[t - 1];
    return before.map((x, i) => (x - after[i]) / rate[i]);
  }
  const v = stateAt(run, key, t, before.length);
  const v0 = stateAt(run, key, t - 1, before.length);
  if (run.optimizer === "adam") return v.map((vi, i) => (vi - hp.beta1 * v0[i]) / (1 - hp.beta1));
  if (run.impl === "torch") return v.map((vi, i) => vi - hp.gamma * v0[i]);
  return v.map((vi, i) => (vi - hp.gamma * v0[i]) / hp.eta);
}

/** How many steps of `run` have arrived (t runs 1..available). */
export function stepsAvailable(run) {
  return Math.max(0, Math.min(run.points.length - 1, run.lr_eff.length));
}

/**
 * Step t of `run`: {t, previous: x_{t-1}, point: x_t, gradient: g_t, rate, state: [{key, values}]},
 * each an array over the coordinates; null when step t has not arrived (or t = 0, the start).
 */
export function explainStep(run, t) {
  if (!Number.isInteger(t) || t < 1 || t > stepsAvailable(run)) return null;
  return {
    t,
    previous: run.points[t - 1],
    point: run.points[t],
    gradient: gradientAt(run, t),
    rate: run.lr_eff[t - 1],
    state: Object.keys(run.state ?? {}).map((key) => ({ key, values: run.state[key][t - 1] })),
  };
}
