// URL state: nested strings to a query and back, and no way for a URL to reach a prototype.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fromQuery, toQuery } from "../../static/js/lib/url-state.js";

test("a nested state becomes dotted names, in insertion order, and comes back the same", () => {
  const state = { fn: "quadratic", steps: "20", a: { opt: "adagrad", eta: "0.4" }, box: { x1max: "8" } };
  const query = toQuery(state).toString();
  assert.equal(query, "fn=quadratic&steps=20&a.opt=adagrad&a.eta=0.4&box.x1max=8");
  assert.deepEqual(fromQuery(query), state);
  assert.deepEqual(fromQuery(`?${query}`), state);
  assert.deepEqual(fromQuery(new URLSearchParams(query)), state);
});

test("undefined and null are left out; numbers and booleans become strings", () => {
  const query = toQuery({ expr: undefined, job: null, steps: 12, on: true, a: { gamma: undefined } });
  assert.equal(query.toString(), "steps=12&on=true");
});

test("values are kept as typed text, encoded both ways", () => {
  const state = { expr: "0.1*x1**2 + 2*x2**2 & sin(x1)", name: "é, ü = ?" };
  assert.deepEqual(fromQuery(toQuery(state).toString()), state);
});

test("a later value wins, and a nested name replaces a plain value of the same key", () => {
  assert.deepEqual(fromQuery("a=1&a=2"), { a: "2" });
  assert.deepEqual(fromQuery("a=1&a.eta=0.4"), { a: { eta: "0.4" } });
  assert.deepEqual(fromQuery("a.eta=0.4&a=2"), { a: "2" });
});

test("names like toString or hasOwnProperty are plain data, not the inherited functions", () => {
  const state = fromQuery("toString.x=1&hasOwnProperty=2");
  assert.deepEqual(state, { toString: { x: "1" }, hasOwnProperty: "2" });
});

for (const key of ["__proto__", "constructor", "prototype"]) {
  test(`fromQuery ignores every name with a ${key} segment, at any depth`, () => {
    const state = fromQuery(
      `${key}.polluted=yes&a.${key}.polluted=yes&a.${key}=yes&${key}=yes&a.eta=0.4&b.c.${key}.x=1`,
    );
    assert.deepEqual(state, { a: { eta: "0.4" } });
    assert.equal(Object.getPrototypeOf(state), Object.prototype);
    assert.equal(Object.getPrototypeOf(state.a), Object.prototype);
    assert.equal({}.polluted, undefined);
    assert.equal(Object.prototype.polluted, undefined);
  });

  test(`toQuery leaves out a ${key} key`, () => {
    const state = JSON.parse(`{"a": {"${key}": {"x": "1"}, "eta": "0.4"}, "${key}": "y"}`);
    assert.equal(toQuery(state).toString(), "a.eta=0.4");
  });
}

test("the page's language stays in the URL whatever a view writes, and views never see it", async () => {
  const { queryWithKept } = await import("../../static/js/lib/url-state.js");
  assert.equal(queryWithKept({ fn: "quadratic" }, "?lang=zh&fn=rosenbrock"), "fn=quadratic&lang=zh");
  assert.equal(queryWithKept({ fn: "quadratic" }, "?fn=rosenbrock"), "fn=quadratic");
  assert.equal(queryWithKept({ lang: "en", fn: "a" }, "?lang=zh"), "fn=a&lang=zh");
  assert.equal(queryWithKept({}, "?lang=en"), "lang=en");
});
