// The 2D lab's playback controls around the shared player (lib/player.js): play/pause, one step
// back or on, the step slider and counter, the speed (0.25×–10×, with the steps per second it
// makes), and the keyboard: space plays or pauses, ← and → move one step.

import { $, el } from "../../lib/dom.js";
import { SPEEDS, createPlayer, stepsPerSecond } from "../../lib/player.js";
import { t } from "../../lib/i18n.js";

const CLICKABLE = new Set(["checkbox", "radio", "button", "submit", "reset"]);

/**
 * What a key press on `target` means for playback: "toggle", -1, +1 or null (not ours). Keys go
 * to what takes them itself: text, selects and sliders keep their arrows, a button or a checkbox
 * its space; the step slider moves with its own arrows and leaves space to the player.
 */
export function keyAction(key, target) {
  const tag = target?.tagName ?? "";
  const type = (target?.type ?? "").toLowerCase();
  const stepSlider = target?.id === "step-slider";
  const clicks = tag === "BUTTON" || (tag === "INPUT" && CLICKABLE.has(type));
  const typing = (tag === "INPUT" && !clicks) || tag === "SELECT" || tag === "TEXTAREA" || target?.isContentEditable;
  const space = key === " " || key === "Spacebar";
  if (space) return (typing && !stepSlider) || clicks ? null : "toggle";
  if (typing) return null;
  if (key === "ArrowLeft") return -1;
  if (key === "ArrowRight") return 1;
  return null;
}

/**
 * The controls over frames 0..last(); `seek(k)` draws frame k, `ended()` says no more frames come.
 * Returns the player, plus `changed()` to call when the frames grew or a new run began.
 */
export function createPlayback({ last, seek, ended }) {
  const speed = $("speed");
  const rate = $("speed-rate");
  const player = createPlayer({
    last,
    ended,
    seek: (k) => {
      $("step-slider").value = String(k);
      $("step-label").textContent = t("step {k} / {last}", { k, last: last() });
      seek(k);
    },
    onPlaying: (playing) => {
      $("play").textContent = playing ? t("❚❚ Pause") : t("▶ Play");
      $("play").setAttribute("aria-pressed", String(playing));
    },
  });
  const showRate = () => {
    const perSecond = stepsPerSecond(player.plan());
    rate.textContent = t("{rate} steps/s", { rate: perSecond >= 10 ? Math.round(perSecond) : perSecond.toFixed(1) });
  };

  speed.replaceChildren(...SPEEDS.map((s) => el("option", { value: String(s), text: `${s}×` })));
  speed.value = "1";
  speed.addEventListener("change", () => {
    player.speed = Number(speed.value);
    showRate();
  });
  $("play").addEventListener("click", () => player.toggle());
  $("step-prev").addEventListener("click", () => player.step(-1));
  $("step-next").addEventListener("click", () => player.step(1));
  $("step-slider").addEventListener("input", () => player.scrub(Number($("step-slider").value)));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const action = keyAction(event.key, event.target);
    if (action === null) return;
    event.preventDefault();
    if (action === "toggle") player.toggle();
    else player.step(action);
  });

  return Object.assign(player, {
    /** The frames grew (a stream) or were replaced (a new run): slider bounds and rate follow. */
    changed() {
      $("step-slider").max = String(last());
      $("step-label").textContent = t("step {k} / {last}", { k: player.frame, last: last() });
      showRate();
    },
  });
}
