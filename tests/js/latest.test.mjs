import assert from "node:assert/strict";
import { test } from "node:test";

import { createLatest } from "../../static/js/lib/latest.js";

/** A send whose answers the test releases one by one. */
function manualSend() {
  const calls = [];
  const send = (value) => new Promise((resolve, reject) => calls.push({ value, resolve, reject }));
  return { calls, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("one request at a time; values pushed meanwhile collapse to the newest", async () => {
  const { calls, send } = manualSend();
  const answers = [];
  const latest = createLatest({ send, onAnswer: (answer, value) => answers.push([value, answer]) });
  latest.push(1);
  await tick();
  latest.push(2);
  latest.push(3);
  latest.push(4);
  await tick();
  assert.deepEqual(calls.map((c) => c.value), [1]);
  assert.equal(latest.busy, true);
  calls[0].resolve("one");
  await tick();
  await tick();
  assert.deepEqual(calls.map((c) => c.value), [1, 4]); // 2 and 3 never went out
  calls[1].resolve("four");
  await latest.idle();
  assert.deepEqual(answers, [[1, "one"], [4, "four"]]);
  assert.equal(latest.busy, false);
});

test("an idle sender sends at once, without waiting for a timer", async () => {
  const { calls, send } = manualSend();
  const latest = createLatest({ send });
  latest.push("a");
  await tick();
  assert.equal(calls.length, 1);
});

test("a failure is reported and the newest waiting value still goes", async () => {
  const { calls, send } = manualSend();
  const errors = [];
  const answers = [];
  const latest = createLatest({
    send, onAnswer: (a) => answers.push(a), onError: (e, value) => errors.push([value, e.message]),
  });
  latest.push(1);
  await tick();
  latest.push(2);
  calls[0].reject(new Error("refused"));
  await tick();
  await tick();
  calls[1].resolve("two");
  await latest.idle();
  assert.deepEqual(errors, [[1, "refused"]]);
  assert.deepEqual(answers, ["two"]);
});

test("clear drops the waiting value and ignores the answer in flight", async () => {
  const { calls, send } = manualSend();
  const answers = [];
  const latest = createLatest({ send, onAnswer: (a) => answers.push(a) });
  latest.push(1);
  await tick();
  latest.push(2);
  latest.clear();
  calls[0].resolve("stale");
  await latest.idle();
  assert.deepEqual(answers, []);
  assert.equal(calls.length, 1);
  latest.push(3);
  await tick();
  calls[1].resolve("fresh");
  await latest.idle();
  assert.deepEqual(answers, ["fresh"]);
});
