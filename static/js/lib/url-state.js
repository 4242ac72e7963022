// View state <-> URL query string, so reload, the back button and a shared link restore a view.
// State is a plain object of strings (raw input text) nested one or more levels:
//   {fn: "quadratic", a: {opt: "adagrad", eta: "0.4"}}  <->  ?fn=quadratic&a.opt=adagrad&a.eta=0.4
// Values stay strings: each view's state module parses (and validates) them like typed input.
// A name with an unsafe segment (__proto__, constructor, prototype) is ignored both ways.

import { isSafeKey } from "./json.js";

// The page's language (?lang=zh, static/js/lang.js) is not a view's state: it stays in the URL
// whatever a view writes, and views never see it.
const KEPT = ["lang"];

/** Flatten a nested object into URLSearchParams with dotted keys (insertion order kept). */
export function toQuery(state) {
  const params = new URLSearchParams();
  const walk = (obj, prefix) => {
    for (const [key, value] of Object.entries(obj)) {
      if (value === undefined || value === null || !isSafeKey(key)) continue;
      const name = prefix ? `${prefix}.${key}` : key;
      if (typeof value === "object") walk(value, name);
      else params.set(name, String(value));
    }
  };
  walk(state, "");
  return params;
}

/** The inverse of toQuery: "a.eta=0.4" -> {a: {eta: "0.4"}}. A later value for a name wins. */
export function fromQuery(search) {
  const params = search instanceof URLSearchParams ? search : new URLSearchParams(search);
  const state = {};
  for (const [name, value] of params) {
    const keys = name.split(".");
    if (!keys.every(isSafeKey)) continue;
    let node = state;
    for (const key of keys.slice(0, -1)) {
      if (!Object.hasOwn(node, key) || typeof node[key] !== "object") node[key] = {};
      node = node[key];
    }
    node[keys[keys.length - 1]] = value;
  }
  return state;
}

/** The state held by the current URL ({} when it has no query), without the page's language. */
export function readUrlState() {
  const params = new URLSearchParams(window.location.search);
  for (const name of KEPT) params.delete(name);
  return fromQuery(params);
}

/** The query of `state`, with the parameters every page keeps (?lang=) carried over from `search`. */
export function queryWithKept(state, search) {
  const params = toQuery(state);
  const current = new URLSearchParams(search);
  for (const name of KEPT) {
    params.delete(name);
    if (current.has(name)) params.set(name, current.get(name));
  }
  return params.toString();
}

/**
 * Write a state into the URL. A new history entry (back button) unless `replace`;
 * nothing happens when the URL already holds exactly this state.
 */
export function writeUrlState(state, { replace = false } = {}) {
  const query = queryWithKept(state, window.location.search);
  const url = `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`;
  if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
}

/** Call `handler(state)` when the user moves through history (back/forward). Returns an unsubscribe. */
export function onUrlStateChange(handler) {
  const listener = () => handler(readUrlState());
  window.addEventListener("popstate", listener);
  return () => window.removeEventListener("popstate", listener);
}
