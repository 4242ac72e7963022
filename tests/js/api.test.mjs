// The API client's reading of refusals, and what the views say about them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, errorFrom, fieldErrors, isAbort } from "../../static/js/lib/api.js";
import { busyReason, busyText, errorText, failureKind } from "../../static/js/lib/messages.js";
import { jobStatuses } from "../../static/js/lib/statuses.js";
import { STATUSES } from "./helpers.mjs";

const json = (status, body, headers = {}) => new Response(JSON.stringify(body), {
  status, headers: { "Content-Type": "application/json", ...headers },
});

test("a 422 names its fields; next to a field the field's own prefix is dropped", async () => {
  const err = await errorFrom(json(422, {
    detail: [
      { field: "runs[0].hyperparams.eta", msg: "runs[0].hyperparams.eta: eta must be in (0, 100]" },
      { field: "device", msg: "CUDA is not available on this server" },
      { msg: "body: something" },
    ],
  }));
  assert.ok(err instanceof ApiError);
  assert.equal(err.isValidation, true);
  assert.equal(err.message, "runs[0].hyperparams.eta: eta must be in (0, 100]; CUDA is not available on this server; body: something");
  assert.deepEqual(fieldErrors(err), [
    { field: "runs[0].hyperparams.eta", message: "eta must be in (0, 100]" },
    { field: "device", message: "CUDA is not available on this server" },
    { field: "body", message: "something" },
  ]);
  assert.equal(failureKind(err), "invalid");
});

test("a 429 keeps its reason and Retry-After; the countdown drops the server's own retry words", async () => {
  const err = await errorFrom(json(429, { detail: "too many jobs queued; retry in 7 s." }, { "Retry-After": "7" }));
  assert.equal(err.status, 429);
  assert.equal(err.message, "server answered 429: too many jobs queued; retry in 7 s.");
  assert.equal(err.reason, "too many jobs queued; retry in 7 s.");
  assert.equal(err.retryAfter, 7);
  assert.equal(busyReason(err), "too many jobs queued");
  assert.equal(busyText(3, busyReason(err)), "Server busy, retry in 3 s: too many jobs queued.");
  assert.equal(failureKind(err), "busy");
  assert.deepEqual(fieldErrors(err), []);
});

test("a body that is not JSON keeps the status line; no Retry-After, none", async () => {
  const err = await errorFrom(new Response("Internal Server Error", { status: 500, statusText: "Internal Server Error" }));
  assert.equal(err.message, "server answered 500: Internal Server Error");
  assert.equal(err.retryAfter, null);
  assert.equal(err.isValidation, false);
  assert.equal(errorText(err), "Server error: server answered 500: Internal Server Error");
  assert.equal(failureKind(err), "error");
});

test("an unreachable server is a network error; an abort is no error at all", () => {
  const err = new ApiError(0, "cannot reach the server: is it still running?");
  assert.equal(err.isNetwork, true);
  assert.equal(errorText(err), "Network error: cannot reach the server: is it still running?");
  const abort = new DOMException("stopped", "AbortError");
  assert.equal(isAbort(abort), true);
  assert.equal(failureKind(abort), "aborted");
  assert.equal(isAbort(new Error("x")), false);
});

test("job statuses come from the server's lists, with the questions views ask", () => {
  assert.deepEqual(STATUSES.all, ["queued", "running", "done", "failed", "cancelled", "interrupted"]);
  assert.equal(STATUSES.isActive("running"), true);
  assert.equal(STATUSES.isActive("done"), false);
  assert.equal(STATUSES.isFinished("interrupted"), true);
  assert.equal(STATUSES.isFinished("unknown"), false);
  assert.equal(STATUSES.isActive("unknown"), false);
  const more = jobStatuses({ active: ["queued", "running", "paused"], finished: ["done"] });
  assert.equal(more.isActive("paused"), true); // a new server status needs no page change
  assert.throws(() => jobStatuses(undefined), /no job statuses/);
  assert.throws(() => jobStatuses({ active: [], finished: ["done"] }), /no job statuses/);
});
