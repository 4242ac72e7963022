// The SSE parser: events come out whole and once, however the text is cut into chunks.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sseParser } from "../../static/js/lib/sse.js";

function parse(chunks, { end = true } = {}) {
  const events = [];
  const parser = sseParser((name, data, id) => events.push({ name, data, id }));
  for (const chunk of chunks) parser.push(chunk);
  if (end) parser.end();
  return events;
}

const STREAM =
  ": keep-alive\r\n" +
  "event: meta\r\nid: 1\r\ndata: {\"steps\": 2}\r\n\r\n" +
  "event: step\r\nid: 2\r\ndata: {\"first\": 0,\r\ndata:  \"runs\": []}\r\n\r\n" +
  "data: plain text\r\n\r\n";
const EXPECTED = [
  { name: "meta", data: { steps: 2 }, id: "1" },
  { name: "step", data: { first: 0, runs: [] }, id: "2" },
  { name: "message", data: "plain text", id: "2" }, // not JSON: the text; the last id carries over
];

test("a whole stream gives each event once, with its name, JSON data and id", () => {
  assert.deepEqual(parse([STREAM]), EXPECTED);
});

test("every cut of the stream into two chunks gives the same events (CRLF split included)", () => {
  for (let cut = 0; cut <= STREAM.length; cut += 1) {
    assert.deepEqual(parse([STREAM.slice(0, cut), STREAM.slice(cut)]), EXPECTED, `cut at ${cut}`);
  }
});

test("one character at a time gives the same events", () => {
  assert.deepEqual(parse([...STREAM]), EXPECTED);
});

test("LF-only and CR-only line ends work like CRLF", () => {
  assert.deepEqual(parse([STREAM.replaceAll("\r\n", "\n")]), EXPECTED);
  assert.deepEqual(parse([STREAM.replaceAll("\r\n", "\r")]), EXPECTED);
});

test("a CR at the end of a chunk followed by LF is one line end, not an empty line", () => {
  const events = parse(["data: a\r", "\ndata: b\r", "\n\r", "\n"]);
  assert.deepEqual(events, [{ name: "message", data: "a\nb", id: null }]);
});

test("the last event is dispatched by end() even without its blank line, not before", () => {
  assert.deepEqual(parse(["event: done\ndata: {\"ok\": true}"], { end: false }), []);
  assert.deepEqual(parse(["event: done\ndata: {\"ok\": true}"]), [{ name: "done", data: { ok: true }, id: null }]);
  assert.deepEqual(parse(["data: 1\r"]), [{ name: "message", data: 1, id: null }]);
});

test("comments and events without data dispatch nothing; the event name resets after each event", () => {
  const events = parse([": ping\n\nevent: lonely\n\ndata: 7\n\n"]);
  assert.deepEqual(events, [{ name: "message", data: 7, id: null }]);
});

test("a field without a colon, and the single space after the colon only, are read as the spec says", () => {
  const events = parse(["data\ndata:  two spaces\n\n"]);
  assert.deepEqual(events, [{ name: "message", data: "\n two spaces", id: null }]);
});

test("JSON data cannot carry a prototype key", () => {
  const [event] = parse(['data: {"__proto__": {"polluted": 1}, "constructor": 2, "ok": {"prototype": 3, "x": 4}}\n\n']);
  assert.deepEqual(Object.keys(event.data), ["ok"]);
  assert.deepEqual(Object.keys(event.data.ok), ["x"]);
  assert.equal(Object.getPrototypeOf(event.data), Object.prototype);
  assert.equal({}.polluted, undefined);
});
