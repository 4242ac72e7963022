// An incremental parser of the text/event-stream format (Server-Sent Events), for streams read
// through fetch (EventSource cannot POST). Pure: feed it text in chunks of any size.

import { parseJSON } from "./json.js";

/**
 * A parser that calls `onEvent(name, data, id)` once per event: `name` "message" unless the
 * event says otherwise, `data` parsed as JSON (the raw text when it is not JSON), `id` the
 * last id seen (it carries over to later events, as in the spec), or null.
 *   push(chunk)  more text; lines may be split anywhere, CRLF, CR and LF all end a line
 *   end()        the stream is over: a last event without its blank line is still dispatched
 */
export function sseParser(onEvent) {
  let buffer = "";
  let name = "message";
  let data = [];
  let id = null;

  function dispatch() {
    if (data.length) {
      const text = data.join("\n");
      let parsed;
      try {
        parsed = parseJSON(text);
      } catch {
        parsed = text;
      }
      onEvent(name, parsed, id);
    }
    name = "message";
    data = [];
  }

  function line(text) {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return; // comment, e.g. keep-alive
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }

  return {
    push(chunk) {
      let text = buffer + chunk;
      // A CR at the end may be the first half of a CRLF split across chunks: hold its line back.
      const held = text.endsWith("\r") ? "\r" : "";
      if (held) text = text.slice(0, -1);
      const lines = text.split(/\r\n|\r|\n/);
      buffer = lines.pop() + held; // an incomplete last line waits for more text
      lines.forEach(line);
    },
    end() {
      if (buffer) line(buffer.replace(/\r$/, ""));
      buffer = "";
      dispatch();
    },
  };
}
