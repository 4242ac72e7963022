// Following one training job (or one sweep) live: GET <resource>/events through the browser's
// EventSource (the stream is a GET, so the browser's own reconnect with Last-Event-ID does the
// resuming). Events are applied once each, in id order; the source is closed on the last event
// (`end` for a job, `done` for a sweep; else the browser would reconnect to a finished one). A
// refused (re)connection falls back to the resource itself (GET <resource>).

import { ApiError, getJSON } from "./api.js";
import { parseJSON } from "./json.js";
import { t } from "./i18n.js";

const JOB_EVENTS = ["job", "status", "progress", "run", "end"];
const SWEEP_EVENTS = ["meta", "progress", "done"];
const RETRY_MS = 2000;
const MAX_RETRIES = 10;

/**
 * Follow job `id` from event `after` on (0: from the start, the `job` event first).
 *  - `statuses`: the job statuses (lib/statuses.js): a record that is finished ends the following
 *  - `onEvent(name, data, id)` for every new event, in order, each exactly once
 *  - `onRecord(record)` when the stream was refused and the page has to redraw from GET /api/jobs/{id}
 *  - `onTrouble(message | null)` while the connection is down (null once it is back)
 *  - `onError(err)` when the job cannot be followed any more (gone, or the server unreachable)
 * Returns {close()}.
 */
export function followJob(id, options) {
  return followEvents(`/api/jobs/${encodeURIComponent(id)}`, JOB_EVENTS, options);
}

/** Follow sweep `id` as followJob follows a job (its events `meta`, `progress`…, `done`). */
export function followSweep(id, options) {
  return followEvents(`/api/sweeps/${encodeURIComponent(id)}`, SWEEP_EVENTS, options);
}

function followEvents(base, events, { statuses, after = 0, onEvent, onRecord, onTrouble = () => {}, onError }) {
  const final = events[events.length - 1];
  let last = after;
  let source = null;
  let closed = false;
  let retries = 0;
  let timer = null;

  function close() {
    closed = true;
    clearTimeout(timer);
    source?.close();
    source = null;
  }

  function open() {
    if (closed) return;
    source = new EventSource(`${base}/events?after=${last}`);
    source.onopen = () => {
      retries = 0;
      onTrouble(null);
    };
    for (const name of events) {
      source.addEventListener(name, (event) => {
        if (closed) return;
        const eventId = Number(event.lastEventId);
        if (Number.isFinite(eventId) && eventId > 0) {
          if (eventId <= last) return; // seen already (a replay after a reconnect)
          last = eventId;
        }
        onEvent(name, parseJSON(event.data), eventId);
        if (name === final) close();
      });
    }
    source.onerror = () => {
      if (closed) return;
      if (source.readyState === EventSource.CONNECTING) {
        onTrouble(t("connection lost, reconnecting…"));
        return;
      }
      // CLOSED: the server refused the stream (204: nothing left, 404, 429 too many streams).
      source.close();
      source = null;
      recover();
    };
  }

  async function recover() {
    let record;
    try {
      record = await getJSON(base);
    } catch (err) {
      if (closed) return;
      if (err instanceof ApiError && err.status === 404) {
        close();
        onError(err);
        return;
      }
      record = null;
    }
    if (closed) return;
    if (record && record.last_event_id >= last) {
      last = record.last_event_id;
      onRecord(record);
      if (statuses.isFinished(record.status)) {
        close();
        return;
      }
    }
    retries += 1;
    if (retries > MAX_RETRIES) {
      close();
      onError(new ApiError(0, t("lost the event stream and could not get it back")));
      return;
    }
    onTrouble(record ? t("stream refused, retrying…") : t("cannot reach the server, retrying…"));
    timer = setTimeout(open, RETRY_MS);
  }

  open();
  return { close };
}
