// The History view's state, pure (in the spirit of tensorflow/playground's state.ts): which
// screen the URL asks for (the list with its filters and page, or 2–4 runs overlaid), the URL
// of a list, the rules of the "Compare ticked" button, and the words for pins and space used.
//   list:    ?scope=all&kind=training&optimizer=adam&status=done&offset=20  (scope: this browser's
//            runs unless "all")
//   compare: ?compare=<id>,<id>[,…]

import { formatNumber, sizeText } from "../../lib/format.js";
import { t, tn } from "../../lib/i18n.js";

export const PAGE_SIZE = 20;
export const MAX_COMPARE = 4;
export const FILTERS = ["scope", "kind", "optimizer", "status"];

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
  if (count < 2) return t("tick 2–4 runs of one kind to overlay them");
  if (count > MAX_COMPARE) return t("at most {max} runs at once: untick {extra}", { max: MAX_COMPARE, extra: count - MAX_COMPARE });
  if (new Set(kinds.values()).size > 1) return t("tick runs of one kind: 2D comparisons or training jobs");
  return "";
}

/** What the list shows when it is empty: a hint towards everyone's runs when only yours were asked. */
export function emptyText(filters) {
  const filtered = FILTERS.some((key) => key !== "scope" && filters[key]);
  if (filters.scope === "all") return filtered ? t("No stored run matches these filters.") : t("No run is stored yet.");
  return filtered
    ? t("None of your runs matches these filters; everyone's runs are under “runs: everyone's”.")
    : t("You have no stored run yet (runs are listed for the browser that made them); see everyone's under “runs: everyone's”.");
}

/** The space the history uses: "… holds 1234 runs, 4.5 MB of 1000 MB (yours: 12 runs, 310 kB); 2 pinned …". */
export function usageText(usage) {
  if (!usage) return "";
  const runs = (n) => tn("{count} run", "{count} runs", n, { count: formatNumber(n) });
  return t(
    "The history holds {runs}, {bytes} of {max} (yours: {own}, {ownBytes}); {pinned} pinned. " +
      "Past {maxRuns} or {max} the oldest unpinned runs are removed.",
    {
      runs: runs(usage.runs), bytes: sizeText(usage.bytes), max: sizeText(usage.max_bytes), own: runs(usage.own_runs),
      ownBytes: sizeText(usage.own_bytes), pinned: formatNumber(usage.pinned), maxRuns: runs(usage.max_runs),
    },
  );
}

/** The pin button's words and state for a record ({pinned, mine}). */
export function pinControl(record) {
  const label = record.pinned ? t("Unpin") : t("Pin");
  if (record.mine) {
    const title = record.pinned
      ? t("pinned: never removed to make room; click to unpin") : t("keep this run when the history makes room");
    return { label, pressed: record.pinned, disabled: false, title };
  }
  const title = record.pinned ? t("pinned by the browser that made it") : t("only the browser that made this run may pin it");
  return { label, pressed: record.pinned, disabled: true, title };
}

/** Why a run cannot be deleted from this page ("" when it can). */
export function deleteProblem(record, active) {
  if (active) return t("a job still in progress cannot be deleted");
  if (!record.mine) return t("only the browser that made this run may delete it");
  return "";
}

/** Why a comparison link cannot be opened (`single`: a run's own page), or "". */
export function idsProblem(ids, single) {
  const wrong = single ? ids.length !== 1 : ids.length < 2 || ids.length > MAX_COMPARE;
  return wrong ? t("A comparison takes 2 to {max} run ids; this link has {count}.", { max: MAX_COMPARE, count: ids.length }) : "";
}
