// One request in flight, the latest value wins: while a request runs, newer values wait in one
// slot (each replacing the one before); when it ends, the newest waiting value is sent. Nothing is
// debounced, so a drag redraws as fast as the server answers, and nothing piles up behind it.
// No DOM: `send(value)` returns a promise; the clock is the server's speed.

/**
 * A latest-wins sender.
 *  - `send(value)`: start the request for `value` (a promise of its answer)
 *  - `onAnswer(answer, value)`: an answer that is still wanted (not dropped by `clear`)
 *  - `onError(error, value)`: a request failed (the next waiting value is still sent)
 * Methods: `push(value)`, `clear()` (drop what waits and ignore what is in flight),
 * `busy` (a request in flight), `idle()` (resolves once nothing is in flight or waiting).
 */
export function createLatest({ send, onAnswer = () => {}, onError = () => {} }) {
  let inFlight = null; // the promise of the request now running
  let waiting = null; // {value} of the newest value not yet sent
  let generation = 0;
  let settle = [];

  const drained = () => {
    const done = settle;
    settle = [];
    for (const resolve of done) resolve();
  };

  const start = (value) => {
    const mine = generation;
    inFlight = Promise.resolve()
      .then(() => send(value))
      .then(
        (answer) => { if (mine === generation) onAnswer(answer, value); },
        (error) => { if (mine === generation) onError(error, value); },
      )
      .finally(() => {
        inFlight = null;
        if (waiting) {
          const next = waiting.value;
          waiting = null;
          start(next);
        } else {
          drained();
        }
      });
  };

  return {
    push(value) {
      if (inFlight) waiting = { value };
      else start(value);
    },
    clear() {
      generation += 1;
      waiting = null;
    },
    get busy() {
      return inFlight !== null;
    },
    idle() {
      return inFlight || waiting ? new Promise((resolve) => settle.push(resolve)) : Promise.resolve();
    },
  };
}
