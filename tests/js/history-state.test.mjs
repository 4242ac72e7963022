// The History view's state: which screen a URL shows, the list's URL, the compare rules.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_COMPARE, PAGE_SIZE, compareHint, compareIds, idsProblem, lastPage, listState, pageOffset, route,
} from "../../static/js/views/history/state.js";
import { fromQuery } from "../../static/js/lib/url-state.js";

test("a URL with compare opens the comparison, any other the list", () => {
  assert.deepEqual(route(fromQuery("compare=a,b,a,,c")), { screen: "compare", ids: ["a", "b", "c"] });
  assert.deepEqual(route(fromQuery("compare=")), { screen: "compare", ids: [] });
  assert.deepEqual(route(fromQuery("kind=training&status=done&offset=45")), {
    screen: "list", filters: { kind: "training", optimizer: "", status: "done" }, offset: 40,
  });
  assert.deepEqual(route(fromQuery("kind.x=1")).filters.kind, ""); // not a plain value: no filter
});

test("offsets are whole pages; anything else is the first page", () => {
  assert.equal(pageOffset("20"), 20);
  assert.equal(pageOffset("39"), 20);
  assert.equal(pageOffset("-20"), 0);
  assert.equal(pageOffset("x"), 0);
  assert.equal(pageOffset(undefined), 0);
  assert.equal(lastPage(41), 40);
  assert.equal(lastPage(40), 20);
  assert.equal(lastPage(0), 0);
  assert.equal(PAGE_SIZE, 20);
});

test("the list's URL holds only the filters in use and a page past the first", () => {
  assert.deepEqual(listState({ kind: "training", optimizer: "", status: "interrupted" }, 0), {
    kind: "training", status: "interrupted",
  });
  assert.deepEqual(listState({ kind: "", optimizer: "", status: "" }, 20), { offset: "20" });
  assert.deepEqual(compareIds(" x , y "), ["x", "y"]);
});

test("Compare needs 2–4 ticked runs of one kind", () => {
  const ticked = (...kinds) => new Map(kinds.map((kind, i) => [`id${i}`, kind]));
  assert.match(compareHint(ticked()), /tick 2–4/);
  assert.match(compareHint(ticked("training")), /tick 2–4/);
  assert.equal(compareHint(ticked("training", "training")), "");
  assert.equal(compareHint(ticked("trajectory", "trajectory", "trajectory", "trajectory")), "");
  assert.equal(compareHint(ticked(..."abcdef".split("").map(() => "training"))), "at most 4 runs at once: untick 2");
  assert.match(compareHint(ticked("training", "trajectory")), /one kind/);
  assert.equal(MAX_COMPARE, 4);
});

test("a link names one run (its page) or 2–4 (a comparison)", () => {
  assert.equal(idsProblem(["a"], true), "");
  assert.equal(idsProblem(["a", "b"], false), "");
  assert.match(idsProblem(["a"], false), /this link has 1/);
  assert.match(idsProblem(["a", "b", "c", "d", "e"], false), /this link has 5/);
});
