// The book page's verdicts: does our result reproduce what the book printed? Pure: no DOM.
// The rules (decimals, seeds, sigmas) come from GET /api/book.

/** A 2D result: our point equals the printed one to `decimals` decimals (−0 equals 0). */
export function pointVerdict(printed, ours, decimals) {
  const same = printed.every((p, i) => Number(ours[i].toFixed(decimals)) === p);
  return same ? "pass" : "fail";
}

/** Mean, sample standard deviation, min and max of `values` (n ≥ 2 for an sd). */
export function spread(values) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** The printed value lies within mean ± sigmas × sd (an sd that is not a positive number fails). */
export function withinSpread(printed, mean, sd, sigmas) {
  if (!Number.isFinite(mean) || !Number.isFinite(sd) || !(sd > 0)) return "fail";
  return Math.abs(printed - mean) <= sigmas * sd ? "pass" : "fail";
}

/** An unseeded result from its values: the printed value lies within our mean ± sigmas × sd. */
export function spreadVerdict(printed, values, sigmas) {
  if (values.some((v) => !Number.isFinite(v))) return "fail";
  const { mean, sd } = spread(values);
  return withinSpread(printed, mean, sd, sigmas);
}

/** A random 2D result: every printed coordinate lies within our spread of that coordinate. */
export function pointSpreadVerdict(printed, points, sigmas) {
  const each = printed.map((p, i) => spreadVerdict(p, points.map((point) => point[i]), sigmas));
  return each.every((v) => v === "pass") ? "pass" : "fail";
}

/** How far the printed value is from our mean, in our standard deviations. */
export function zScore(printed, values) {
  const { mean, sd } = spread(values);
  return (printed - mean) / sd;
}
