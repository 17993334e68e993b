// One WebSocket per tab for what must arrive at once in both directions: who of the family is
// online now, and (next) calls. Like the event stream it starts with a one-time ticket and
// reconnects by itself; the server's `hello` tells everyone's presence again each time.
import { reconnectDelay } from './stream_cursor.js';

/** @typedef {{ user_id: number, online: boolean, last_seen?: string }} Presence */
/** @typedef {(message: any) => void} MessageListener */

/** A code the server closes with when the session is over: reconnecting cannot help. */
const sessionEnded = 4001;

export class LiveSocket {
  /** @param {import('./api.js').Api} api */
  constructor(api) {
    this.api = api;
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {Map<number, Presence>} */
    this.presence = new Map();
    /** @type {Map<string, Set<MessageListener>>} */
    this.listeners = new Map();
    this.attempt = 0;
    this.running = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
  }

  /**
   * Calls `fn` with every message of `type` ("presence" also after each hello).
   * @param {string} type @param {MessageListener} fn @returns {() => void}
   */
  on(type, fn) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set?.delete(fn);
  }

  /** @param {number} userId */
  isOnline(userId) {
    return this.presence.get(userId)?.online ?? false;
  }

  start() {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop() {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000);
    this.socket = null;
    this.presence.clear();
  }

  /** @param {object} message @returns {boolean} whether it went out */
  send(message) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
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
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/ws?ticket=${encodeURIComponent(ticket)}`);
    this.socket = socket;
    socket.onmessage = (e) => {
      let message;
      try {
        message = JSON.parse(String(e.data));
      } catch {
        return;
      }
      this.receive(message);
    };
    socket.onclose = (e) => {
      if (this.socket === socket) this.socket = null;
      if (e.code === sessionEnded) {
        void this.api.renew().catch(() => {}); // the session ends here too: back to sign-in
      }
      this.retry();
    };
  }

  /** @param {any} message */
  receive(message) {
    if (message.type === 'hello') {
      this.attempt = 0;
      this.presence = new Map((message.presence ?? []).map((/** @type {Presence} */ p) => [p.user_id, p]));
      this.emit('presence', null);
    } else if (message.type === 'presence') {
      this.presence.set(message.user_id, message);
      this.emit('presence', message);
      return;
    }
    this.emit(message.type, message);
  }

  /** @param {string} type @param {any} message */
  emit(type, message) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(message);
  }

  retry() {
    if (!this.running || this.timer) return;
    const delay = reconnectDelay(this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}
