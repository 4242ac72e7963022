// The axis rules the curves share, pure (testable under node): when a y-axis is logarithmic,
// and when a curve's points get markers.

/** A loss curve that spans more than this factor (a run blowing up) is shown on a log axis. */
export const LOG_RATIO = 100;

/** 2D paths and f(xₜ) curves of at most this many steps get markers on their points. */
export const MARKER_STEPS = 60;

/** Loss curves of at most this many points get markers (the book's 2-epoch figure has 31). */
export const MARKER_POINTS = 41;

/** True when the finite positive values span more than `ratio` (then a log axis reads better). */
export function spansDecades(values, ratio = LOG_RATIO) {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (!(Number.isFinite(v) && v > 0)) continue;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return high / low > ratio;
}

/** True when a log axis can show every value of every series (all > 0; gaps, null, allowed). */
export function logFits(series) {
  return series.every((values) => values.every((v) => v === null || v > 0));
}

/**
 * True when an axis showing `range` (in axis units: log₁₀ of the values on a log axis) can stay
 * as it is for the values of `series`: every finite value inside it (and > 0 on a log axis), and
 * together they fill at least `fill` of it, so a curve that moves within it stays readable.
 * False means: let the axis fit the curves again.
 */
export function rangeHolds(range, series, { log = false, fill = 0.5 } = {}) {
  if (!Array.isArray(range) || range.length !== 2 || !(range[1] > range[0])) return false;
  let low = Infinity;
  let high = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v === null || !Number.isFinite(v)) continue;
      if (log && v <= 0) return false;
      const at = log ? Math.log10(v) : v;
      low = Math.min(low, at);
      high = Math.max(high, at);
    }
  }
  if (!(low <= high)) return true; // nothing to show: any range will do
  return low >= range[0] && high <= range[1] && high - low >= fill * (range[1] - range[0]);
}
