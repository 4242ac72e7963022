// The step player, on a clock the test advances by hand.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SPEEDS, createPlayer, playbackPlan, stepsPerSecond } from "../../static/js/lib/player.js";

function fakeClock() {
  const timers = new Map();
  let next = 1;
  return {
    setInterval(fn, ms) {
      timers.set(next, { fn, ms });
      return next++;
    },
    clearInterval(id) {
      timers.delete(id);
    },
    tick() {
      for (const { fn } of [...timers.values()]) fn();
    },
    get running() {
      return timers.size;
    },
    get interval() {
      return [...timers.values()][0]?.ms;
    },
  };
}

function setup({ frames = 20, ended = true } = {}) {
  const clock = fakeClock();
  const seen = [];
  const playing = [];
  const world = { frames, ended };
  const player = createPlayer({
    last: () => world.frames,
    seek: (k) => seen.push(k),
    ended: () => world.ended,
    onPlaying: (on) => playing.push(on),
    clock,
  });
  return { clock, seen, playing, world, player };
}

test("playbackPlan: about 4 s in all, ticks of 40–250 ms, strides for long runs", () => {
  assert.deepEqual(playbackPlan(20), { interval: 200, stride: 1 });
  assert.deepEqual(playbackPlan(8), { interval: 250, stride: 1 });
  assert.deepEqual(playbackPlan(100), { interval: 40, stride: 1 });
  assert.deepEqual(playbackPlan(10000), { interval: 40, stride: 100 });
});

test("play from the end starts over, steps through every frame, then stops and follows again", () => {
  const { clock, seen, playing, player } = setup({ frames: 4 });
  player.scrub(4);
  player.play();
  assert.equal(clock.interval, 250);
  assert.deepEqual(seen, [4, 0]);
  assert.equal(player.following, false);
  for (let i = 0; i < 4; i += 1) clock.tick();
  assert.deepEqual(seen, [4, 0, 1, 2, 3, 4]);
  assert.equal(player.playing, false);
  assert.equal(clock.running, 0);
  assert.equal(player.following, true);
  assert.deepEqual(playing, [true, false]);
});

test("while the stream is still running, playback waits at the newest frame", () => {
  const { clock, seen, player, world } = setup({ frames: 2, ended: false });
  player.play();
  for (let i = 0; i < 4; i += 1) clock.tick();
  assert.deepEqual(seen, [1, 2, 2, 2]);
  assert.equal(player.playing, true);
  world.frames = 3;
  world.ended = true;
  clock.tick();
  assert.equal(player.playing, false);
  assert.equal(player.frame, 3);
});

test("new frames are shown only while following; scrubbing to the end follows again", () => {
  const { seen, player, world } = setup({ frames: 5 });
  player.grew();
  assert.deepEqual(seen, [5]);
  player.scrub(2);
  world.frames = 6;
  player.grew();
  assert.deepEqual(seen, [5, 2]);
  player.scrub(6);
  world.frames = 7;
  player.grew();
  assert.deepEqual(seen, [5, 2, 6, 7]);
});

test("toggle pauses and resumes; reset stops at frame 0; nothing to play with one frame", () => {
  const { clock, player, playing } = setup({ frames: 10 });
  player.toggle();
  assert.equal(player.playing, true);
  clock.tick();
  player.toggle();
  assert.equal(player.playing, false);
  assert.equal(player.frame, 1);
  player.toggle();
  player.reset();
  assert.equal(player.playing, false);
  assert.equal(player.frame, 0);
  assert.equal(player.following, true);
  assert.deepEqual(playing, [true, false, true, false]);
  const still = setup({ frames: 0 });
  still.player.play();
  assert.equal(still.player.playing, false);
  assert.equal(still.clock.running, 0);
});

test("speed scales the playback: 0.25× to 10×, steps per second as shown", () => {
  assert.deepEqual(SPEEDS, [0.25, 0.5, 1, 2, 5, 10]);
  assert.deepEqual(playbackPlan(20, { speed: 2 }), { interval: 100, stride: 1 });
  assert.equal(stepsPerSecond(playbackPlan(20)), 5);
  assert.equal(stepsPerSecond(playbackPlan(20, { speed: 0.25 })), 4); // the slowest tick: 250 ms
  assert.equal(stepsPerSecond(playbackPlan(20, { speed: 10 })), 50);
  assert.equal(stepsPerSecond(playbackPlan(10000, { speed: 10 })), 25000);
  for (const last of [1, 7, 20, 200, 10000]) {
    const rates = SPEEDS.map((speed) => stepsPerSecond(playbackPlan(last, { speed })));
    assert.deepEqual([...rates].sort((a, b) => a - b), rates, `faster is never slower (${last} frames)`);
  }
});

test("changing the speed while playing goes on from the same frame at the new pace", () => {
  const { clock, seen, player } = setup({ frames: 20 });
  player.play();
  clock.tick();
  assert.equal(clock.interval, 200);
  player.speed = 2;
  assert.equal(player.playing, true);
  assert.equal(clock.running, 1);
  assert.equal(clock.interval, 100);
  clock.tick();
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(player.plan(), { interval: 100, stride: 1 });
});

test("step moves one frame back or on, pauses, and holds at the ends", () => {
  const { clock, seen, player, playing } = setup({ frames: 3 });
  player.play();
  clock.tick();
  player.step(1);
  assert.equal(player.playing, false);
  assert.deepEqual(playing, [true, false]);
  assert.equal(player.frame, 2);
  player.step(1);
  player.step(1);
  assert.equal(player.frame, 3);
  assert.equal(player.following, true);
  player.step(-1);
  player.step(-1);
  player.step(-1);
  player.step(-1);
  assert.equal(player.frame, 0);
  assert.deepEqual(seen, [1, 2, 3, 3, 2, 1, 0, 0]);
  player.scrub(2.6);
  assert.equal(player.frame, 3);
  player.scrub(-5);
  assert.equal(player.frame, 0);
});
