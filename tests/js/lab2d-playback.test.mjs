// Which key presses the 2D lab's player takes (the DOM wiring is covered by the browser tests).
import assert from "node:assert/strict";
import { test } from "node:test";

import { keyAction } from "../../static/js/views/lab2d/playback.js";

const on = (tagName, props = {}) => ({ tagName, ...props });

test("space plays or pauses and the arrows step, from the page or a chart", () => {
  for (const target of [on("BODY"), on("DIV"), null]) {
    assert.equal(keyAction(" ", target), "toggle");
    assert.equal(keyAction("ArrowLeft", target), -1);
    assert.equal(keyAction("ArrowRight", target), 1);
    assert.equal(keyAction("a", target), null);
  }
});

test("fields keep their keys: text, selects and hyper-parameter sliders", () => {
  for (const target of [on("INPUT", { type: "text" }), on("SELECT"), on("TEXTAREA"), on("INPUT", { type: "range" })]) {
    for (const key of [" ", "ArrowLeft", "ArrowRight"]) assert.equal(keyAction(key, target), null);
  }
  assert.equal(keyAction(" ", on("DIV", { isContentEditable: true })), null);
});

test("a button or a checkbox clicks itself with space but leaves the arrows to the player", () => {
  for (const target of [on("BUTTON"), on("INPUT", { type: "checkbox" })]) {
    assert.equal(keyAction(" ", target), null);
    assert.equal(keyAction("ArrowRight", target), 1);
  }
});

test("the step slider moves itself with the arrows; space plays", () => {
  const slider = on("INPUT", { type: "range", id: "step-slider" });
  assert.equal(keyAction("ArrowLeft", slider), null);
  assert.equal(keyAction(" ", slider), "toggle");
});
