// What a view says when something goes wrong: the one wording of network and server errors,
// the banner above the plots (with the 429 countdown), and the start-up failure.

import { ApiError, isAbort } from "./api.js";
import { $, showText } from "./dom.js";
import { t } from "./i18n.js";

/** "Network error: …" when the server could not be reached, else "Server error: …". */
export function errorText(err) {
  return err instanceof ApiError && err.isNetwork
    ? t("Network error: {reason}", { reason: err.message })
    : t("Server error: {reason}", { reason: err.message });
}

/**
 * What a failed request means for the view: "aborted" (the view cancelled it: say nothing),
 * "invalid" (a 422 naming fields), "busy" (429: too many jobs or streams), else "error".
 */
export function failureKind(err) {
  if (isAbort(err)) return "aborted";
  if (err instanceof ApiError && err.isValidation) return "invalid";
  if (err instanceof ApiError && err.status === 429) return "busy";
  return "error";
}

/** Why a 429 refused: the server's reason without its "retry in N s" (the countdown says that). */
export function busyReason(err) {
  return String(err.reason ?? err.message).replace(/;?\s*retry in \d+ s\.?$/, "");
}

/** The countdown's text, `left` seconds before a retry can work. */
export function busyText(left, reason) {
  return t("Server busy, retry in {left} s: {reason}.", { left, reason });
}

/**
 * The banner `node` (role=alert): one message at a time, hidden when there is none.
 *   show(text)              a message ("" hides the banner)
 *   error(err)              errorText(err)
 *   busy(err, {then})       a 429: counts down its Retry-After (5 s without one), then says `then`
 */
export function createBanner(node = $("banner")) {
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
  };
  return {
    show(text) {
      stop();
      showText(node, text);
    },
    error(err) {
      this.show(errorText(err));
    },
    busy(err, { then = (reason) => t("The server was busy ({reason}): press Run to try again.", { reason }) } = {}) {
      let left = err.retryAfter ?? 5;
      const reason = busyReason(err);
      this.show(busyText(left, reason));
      timer = setInterval(() => {
        left -= 1;
        if (left > 0) {
          node.textContent = busyText(left, reason);
          return;
        }
        stop();
        node.textContent = then(reason);
      }, 1000);
    },
  };
}

/**
 * Start a view: `start(root)` builds it; if that fails the banner says "Could not <what>: …"
 * (`what` already in the page's language)
 * and the root's data-state becomes "error" (the browser tests wait on data-state).
 */
export async function startView(rootId, what, start) {
  const root = $(rootId);
  try {
    await start(root);
  } catch (err) {
    showText($("banner"), t("Could not {what}: {reason}", { what, reason: err.message }));
    root.dataset.state = "error";
  }
}
