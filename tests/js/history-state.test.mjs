// The History view's state: which screen a URL shows, the list's URL, the compare rules.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_COMPARE, PAGE_SIZE, compareHint, compareIds, deleteProblem, emptyText, idsProblem, lastPage, listState,
  pageOffset, pinControl, route, usageText,
} from "../../static/js/views/history/state.js";
import { fromQuery } from "../../static/js/lib/url-state.js";

test("a URL with compare opens the comparison, any other the list", () => {
  assert.deepEqual(route(fromQuery("compare=a,b,a,,c")), { screen: "compare", ids: ["a", "b", "c"] });
  assert.deepEqual(route(fromQuery("compare=")), { screen: "compare", ids: [] });
  assert.deepEqual(route(fromQuery("kind=training&status=done&offset=45")), {
    screen: "list", filters: { scope: "", kind: "training", optimizer: "", status: "done" }, offset: 40,
  });
  assert.equal(route(fromQuery("scope=all")).filters.scope, "all");
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
  assert.deepEqual(listState({ scope: "all", kind: "" }, 0), { scope: "all" }); // yours: the default, unsaid
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

test("the space used: everyone's, yours, the pins and the bounds", () => {
  const usage = { runs: 1234, bytes: 4.5 * 2 ** 20, pinned: 2, own_runs: 1, own_bytes: 2150, max_runs: 10000, max_bytes: 1000 * 2 ** 20 };
  assert.equal(
    usageText(usage),
    "The history holds 1234 runs, 4.5 MB of 1000 MB (yours: 1 run, 2.1 kB); 2 pinned. " +
      "Past 10000 runs or 1000 MB the oldest unpinned runs are removed.",
  );
  assert.equal(usageText(undefined), "");
});

test("pins and deletes are for the run's own browser", () => {
  assert.deepEqual(pinControl({ pinned: false, mine: true }), {
    label: "Pin", pressed: false, disabled: false, title: "keep this run when the history makes room",
  });
  assert.equal(pinControl({ pinned: true, mine: true }).label, "Unpin");
  assert.equal(pinControl({ pinned: true, mine: true }).pressed, true);
  assert.equal(pinControl({ pinned: false, mine: false }).disabled, true);
  assert.match(pinControl({ pinned: false, mine: false }).title, /only the browser that made this run/);
  assert.equal(deleteProblem({ mine: true }, false), "");
  assert.match(deleteProblem({ mine: false }, false), /only the browser/);
  assert.match(deleteProblem({ mine: true }, true), /in progress/);
});

test("an empty list says whose runs it shows", () => {
  assert.match(emptyText({ scope: "" }), /You have no stored run yet/);
  assert.match(emptyText({ scope: "", kind: "training" }), /None of your runs matches/);
  assert.equal(emptyText({ scope: "all" }), "No run is stored yet.");
  assert.equal(emptyText({ scope: "all", status: "done" }), "No stored run matches these filters.");
});
