// JSON read from the server cannot reach a prototype, nor can a layout merge.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isObject, isSafeKey, parseJSON, UNSAFE_KEYS } from "../../static/js/lib/json.js";
import { merge } from "../../static/js/plots/chart.js";

const HOSTILE = '{"__proto__": {"polluted": 1}, "a": [{"constructor": {"prototype": {"polluted": 2}}, "ok": 1}],' +
  ' "prototype": 3, "b": {"__proto__": null, "c": 4}}';

test("parseJSON drops the unsafe keys at every depth and keeps the rest", () => {
  const value = parseJSON(HOSTILE);
  assert.deepEqual(value, { a: [{ ok: 1 }], b: { c: 4 } });
  assert.equal(Object.getPrototypeOf(value.b), Object.prototype);
});

test("copying what parseJSON read (Object.assign, spread) pollutes nothing", () => {
  const target = {};
  Object.assign(target, parseJSON(HOSTILE), ...parseJSON(HOSTILE).a);
  assert.equal(target.polluted, undefined);
  assert.equal({}.polluted, undefined);
  // JSON.parse alone would have handed Object.assign a "__proto__" key that sets the prototype:
  const unsafe = Object.assign({}, JSON.parse(HOSTILE));
  assert.equal(unsafe.polluted, 1);
});

test("parseJSON refuses bad JSON as JSON.parse does", () => {
  assert.throws(() => parseJSON("{nope"), SyntaxError);
  assert.equal(parseJSON("12"), 12);
  assert.equal(parseJSON('"text"'), "text");
});

test("the unsafe keys are exactly the three that reach a prototype", () => {
  assert.deepEqual([...UNSAFE_KEYS].sort(), ["__proto__", "constructor", "prototype"]);
  assert.equal(isSafeKey("eta"), true);
  assert.equal(isSafeKey("__proto__"), false);
  assert.equal(isObject(null), false);
  assert.equal(isObject([]), true);
  assert.equal(isObject("a"), false);
});

test("merge deep-merges plain objects, replaces arrays, and skips unsafe keys", () => {
  const base = { xaxis: { title: { text: "x" }, range: [0, 1] }, font: { size: 12 } };
  const out = merge(base, { xaxis: { range: [2, 3], type: "log" } }, parseJSON('{"__proto__": {"polluted": 1}}'));
  assert.deepEqual(out, { xaxis: { title: { text: "x" }, range: [2, 3], type: "log" }, font: { size: 12 } });
  assert.deepEqual(base.xaxis.range, [0, 1]); // the base is not changed
  const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}');
  const merged = merge({}, hostile);
  assert.equal(merged.polluted, undefined);
  assert.equal({}.polluted, undefined);
});
