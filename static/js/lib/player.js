// Playback over the frames (steps) of a run: play/pause, a slider that scrubs, one step back or
// on, a speed, and "follow" (stay on the newest frame while a stream is still adding frames).
// No DOM: the view draws a frame in `seek` and labels its controls in `onPlaying` / `onSpeed`;
// the clock can be replaced in tests.

/** The speeds offered, as multiples of the normal one (a whole run in about 4 s). */
export const SPEEDS = Object.freeze([0.25, 0.5, 1, 2, 5, 10]);

/**
 * How fast a playback of frames 0..last goes at `speed`: about `duration / speed` ms in all,
 * 40–250 ms a tick (a stride of several frames a tick when that is too slow).
 */
export function playbackPlan(last, { speed = 1, duration = 4000, minInterval = 40, maxInterval = 250 } = {}) {
  const total = duration / speed;
  const interval = Math.min(maxInterval, Math.max(minInterval, total / last));
  const stride = Math.max(1, Math.ceil((last * interval) / total));
  return { interval, stride };
}

/** Frames per second of a plan (what the speed control shows). */
export function stepsPerSecond({ interval, stride }) {
  return (stride * 1000) / interval;
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
  let speed = 1;

  const show = (k) => {
    frame = k;
    seek(k);
  };

  const start = () => {
    const { interval, stride } = playbackPlan(last(), { speed });
    timer = clock.setInterval(() => {
      const next = Math.min(frame + stride, last());
      show(next);
      if (next >= last() && ended()) {
        player.pause();
        follow = true;
      }
    }, interval);
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
    get speed() {
      return speed;
    },
    /** A new speed; a playback under way goes on at it. */
    set speed(value) {
      speed = value;
      if (timer !== null) {
        clock.clearInterval(timer);
        timer = null;
        start();
      }
    },
    /** How a playback of the frames there are now goes at this speed ({interval, stride}). */
    plan() {
      return playbackPlan(Math.max(1, last()), { speed });
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
      const k0 = Math.min(Math.max(0, Math.round(k)), last());
      follow = k0 >= last();
      show(k0);
    },
    /** One frame back (−1) or on (+1), stopping playback; the ends hold. */
    step(delta) {
      player.scrub(frame + delta);
    },
    play() {
      const end = last();
      if (end === 0) return;
      if (frame >= end) show(0);
      follow = false;
      start();
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
