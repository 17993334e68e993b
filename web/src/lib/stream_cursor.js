// The event stream's resume bookkeeping, kept apart from EventSource so it can be tested:
// where to resume after a reconnect, and which events were already handled.

export class StreamCursor {
  constructor() {
    /** The id of the newest event handled; null before the first `ready`. */
    /** @type {number | null} */
    this.lastId = null;
  }

  /** The query that resumes after what was handled (none: start at the newest). */
  resumeQuery() {
    return this.lastId === null ? '' : `&since=${this.lastId}`;
  }

  /**
   * Whether an event with this id is new (and, if so, records it). Replays after a
   * reconnect may repeat what a live delivery already brought: those are dropped.
   * @param {string} id the SSE `id:` field
   */
  accept(id) {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) return false;
    if (this.lastId !== null && n <= this.lastId) return false;
    this.lastId = n;
    return true;
  }

  /**
   * `ready` and `reset` say where the stream stands. After a reset the app reloads its
   * state, so nothing before that point is handled again.
   * @param {string} id
   */
  standAt(id) {
    const n = Number(id);
    if (Number.isSafeInteger(n) && (this.lastId === null || n > this.lastId)) this.lastId = n;
  }
}

/**
 * Milliseconds before reconnect attempt `attempt` (0, 1, 2 …): doubling from half a second,
 * at most 15 s, with jitter so a restarted server is not hit by every tab at once.
 * @param {number} attempt
 * @param {() => number} [random]
 */
export function reconnectDelay(attempt, random = Math.random) {
  const base = Math.min(15000, 500 * 2 ** Math.min(attempt, 5));
  return Math.round(base / 2 + (random() * base) / 2);
}
