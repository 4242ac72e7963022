// The page's lookup: English is the source, a catalogue gives the other language, holes are named.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createTranslator, pluralIndex, t, tn, useCatalogue } from "../../static/js/lib/i18n.js";

test("a message the catalogue lacks is its own English, holes filled", () => {
  const en = createTranslator("en", {});
  assert.equal(en.t("step {k} / {last}", { k: 3, last: 20 }), "step 3 / 20");
  assert.equal(en.t("no holes"), "no holes");
  assert.equal(en.t("{missing} stays", {}), "{missing} stays");
});

test("a catalogue's translation is used, with the same holes", () => {
  const zh = createTranslator("zh", { "step {k} / {last}": "第 {k} / {last} 步", empty: "" });
  assert.equal(zh.t("step {k} / {last}", { k: 3, last: 20 }), "第 3 / 20 步");
  assert.equal(zh.t("empty"), "empty"); // an empty translation is no translation
  assert.equal(zh.t("other"), "other");
});

test("plural forms: two in English, one in Chinese; {n} is the count", () => {
  assert.deepEqual([0, 1, 2, 5].map((n) => pluralIndex("en", n)), [1, 0, 1, 1]);
  assert.deepEqual([0, 1, 2].map((n) => pluralIndex("zh", n)), [0, 0, 0]);
  const en = createTranslator("en", {});
  assert.equal(en.tn("{n} step", "{n} steps", 1), "1 step");
  assert.equal(en.tn("{n} step", "{n} steps", 20), "20 steps");
  const zh = createTranslator("zh", { "{n} epoch at batch {batch}": ["{n} 个迭代周期，批量大小 {batch}"] });
  assert.equal(zh.tn("{n} epoch at batch {batch}", "{n} epochs at batch {batch}", 2, { batch: 10 }), "2 个迭代周期，批量大小 10");
});

test("the module's t() follows the catalogue in use (English under node)", () => {
  assert.equal(t("loss"), "loss");
  useCatalogue("zh", { loss: "损失", "{n} step": ["{n} 步"] });
  try {
    assert.equal(t("loss"), "损失");
    assert.equal(tn("{n} step", "{n} steps", 7), "7 步");
  } finally {
    useCatalogue("en", {});
  }
  assert.equal(t("loss"), "loss");
});
