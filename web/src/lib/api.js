// The API client: the access token in memory only, the refresh token in the server's
// HttpOnly cookie (this script never sees it). A 401 renews the access token once, shared by
// every request that hit it at the same moment, and retries.
import { SseParser } from './sse_text.js';

/**
 * @typedef {{ id: number, family_id: number, role: 'parent' | 'child', display_name: string,
 *             email?: string | null, login?: string | null, avatar_color?: string }} User
 * @typedef {{ access_token: string, expires_in: number, user: User }} SessionAnswer
 * @typedef {{ field: string, message: string, code?: string, params?: Record<string, number> }} FieldProblem
 * @typedef {{ status: number, code?: string, category?: string, detail?: string,
 *             errors?: FieldProblem[], request_id?: string }} Problem
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Problem} problem
   */
  constructor(status, problem) {
    super(problem.code ?? `http_${status}`);
    this.status = status;
    this.code = problem.code ?? 'unknown';
    /** The generic kind ("conflict"), for a code this app does not know yet. */
    this.category = problem.category ?? this.code;
    this.errors = problem.errors ?? [];
    this.requestId = problem.request_id;
  }
}

/** Thrown when the network itself failed (server down, offline). */
export class NetworkError extends Error {}

const sessionHeader = { 'X-Poki-Session': 'cookie' };
/** Where a 401 means "wrong credentials", not "renew the access token". */
const signInPaths = new Set(['/auth/signup', '/auth/login', '/auth/join', '/auth/refresh']);

export class Api {
  /** @param {{ base?: string, fetchImpl?: typeof fetch }} [options] */
  constructor({ base = '/api/v1', fetchImpl = (...args) => fetch(...args) } = {}) {
    this.base = base;
    this.fetchImpl = fetchImpl;
    /** @type {string | null} */
    this.accessToken = null;
    /** @type {User | null} */
    this.user = null;
    /** @type {Promise<boolean> | null} */
    this.renewing = null;
    /** @type {Set<(user: User | null) => void>} */
    this.sessionListeners = new Set();
  }

  /** @param {(user: User | null) => void} fn */
  onSession(fn) {
    this.sessionListeners.add(fn);
    return () => this.sessionListeners.delete(fn);
  }

  /**
   * @param {string} method
   * @param {string} path under the base, with its query
   * @param {unknown} [body]
   * @param {{ headers?: Record<string, string>, retried?: boolean }} [options]
   * @returns {Promise<any>}
   */
  async request(method, path, body, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let res;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new NetworkError(String(e));
    }
    if (res.status === 401 && this.accessToken && !options.retried && !signInPaths.has(path)) {
      if (await this.renew()) return this.request(method, path, body, { ...options, retried: true });
    }
    if (res.status === 204) return null;
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ApiError(res.status, data ?? { status: res.status });
    return data;
  }

  /**
   * A server-sent-event answer read to its end, each event handed to `onEvent` as it
   * arrives; problems before the stream starts throw like request()'s.
   * @param {string} path under the base, with its query
   * @param {(event: string, data: string) => void} onEvent
   * @param {boolean} [retried]
   * @returns {Promise<void>}
   */
  async stream(path, onEvent, retried = false) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'text/event-stream' };
    if (this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let res;
    try {
      res = await this.fetchImpl(this.base + path, { headers, credentials: 'same-origin' });
    } catch (e) {
      throw new NetworkError(String(e));
    }
    if (res.status === 401 && this.accessToken && !retried && (await this.renew())) {
      return this.stream(path, onEvent, true);
    }
    if (!res.ok || !res.body) {
      const text = await res.text();
      throw new ApiError(res.status, text ? JSON.parse(text) : { status: res.status });
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
        for (const e of parser.feed(text)) onEvent(e.event, e.data);
        if (done) return;
      }
    } catch (e) {
      throw e instanceof ApiError ? e : new NetworkError(String(e));
    }
  }

  /** @param {string} path */
  get(path) {
    return this.request('GET', path);
  }
  /** @param {string} path @param {unknown} [body] @param {Record<string, string>} [headers] */
  post(path, body, headers) {
    return this.request('POST', path, body, { headers });
  }
  /** @param {string} path @param {unknown} body */
  patch(path, body) {
    return this.request('PATCH', path, body);
  }
  /** @param {string} path @param {unknown} body */
  put(path, body) {
    return this.request('PUT', path, body);
  }
  /** @param {string} path */
  delete(path) {
    return this.request('DELETE', path);
  }

  /** @param {SessionAnswer} answer */
  startSession(answer) {
    this.accessToken = answer.access_token;
    this.user = answer.user;
    for (const fn of this.sessionListeners) fn(this.user);
  }

  endSession() {
    this.accessToken = null;
    this.user = null;
    for (const fn of this.sessionListeners) fn(null);
  }

  /**
   * Signs up, logs in or joins (`/auth/signup`, `/auth/login`, `/auth/join`).
   * @param {'signup' | 'login' | 'join'} kind
   * @param {Record<string, unknown>} body
   */
  async signIn(kind, body) {
    const answer = await this.request('POST', `/auth/${kind}`, body, { headers: sessionHeader });
    this.startSession(answer);
    return answer.user;
  }

  /**
   * A new access token from the cookie; false when the browser has no session any more.
   * Concurrent callers share one refresh (a second one would spend the rotated cookie).
   * @returns {Promise<boolean>}
   */
  renew() {
    if (!this.renewing) {
      this.renewing = (async () => {
        try {
          const answer = await this.request('POST', '/auth/refresh', undefined, { headers: sessionHeader });
          this.startSession(answer);
          return true;
        } catch (e) {
          if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
            this.endSession();
            return false;
          }
          throw e;
        } finally {
          this.renewing = null;
        }
      })();
    }
    return this.renewing;
  }

  async signOut() {
    try {
      await this.request('POST', '/auth/logout', undefined, { headers: sessionHeader });
    } finally {
      this.endSession();
    }
  }
}
