// The History view's state, pure (in the spirit of tensorflow/playground's state.ts): which
// screen the URL asks for (the list with its filters and page, or 2–4 runs overlaid), the URL
// of a list, and the rules of the "Compare ticked" button.
//   list:    ?kind=training&optimizer=adam&status=done&offset=20
//   compare: ?compare=<id>,<id>[,…]

export const PAGE_SIZE = 20;
export const MAX_COMPARE = 4;
export const FILTERS = ["kind", "optimizer", "status"];

/** The ids of a comparison URL (?compare=a,b): distinct, in order. */
export function compareIds(text) {
  return [...new Set(String(text ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
}

/** A page offset from the URL: a multiple of PAGE_SIZE, 0 for anything else. */
export function pageOffset(text) {
  const offset = Number.parseInt(text ?? "0", 10);
  return Number.isFinite(offset) && offset > 0 ? offset - (offset % PAGE_SIZE) : 0;
}

/** What a URL state shows: {screen: "compare", ids} or {screen: "list", filters, offset}. */
export function route(state) {
  if (state.compare !== undefined) return { screen: "compare", ids: compareIds(state.compare) };
  const filters = Object.fromEntries(FILTERS.map((key) => [key, typeof state[key] === "string" ? state[key] : ""]));
  return { screen: "list", filters, offset: pageOffset(state.offset) };
}

/** The list's URL state: only the filters in use, and the page when it is not the first. */
export function listState(filters, offset) {
  const state = {};
  for (const key of FILTERS) if (filters[key]) state[key] = filters[key];
  if (offset) state.offset = String(offset);
  return state;
}

/** The offset of the last page of `total` runs (a link past the end shows that page). */
export function lastPage(total) {
  return Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);
}

/** Why the ticked runs ({id → kind}) cannot be compared, or "" when they can. */
export function compareHint(kinds) {
  const count = kinds.size;
  if (count < 2) return "tick 2–4 runs of one kind to overlay them";
  if (count > MAX_COMPARE) return `at most ${MAX_COMPARE} runs at once: untick ${count - MAX_COMPARE}`;
  if (new Set(kinds.values()).size > 1) return "tick runs of one kind: 2D comparisons or training jobs";
  return "";
}

/** Why a comparison link cannot be opened (`single`: a run's own page), or "". */
export function idsProblem(ids, single) {
  const wrong = single ? ids.length !== 1 : ids.length < 2 || ids.length > MAX_COMPARE;
  return wrong ? `A comparison takes 2 to ${MAX_COMPARE} run ids; this link has ${ids.length}.` : "";
}
