// Playback over the frames (steps) of a run: play/pause, a slider that scrubs, and "follow"
// (stay on the newest frame while a stream is still adding frames). No DOM: the view draws a
// frame in `seek` and labels its button in `onPlaying`; the clock can be replaced in tests.

/** How fast a playback of frames 0..last goes: about `duration` ms in all, 40–250 ms a tick. */
export function playbackPlan(last, { duration = 4000, minInterval = 40, maxInterval = 250 } = {}) {
  const interval = Math.min(maxInterval, Math.max(minInterval, duration / last));
  const stride = Math.max(1, Math.ceil((last * interval) / duration));
  return { interval, stride };
}

/**
 * A player over frames 0..last().
 *  - `last()`: the newest frame now (it grows while a stream runs)
 *  - `seek(k)`: draw frame k
 *  - `ended()`: true once no more frames will come (then a playback that reaches the end stops
 *    and follows again)
 *  - `onPlaying(playing)`: the playing state changed
 */
export function createPlayer({ last, seek, ended, onPlaying = () => {}, clock = globalThis }) {
  let frame = 0;
  let follow = true;
  let timer = null;

  const show = (k) => {
    frame = k;
    seek(k);
  };

  const player = {
    get frame() {
      return frame;
    },
    get playing() {
      return timer !== null;
    },
    get following() {
      return follow;
    },
    /** A new run: stopped, at frame 0, following. */
    reset() {
      player.pause();
      frame = 0;
      follow = true;
    },
    /** More frames arrived: show the newest when following. */
    grew() {
      if (follow) show(last());
    },
    /** The user picked frame k: stop; follow again only from the newest frame. */
    scrub(k) {
      player.pause();
      follow = k >= last();
      show(k);
    },
    play() {
      const end = last();
      if (end === 0) return;
      if (frame >= end) show(0);
      follow = false;
      const { interval, stride } = playbackPlan(end);
      timer = clock.setInterval(() => {
        const next = Math.min(frame + stride, last());
        show(next);
        if (next >= last() && ended()) {
          player.pause();
          follow = true;
        }
      }, interval);
      onPlaying(true);
    },
    pause() {
      if (timer === null) return;
      clock.clearInterval(timer);
      timer = null;
      onPlaying(false);
    },
    toggle() {
      if (timer === null) player.play();
      else player.pause();
    },
  };
  return player;
}
