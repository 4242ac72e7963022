// Live re-runs while a hyper-parameter slider is dragged: every move sends the comparison as one
// whole answer (POST /api/trajectories, a preview the history does not keep), at most one in
// flight, the newest position next (lib/latest.js), no debounce; each answer replaces the runs in
// the drawn charts. Letting go runs the comparison as usual (streamed, stored, put in the URL).

import { postJSON } from "../../lib/api.js";
import { createLatest } from "../../lib/latest.js";

const PREVIEW_URL = "/api/trajectories?preview=true";

/**
 * - `request()`: {body, problem} of the form now; `problem` false when the drawn charts cannot
 *   take it (another function, start or steps: then the usual run is scheduled instead)
 * - `draw(answer)`: show a whole answer; a promise that resolves once it is drawn (the next
 *   request waits for it, so a slow screen never falls behind the server)
 * - `fail(error)`: an answer was refused (the form shows why)
 * - `settle()`: the drag is over and nothing is in flight: run as usual
 * - `fallback()`: the drawn charts cannot take the form's problem: run as usual at once
 */
export function createLiveRuns({ request, draw, fail, settle, fallback }) {
  const latest = createLatest({
    send: async (body) => draw(await postJSON(PREVIEW_URL, body)),
    onError: (error) => fail(error),
  });
  return {
    /** A slider moved: send the form as it is now (or queue it behind the one in flight). */
    moved() {
      const { body, problem } = request();
      if (!body) return;
      if (!problem) {
        fallback();
        return;
      }
      latest.push(body);
    },
    /** The slider was let go: once the last answer is in, the usual run. */
    async released() {
      await latest.idle();
      settle();
    },
    /** Anything else changed: drop what waits, ignore what is in flight. */
    stop() {
      latest.clear();
    },
  };
}
