// Reading JSON and URL keys without letting a key reach an object's prototype chain:
// `__proto__`, `constructor` and `prototype` are dropped wherever the page reads outside data
// (API answers, event streams, the URL), so a later Object.assign or merge cannot pollute.

export const UNSAFE_KEYS = Object.freeze(["__proto__", "constructor", "prototype"]);
const UNSAFE = new Set(UNSAFE_KEYS);

/** False for the keys that name or reach a prototype. */
export function isSafeKey(key) {
  return !UNSAFE.has(key);
}

/** JSON.parse, minus every unsafe key at any depth. Throws SyntaxError on bad JSON, like JSON.parse. */
export function parseJSON(text) {
  return JSON.parse(text, (key, value) => (UNSAFE.has(key) ? undefined : value));
}

/** True for a non-null object (arrays included): what a nested URL state or a record field can be. */
export function isObject(value) {
  return value !== null && typeof value === "object";
}
