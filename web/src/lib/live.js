// One EventSource per tab feeds every screen. EventSource cannot send headers, so each
// connection starts with a one-time ticket; it reconnects by itself with a fresh ticket,
// resuming after the last event it handled.
import { StreamCursor, reconnectDelay } from './stream_cursor.js';

/** Every event type the server sends; EventSource only delivers named types it listens to. */
export const eventTypes = [
  'family.member_joined', 'family.member_removed',
  'mission.assigned', 'mission.submitted', 'mission.approved', 'mission.rejected',
  'mission.updated', 'mission.deleted', 'mission.expired', 'mission.activated',
  'calendar.changed',
  'grapes.changed', 'board.updated', 'board.redeemed', 'wishlist.changed',
  'chat.message', 'chat.read', 'chat.deleted',
  'call.missed',
];

/** @typedef {{ type: string, id: number, data: any }} LiveEvent */
/** @typedef {(event: LiveEvent) => void} LiveListener */

export class LiveEvents {
  /** @param {import('./api.js').Api} api */
  constructor(api) {
    this.api = api;
    this.cursor = new StreamCursor();
    /** @type {EventSource | null} */
    this.source = null;
    /** @type {Set<LiveListener>} */
    this.listeners = new Set();
    /** @type {Set<(connected: boolean) => void>} */
    this.statusListeners = new Set();
    this.attempt = 0;
    this.running = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
  }

  /** @param {LiveListener} fn @returns {() => void} */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** @param {(connected: boolean) => void} fn */
  onStatus(fn) {
    this.statusListeners.add(fn);
  }

  start() {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.onOnline);
    void this.connect();
  }

  /** Back online: try now rather than at the end of the back-off. */
  onOnline = () => {
    if (!this.running || !this.timer) return; // connected, or already connecting
    clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    void this.connect();
  };

  stop() {
    this.running = false;
    window.removeEventListener('online', this.onOnline);
    if (this.timer) clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    this.cursor = new StreamCursor();
  }

  async connect() {
    if (!this.running) return;
    let ticket;
    try {
      ticket = (await this.api.post('/stream-tickets')).ticket;
    } catch {
      this.retry();
      return;
    }
    if (!this.running) return;
    const url = `/api/v1/events?ticket=${encodeURIComponent(ticket)}${this.cursor.resumeQuery()}`;
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener('ready', (e) => {
      // The first stream of a session starts at the newest event: whatever changed between
      // the screen's first load and now is not in it, so the screen loads once more.
      const first = this.cursor.lastId === null;
      this.cursor.standAt(/** @type {MessageEvent} */ (e).lastEventId);
      this.attempt = 0;
      this.setStatus(true);
      if (first) this.emit({ type: 'reset', id: this.cursor.lastId ?? 0, data: null });
    });
    source.addEventListener('reset', (e) => {
      this.cursor.standAt(/** @type {MessageEvent} */ (e).lastEventId);
      this.emit({ type: 'reset', id: this.cursor.lastId ?? 0, data: null });
    });
    for (const type of eventTypes) {
      source.addEventListener(type, (e) => this.deliver(type, /** @type {MessageEvent} */ (e)));
    }
    // A used ticket cannot reconnect: close and start over with a new one.
    source.onerror = () => {
      source.close();
      if (this.source === source) this.source = null;
      this.setStatus(false);
      this.retry();
    };
  }

  retry() {
    if (!this.running) return;
    const delay = reconnectDelay(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  /**
   * @param {string} type
   * @param {MessageEvent} e
   */
  deliver(type, e) {
    if (!this.cursor.accept(e.lastEventId)) return;
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    this.emit({ type, id: Number(e.lastEventId), data });
  }

  /** @param {LiveEvent} event */
  emit(event) {
    for (const fn of [...this.listeners]) fn(event);
  }

  /** @param {boolean} connected */
  setStatus(connected) {
    for (const fn of this.statusListeners) fn(connected);
  }
}
