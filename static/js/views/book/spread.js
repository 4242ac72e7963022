// Small SVG pictures of an unseeded result: where the book's printed value falls among ours.
//  - strip: a training loss: our seeds' range, mean ± k·sd band, our mean, the printed value
//  - scatter: a random 2D point: our seeds' final points and the printed point
// Numbers in, SVG out; no Plotly on this page.

import { bookNumber } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const TEXT = {
  printed: (v) => t("the book printed {value}", { value: v }),
  mean: (v) => t("our mean {value}", { value: v }),
  band: (k) => t("our mean ± {k} sd", { k }),
  range: (lo, hi) => t("our seeds: {low} to {high}", { low: lo, high: hi }),
  seed: (k, p) => t("seed {k}: ({point})", { k, point: p }),
};

function node(tag, attrs = {}, title = "") {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  if (title) {
    const tip = document.createElementNS(SVG, "title");
    tip.textContent = title;
    element.append(tip);
  }
  return element;
}

/** A linear map of [lo, hi] onto [a, b], with 8 % room on each side. */
function scale(lo, hi, a, b) {
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
  const from = lo - pad;
  const span = hi + pad - from;
  return (v) => a + ((v - from) / span) * (b - a);
}

/** A training result's strip: `ours` {mean, sd, min, max}, the printed loss, k sds. */
export function strip(printed, ours, sigmas, { width = 220, height = 30 } = {}) {
  const lo = Math.min(ours.min, ours.mean - sigmas * ours.sd, printed);
  const hi = Math.max(ours.max, ours.mean + sigmas * ours.sd, printed);
  const x = scale(lo, hi, 4, width - 4);
  const mid = height / 2;
  const svg = node("svg", { class: "spread strip", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const b0 = x(ours.mean - sigmas * ours.sd);
  const b1 = x(ours.mean + sigmas * ours.sd);
  svg.append(
    node("rect", { class: "band", x: b0, y: mid - 8, width: b1 - b0, height: 16 }, TEXT.band(sigmas)),
    node("line", { class: "range", x1: x(ours.min), x2: x(ours.max), y1: mid, y2: mid },
      TEXT.range(bookNumber(ours.min), bookNumber(ours.max))),
    node("line", { class: "mean", x1: x(ours.mean), x2: x(ours.mean), y1: mid - 8, y2: mid + 8 }, TEXT.mean(bookNumber(ours.mean))),
    node("path", { class: "printed", d: `M ${x(printed)} ${mid - 7} l 5 7 l -5 7 l -5 -7 z` }, TEXT.printed(bookNumber(printed))),
  );
  return svg;
}

/** A random 2D result's scatter: our seeds' final points, the printed point. */
export function scatter(printed, points, { size = 150 } = {}) {
  const xs = [...points.map((p) => p[0]), printed[0]];
  const ys = [...points.map((p) => p[1]), printed[1]];
  const x = scale(Math.min(...xs), Math.max(...xs), 6, size - 6);
  const y = scale(Math.min(...ys), Math.max(...ys), size - 6, 6);
  const svg = node("svg", { class: "spread scatter", width: size, height: size, viewBox: `0 0 ${size} ${size}`, role: "img" });
  svg.append(node("rect", { class: "frame", x: 0.5, y: 0.5, width: size - 1, height: size - 1 }));
  points.forEach((p, k) => {
    svg.append(node("circle", { class: "seed", cx: x(p[0]), cy: y(p[1]), r: 3.5 }, TEXT.seed(k, p.map(bookNumber).join(", "))));
  });
  const [px, py] = [x(printed[0]), y(printed[1])];
  svg.append(node("path", { class: "printed", d: `M ${px} ${py - 7} l 6 7 l -6 7 l -6 -7 z` }, TEXT.printed(`(${printed.map(bookNumber).join(", ")})`)));
  return svg;
}
