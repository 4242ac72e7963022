// User text reaches Plotly escaped: Plotly renders <b>, <br>, <a href>, <span style> and entities
// in titles, legends and hover text, so a file name or an expression must not become markup.
import assert from "node:assert/strict";
import { test } from "node:test";

import { plainText, plotlyText } from "../../static/js/lib/escape.js";
import { plotTitle, slug } from "../../static/js/plots/export.js";
import { axisTitle, createChart, seriesTrace, title } from "../../static/js/plots/chart.js";
import { rateTraces, valueTrace, valuesLayout } from "../../static/js/plots/curves.js";
import { landscapeLayout, nowTrace, pathTrace } from "../../static/js/plots/landscape.js";
import { emptyLossLayout, lossLayout, lossTrace } from "../../static/js/plots/loss.js";

const HOSTILE = 'mine<b>.csv <a href="javascript:alert(1)">x</a> &lt;br&gt; <br>';
const SAFE = 'mine&lt;b&gt;.csv &lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt; &amp;lt;br&amp;gt; &lt;br&gt;';

/** Plotly's own decoding of its pseudo-HTML entities (plotly.js svg_text_utils), to read back what it shows. */
function shown(text) {
  const named = { amp: "&", lt: "<", gt: ">", nbsp: "\u00a0", mu: "μ", times: "×", plusmn: "±", deg: "°" };
  return text.replace(/&(#\d+|#x[\da-fA-F]+|[a-z]+);/g, (entity, body) => {
    if (body[0] !== "#") return named[body] ?? entity;
    return String.fromCodePoint(body[1] === "x" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1)));
  });
}

test("plotlyText escapes the characters that start a tag or an entity, and nothing else", () => {
  assert.equal(plotlyText(HOSTILE), SAFE);
  assert.equal(plotlyText("A · Adam η=0.01, β₁=0.9 (torch) \"quoted\" 'x'"), "A · Adam η=0.01, β₁=0.9 (torch) \"quoted\" 'x'");
  assert.equal(plotlyText(null), "");
  assert.equal(plotlyText(3.5), "3.5");
});

test("what Plotly shows of an escaped text is the text itself, with no tag left", () => {
  for (const text of [HOSTILE, "a &amp; b", "&#60;b&#62;", "x<sub>2</sub>", "5 > 3 & 2 < 4"]) {
    const escaped = plotlyText(text);
    assert.equal(shown(escaped), text);
    assert.doesNotMatch(escaped, /<[a-z/]/i);
  }
});

test("trace factories escape names (legends) and tags (hover text)", () => {
  const traces = [
    seriesTrace({ name: HOSTILE, color: "#000" }),
    pathTrace({ name: HOSTILE, tag: "<b>A</b>", color: "#000", points: [[1, 2]] }),
    valueTrace({ name: HOSTILE, tag: "<b>A</b>", color: "#000", values: [1] }),
    lossTrace({ name: HOSTILE, tag: "<b>A</b>", color: "#000", epochs: [0], losses: [1] }),
    ...rateTraces({ name: HOSTILE, tag: "<b>A</b>", color: "#000", mode: "lines" }),
  ];
  for (const trace of traces) {
    assert.ok(trace.name.startsWith(SAFE), trace.name);
    assert.doesNotMatch(trace.hovertemplate ?? "", /<b>/);
  }
  assert.equal(nowTrace({ tag: "<i>A</i>", color: "#000", at: [0, 0] }).name, "&lt;i&gt;A&lt;/i&gt; now");
});

test("layout factories escape titles and annotations", () => {
  assert.equal(title(HOSTILE).text, SAFE);
  assert.equal(axisTitle(HOSTILE).title.text, SAFE);
  assert.equal(landscapeLayout({ text: `paths on f = ${HOSTILE}` }).title.text, `paths on f = ${SAFE}`);
  assert.equal(lossLayout({ text: HOSTILE }).title.text, SAFE);
  assert.equal(emptyLossLayout(HOSTILE, 2).annotations[0].text, SAFE);
  assert.equal(valuesLayout({ log: true }).title.text, "objective f(xₜ) per step (log scale)");
});

test("a chart's retitle escapes the new title; a chart's calls run in order", async () => {
  const calls = [];
  const later = (name) => (...args) => new Promise((done) => setTimeout(() => {
    calls.push([name, ...args.slice(1)]);
    done();
  }, name === "newPlot" ? 20 : 0));
  globalThis.window = {
    Plotly: { Icons: { disk: {} }, newPlot: later("newPlot"), relayout: later("relayout"), react: later("react") },
  };
  try {
    const chart = createChart({});
    chart.init([], {});
    chart.retitle(HOSTILE, { "yaxis.type": "log" });
    await chart.flush();
    assert.deepEqual(calls.map((c) => c[0]), ["newPlot", "relayout"]); // the slow newPlot first
    assert.deepEqual(calls[1][1], { "yaxis.type": "log", "title.text": SAFE });
  } finally {
    delete globalThis.window;
  }
});

test("a download's file name comes from the plain title, not its escaped form", () => {
  for (const text of [HOSTILE, "a & b", "&lt;", "x<y"]) assert.equal(plainText(plotlyText(text)), text);
  const div = { layout: { title: title("Loss & <accuracy>") } };
  assert.equal(plotTitle(div), "Loss & <accuracy>");
  assert.equal(slug(plotTitle(div)), "loss-accuracy");
  assert.equal(slug("RMSProp vs AdaGrad: f(xₜ)"), "rmsprop-vs-adagrad-f-xt");
  assert.equal(slug("<>", "plot"), "plot");
});
