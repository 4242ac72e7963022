// Numbers, times and formulas as the views print them. Pure: no DOM, testable under node.

import { t } from "./i18n.js";

/** Numbers as a person would type them: 0.4, 1e-6 (not 0.000001), 20. */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential();
  return String(value);
}

/** Parse typed text: {value} or {error}. Empty, non-numeric and infinite input are refused here. */
export function parseNumber(text) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") return { error: t("enter a number") };
  const value = Number(trimmed);
  if (Number.isNaN(value)) return { error: t("\"{text}\" is not a number", { text: trimmed }) };
  if (!Number.isFinite(value)) return { error: t("must be a finite number") };
  return { value };
}

/**
 * A number as the book prints it, Python's "%f": 6 decimals, the sign kept, so a tiny negative
 * value is "-0.000000" as in 7.5's "x2 -0.000000" (toFixed alone would drop the sign of -0).
 */
export function bookNumber(value) {
  return Object.is(value, -0) ? "-0.000000" : value.toFixed(6);
}

/** "epoch 20, x1 -0.010599, x2 0.000000": the book's line for the last point of a 2D path. */
export function resultLine(points) {
  const last = points.length - 1;
  const [x1, x2] = points[last];
  return `epoch ${last}, x1 ${bookNumber(x1)}, x2 ${bookNumber(x2)}`;
}

/** A loss or a time as the book prints it: 6 decimals; "–" for none. */
export function sixDecimals(value) {
  return Number.isFinite(value) ? value.toFixed(6) : "–";
}

/** A number for a table cell: `digits` significant digits (6), "–" for none. */
export function figure(value, digits = 6) {
  if (value === null || value === undefined) return "–";
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(digits)).toString();
}

/** "45%" (rounded down, clamped to 0–100). */
export function percent(fraction) {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** Seconds since the epoch as local "YYYY-MM-DD HH:MM:SS". */
export function when(seconds) {
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** A size for people: "512 B", "2.1 kB", "4.5 MB", "1.2 GB" (powers of 1024, one decimal). */
export function sizeText(bytes) {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = Math.max(0, Number(bytes) || 0);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${formatNumber(Math.round(value * 10) / 10)} ${units[unit]}`;
}

/** A file size in kB with one decimal: 2150 bytes → "2.1". */
export function kilobytes(bytes) {
  return formatNumber(Math.round(bytes / 102.4) / 10);
}
