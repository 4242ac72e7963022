// Slider scales for hyper-parameters, pure: a range input's position 0..STEPS ↔ a value within
// the parameter's bounds from GET /api/optimizers. η moves on a log scale (its sensible values
// span decades), the decay rates γ, ρ, β₁, β₂ on a linear one; ε and the noise σ get no slider.

export const STEPS = 1000;
const LOG_DECADES = 6; // η's slider spans high·10⁻⁶ … high (100 → 1e-4 … 100)
const LOG_NAMES = new Set(["eta"]);
const LINEAR_NAMES = new Set(["gamma", "rho", "beta1", "beta2"]);

/** True when hyper-parameter `hp` (a catalogue entry) gets a slider. */
export function hasSlider(hp) {
  return LOG_NAMES.has(hp.name) || LINEAR_NAMES.has(hp.name);
}

/**
 * The slider's scale for `hp`: positions spread over low..high (log or linear), values kept
 * within min..max, the ends the API accepts (a bound it excludes, like γ < 1, stays one step inside).
 */
export function scaleFor(hp) {
  if (LOG_NAMES.has(hp.name)) {
    const low = Math.max(hp.low, hp.high / 10 ** LOG_DECADES);
    return { log: true, low, high: hp.high, min: low, max: hp.high };
  }
  const step = (hp.high - hp.low) / STEPS;
  return {
    log: false, low: hp.low, high: hp.high,
    min: hp.low_inclusive ? hp.low : hp.low + step,
    max: hp.high_inclusive ? hp.high : hp.high - step,
  };
}

/** `value` with `digits` significant digits (0.40271… → 0.403), so the field reads cleanly. */
export function roundSignificant(value, digits = 3) {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

const clamp = (scale, v) => Math.min(scale.max, Math.max(scale.min, v));

/** The value at slider position `position` (0..STEPS). */
export function valueAt(scale, position) {
  const f = Math.min(STEPS, Math.max(0, position)) / STEPS;
  if (scale.log) {
    const [a, b] = [Math.log10(scale.low), Math.log10(scale.high)];
    return clamp(scale, roundSignificant(10 ** (a + f * (b - a))));
  }
  return clamp(scale, Number((scale.low + f * (scale.high - scale.low)).toFixed(3)));
}

/** The slider position nearest to `value` (clamped to the ends; NaN → null: leave the slider). */
export function positionOf(scale, value) {
  if (!Number.isFinite(value)) return null;
  const v = clamp(scale, value);
  const f = scale.log
    ? (Math.log10(v) - Math.log10(scale.low)) / (Math.log10(scale.high) - Math.log10(scale.low))
    : (v - scale.low) / (scale.high - scale.low);
  return Math.round(f * STEPS);
}
