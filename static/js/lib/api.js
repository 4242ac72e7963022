// The page's only door to the server: JSON requests, POST + Server-Sent Events over fetch
// (EventSource cannot POST), and the mapping of the API's 422 answers to form fields.
// Every view uses these; none of them knows about the DOM.

import { langTag, t } from "./i18n.js";
import { parseJSON } from "./json.js";
import { sseParser } from "./sse.js";

/** An answer that is not 2xx, or a server that cannot be reached (status 0). */
export class ApiError extends Error {
  constructor(status, message, { detail = null, reason = message } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail; // the 422 body's `detail` list, when there is one
    this.reason = reason; // the server's own words, without "server answered N: "
    this.retryAfter = null; // seconds, from a 429's (or 503's) Retry-After header
  }

  /** True for a 422 whose detail names fields (show them next to the inputs). */
  get isValidation() {
    return this.status === 422 && Array.isArray(this.detail);
  }

  /** True when the server could not be reached at all (no answer, or the stream broke off). */
  get isNetwork() {
    return this.status === 0;
  }
}

/** True when the request was cancelled through its AbortSignal: not an error to show. */
export function isAbort(err) {
  return err?.name === "AbortError";
}

async function send(url, { method = "GET", body, form, signal, accept = "application/json" } = {}) {
  // The API words its refusals (a 422's messages) in the page's language.
  const init = { method, signal, headers: { Accept: accept, "Accept-Language": langTag } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  } else if (form !== undefined) {
    init.body = form; // FormData: the browser writes the multipart Content-Type and boundary
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, t("cannot reach the server: is it still running?"));
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** The ApiError of a non-2xx answer, from its JSON body's `detail` when it has one. */
export async function errorFrom(response) {
  let payload = null;
  try {
    payload = parseJSON(await response.text());
  } catch {
    // not JSON: keep the status line
  }
  const detail = payload?.detail;
  if (Array.isArray(detail)) {
    const text = detail.map((d) => d.msg ?? String(d)).join("; ");
    return new ApiError(response.status, text, { detail });
  }
  const reason = typeof detail === "string" ? detail : response.statusText || t("request failed");
  const error = new ApiError(response.status, t("server answered {status}: {reason}", { status: response.status, reason }), {
    reason,
  });
  const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  if (Number.isFinite(retry) && retry >= 0) error.retryAfter = retry;
  return error;
}

async function json(response) {
  return parseJSON(await response.text());
}

/** GET a JSON document. */
export async function getJSON(url, { signal } = {}) {
  return json(await send(url, { signal }));
}

/** DELETE a resource; resolves once the server has removed it (204), else rejects with ApiError. */
export async function deleteResource(url, { signal } = {}) {
  await send(url, { method: "DELETE", signal });
}

/** DELETE a resource whose answer is JSON (e.g. a run's pin), and return that answer. */
export async function deleteJSON(url, { signal } = {}) {
  return json(await send(url, { method: "DELETE", signal }));
}

/** POST a JSON body, return the JSON answer. */
export async function postJSON(url, body, { signal } = {}) {
  return json(await send(url, { method: "POST", body, signal }));
}

/** POST one file as multipart/form-data in the field `field`, return the JSON answer. */
export async function postFile(url, field, file, { signal } = {}) {
  const form = new FormData();
  form.append(field, file, file.name);
  return json(await send(url, { method: "POST", form, signal }));
}

/**
 * POST a JSON body and read the answer as Server-Sent Events.
 * `onEvent(name, data, id)` is called for every event, `data` parsed as JSON.
 * Resolves when the server ends the stream; rejects with ApiError (bad answer, dropped
 * connection) or an AbortError (the signal fired).
 */
export async function postSSE(url, body, { signal, onEvent }) {
  const response = await send(url, { method: "POST", body, signal, accept: "text/event-stream" });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = sseParser(onEvent);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
  } catch (err) {
    if (isAbort(err)) throw err;
    if (err instanceof ApiError) throw err;
    throw new ApiError(0, t("the stream broke off: {reason}", { reason: err.message }));
  } finally {
    reader.releaseLock();
  }
  parser.end();
}

/**
 * The fields a 422 names: [{field: "runs[0].hyperparams.eta", message: "eta must be ..."}].
 * The API prefixes each msg with its field; next to the field that prefix is dropped.
 */
export function fieldErrors(err) {
  if (!(err instanceof ApiError) || !err.isValidation) return [];
  return err.detail.map((d) => {
    const field = d.field ?? "body";
    const msg = String(d.msg ?? t("invalid"));
    const prefix = `${field}: `;
    return { field, message: msg.startsWith(prefix) ? msg.slice(prefix.length) : msg };
  });
}
