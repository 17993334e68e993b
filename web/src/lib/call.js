// The call in this tab, with one to three other members: the server keeps the call's state (who
// rings, who answered, who left, how it ended) and relays the WebRTC signals; this side owns
// the media and one peer link per other party. When someone joins (or rejoins after a reload),
// every party already in offers to them. A reloaded tab rejoins the call it was in.
import { PeerLink } from './call_peer.js';

/**
 * What the call screen shows.
 * @typedef {'incoming' | 'ringing' | 'connecting' | 'connected' | 'ended'} CallPhase
 * @typedef {{ user_id: number, state: string }} Party
 * @typedef {{ caller_id: number, media: 'audio' | 'video', parties: Party[] }} CallRecord
 * @typedef {{
 *   id: string, phase: CallPhase, caller: number, media: 'audio' | 'video', outgoing: boolean,
 *   joined: boolean, parties: Party[], outcome?: string, local: MediaStream | null,
 *   muted: boolean, cameraOff: boolean,
 * }} CallView
 * @typedef {{ user: number, state: 'ringing' | 'joined', stream: MediaStream | null, connected: boolean }} Tile
 * @typedef {{ id: string, media: 'audio' | 'video', caller: number, user: number }} SavedCall
 */

/** Where a tab keeps the call it is in, so that a reload can rejoin it. */
const savedCallKey = 'poki.call';

/**
 * When to ask for fresh TURN credentials: at four fifths of their lifetime, at least 10 s on.
 * A relayed call whose credentials expire fails its next allocation refresh.
 * @param {number} expiresInSeconds
 */
export function renewalDelay(expiresInSeconds) {
  return Math.max(10000, Math.floor(expiresInSeconds * 800));
}

/**
 * Whether `me` offers to `newcomer`, who just joined or rejoined: yes when `me` was in the call
 * already at that moment (the call record comes from that very change), so of each pair
 * exactly one side offers.
 * @param {CallRecord} call @param {number} me @param {number} newcomer
 */
export function offersTo(call, me, newcomer) {
  return newcomer !== me && call.parties.some((p) => p.user_id === me && p.state === 'joined');
}

/**
 * The other parties worth a place on the screen: those in the call and those still rung.
 * @param {Party[]} parties @param {number} me
 * @returns {{ user: number, state: 'ringing' | 'joined' }[]}
 */
export function otherParties(parties, me) {
  return parties.flatMap((p) => (p.user_id !== me && (p.state === 'ringing' || p.state === 'joined')
    ? [{ user: p.user_id, state: /** @type {'ringing' | 'joined'} */ (p.state) }] : []));
}

export class CallManager {
  /**
   * @param {import('./socket.js').LiveSocket} socket
   * @param {import('./api.js').Api} api
   */
  constructor(socket, api) {
    this.socket = socket;
    this.api = api;
    /** @type {CallView | null} */
    this.view = null;
    /** @type {Map<number, PeerLink>} */
    this.peers = new Map();
    /** @type {RTCConfiguration} */
    this.ice = { iceServers: [], iceTransportPolicy: 'all' };
    /** Signals and offers, one at a time in arrival order. */
    this.work = Promise.resolve();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.renewTimer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.clearTimer = null;
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    this.sent = 0;
    /** The ids of our last invitation and rejoin, to know the server's refusals of them. */
    this.inviteId = '';
    this.rejoinId = '';
    const on = (/** @type {string} */ type, /** @type {(m: any) => void} */ fn) => socket.on(type, fn);
    on('hello', () => void this.resume());
    on('call.ringing', (m) => this.ringing(m));
    on('call.incoming', (m) => this.incoming(m));
    on('call.accepted', (m) => this.joinedBy(m, false));
    on('call.rejoined', (m) => this.joinedBy(m, true));
    on('call.declined', (m) => this.updated(m));
    on('call.missed', (m) => this.updated(m));
    on('call.left', (m) => this.left(m));
    on('call.answered_elsewhere', (m) => this.isCurrent(m) && this.close('answered_elsewhere'));
    on('call.ended', (m) => this.isCurrent(m) && this.close(m.call.state === 'ended' ? m.call.reason : m.call.state));
    on('signal', (m) => this.serially(() => this.signal(m)));
    on('error', (m) => this.refused(m));
  }

  /** @param {() => void} fn @returns {() => void} */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    for (const fn of [...this.listeners]) fn();
  }

  me() {
    return this.api.user?.id ?? 0;
  }

  /** @param {any} m */
  isCurrent(m) {
    return this.view !== null && this.view.id !== '' && this.view.id === m.call_id;
  }

  /** What the screen shows of the others: who rings, who is in, their video. @returns {Tile[]} */
  tiles() {
    if (!this.view) return [];
    return otherParties(this.view.parties, this.me()).map(({ user, state }) => {
      const link = this.peers.get(user);
      return { user, state, stream: link?.stream ?? null, connected: link?.connected ?? false };
    });
  }

  /** Rings one to three members. @param {number | number[]} to @param {'audio' | 'video'} media */
  async call(to, media = 'video') {
    if (this.view && this.view.phase !== 'ended') return;
    const callees = Array.isArray(to) ? to : [to];
    const local = await this.media(media);
    const me = this.me();
    this.view = {
      id: '', phase: 'ringing', caller: me, media, outgoing: true, joined: true, local, muted: false, cameraOff: false,
      parties: [{ user_id: me, state: 'joined' }, ...callees.map((id) => ({ user_id: id, state: 'ringing' }))],
    };
    this.changed();
    this.inviteId = this.nextId();
    const sent = this.socket.send({ type: 'call.invite', id: this.inviteId, to: callees.length === 1 ? callees[0] : callees, media });
    if (!sent) this.close('failed');
  }

  /** @param {any} m */
  ringing(m) {
    const view = this.view;
    if (!view || !view.outgoing || view.id) return;
    view.id = m.call_id;
    view.parties = m.call.parties;
    this.useIce(m.ice_servers);
    this.save();
    this.changed();
  }

  /** @param {any} m */
  incoming(m) {
    if (this.view && this.view.phase !== 'ended') return; // busy here: the server rings our other devices
    this.useIce(m.ice_servers);
    this.view = {
      id: m.call_id, phase: 'incoming', caller: m.from, media: m.call.media, outgoing: false, joined: false,
      parties: m.call.parties, local: null, muted: false, cameraOff: false,
    };
    this.changed();
  }

  async accept() {
    const view = this.view;
    if (!view || view.phase !== 'incoming') return;
    view.local = await this.media(view.media);
    if (this.view !== view || view.phase !== 'incoming') {
      this.stopMedia(view);
      return;
    }
    view.phase = 'connecting';
    view.joined = true;
    this.socket.send({ type: 'call.accept', call_id: view.id });
    this.save();
    this.changed();
  }

  reject() {
    if (this.view?.phase === 'incoming') this.socket.send({ type: 'call.reject', call_id: this.view.id });
  }

  hangUp() {
    const view = this.view;
    if (!view || view.phase === 'ended') return;
    if (!view.id) {
      this.close('cancelled');
      return;
    }
    this.socket.send({ type: view.phase === 'ringing' ? 'call.cancel' : 'call.end', call_id: view.id });
  }

  toggleMute() {
    if (!this.view?.local) return;
    this.view.muted = !this.view.muted;
    for (const track of this.view.local.getAudioTracks()) track.enabled = !this.view.muted;
    this.changed();
  }

  toggleCamera() {
    if (!this.view?.local) return;
    this.view.cameraOff = !this.view.cameraOff;
    for (const track of this.view.local.getVideoTracks()) track.enabled = !this.view.cameraOff;
    this.changed();
  }

  /** Someone answered or came back: those already in offer to them. @param {any} m @param {boolean} rejoined */
  joinedBy(m, rejoined) {
    const me = this.me();
    if (!this.isCurrent(m) && !(m.user_id === me && !rejoined && this.crossedInvitation(m))) return;
    const view = /** @type {CallView} */ (this.view);
    view.parties = m.call.parties;
    if (m.user_id !== me && view.joined && offersTo(m.call, me, m.user_id)) {
      if (view.phase === 'ringing') view.phase = 'connecting';
      this.serially(() => this.offerTo(m.user_id));
    }
    this.changed();
  }

  /**
   * We rang them just as they rang us: the server answered their call with our invitation.
   * This tab is in their call now, and they offer. @param {any} m
   */
  crossedInvitation(m) {
    const view = this.view;
    if (!view || !view.outgoing || view.id || m.call.caller_id === this.me()) return false;
    if (!view.parties.some((p) => p.user_id === m.call.caller_id)) return false;
    view.id = m.call_id;
    view.outgoing = false;
    view.caller = m.call.caller_id;
    view.phase = 'connecting';
    this.serially(async () => this.useIce(await this.api.get('/calls/ice-servers')));
    this.save();
    return true;
  }

  /** Someone declined or was not reached. @param {any} m */
  updated(m) {
    if (!this.isCurrent(m)) return;
    /** @type {CallView} */ (this.view).parties = m.call.parties;
    this.changed();
  }

  /** Someone left a call that goes on (or we did, from here or by losing the connection). @param {any} m */
  left(m) {
    if (!this.isCurrent(m)) return;
    const view = /** @type {CallView} */ (this.view);
    view.parties = m.call.parties;
    if (m.user_id === this.me()) {
      this.close(m.reason === 'connection_lost' ? 'connection_lost' : 'ended');
      return;
    }
    this.peers.get(m.user_id)?.close();
    this.peers.delete(m.user_id);
    this.linksChanged();
  }

  /** @param {() => Promise<void> | void} step */
  serially(step) {
    this.work = this.work.then(step).catch((error) => console.warn('call:', error));
  }

  /** @param {number} user */
  async offerTo(user) {
    const link = this.link(user);
    if (link) await link.offer();
  }

  /** @param {any} m */
  async signal(m) {
    const view = this.view;
    if (!view || !view.joined || view.id !== m.call_id) return;
    const existing = this.peers.get(m.from);
    const link = m.sdp?.type === 'offer' ? this.link(m.from) : existing;
    if (link) await link.receive(m);
  }

  /** A new link to `user`, replacing an old one (they reloaded, or our socket came back). @param {number} user */
  link(user) {
    const view = this.view;
    if (!view || view.phase === 'ended') return null;
    this.peers.get(user)?.close();
    const link = new PeerLink(user, this.ice, view.local, {
      send: (signal) => this.socket.send({ type: 'signal', call_id: view.id, to: user, ...signal }),
      changed: () => this.view === view && this.linksChanged(),
    });
    this.peers.set(user, link);
    return link;
  }

  /** The phase follows the links: connected while any is; a link that failed is given up. */
  linksChanged() {
    const view = this.view;
    if (!view || view.phase === 'ended') return;
    const links = [...this.peers.values()];
    if (links.some((l) => l.connected)) view.phase = 'connected';
    else if (view.phase === 'connected') view.phase = 'connecting';
    if (links.length > 0 && links.every((l) => l.failed)) {
      for (const link of links) link.close();
      this.peers.clear();
      this.socket.send({ type: 'call.end', call_id: view.id, reason: 'failed_media' });
    }
    this.changed();
  }

  /**
   * After every hello: a socket that came back mid-call tells the server this tab is still in
   * it, and a reloaded tab rejoins the call it was in (the others then offer again).
   */
  async resume() {
    const view = this.view;
    if (view) {
      if (view.joined && view.id && view.phase !== 'ended') this.sendRejoin(view.id);
      return;
    }
    const saved = this.saved();
    if (!saved) return;
    let ice;
    let local;
    try {
      ice = await this.api.get('/calls/ice-servers');
      local = await this.media(saved.media);
    } catch {
      this.forget();
      return;
    }
    if (this.view) {
      for (const track of local.getTracks()) track.stop();
      return;
    }
    this.useIce(ice);
    this.view = {
      id: saved.id, phase: 'connecting', caller: saved.caller, media: saved.media, outgoing: false, joined: true,
      parties: [], local, muted: false, cameraOff: false,
    };
    this.sendRejoin(saved.id);
    this.changed();
  }

  /** @param {string} callId */
  sendRejoin(callId) {
    this.rejoinId = this.nextId();
    this.socket.send({ type: 'call.rejoin', id: this.rejoinId, call_id: callId });
  }

  /** The server refused our invitation (or our rejoin: that call is over). @param {any} m */
  refused(m) {
    if (!m.in_reply_to) return;
    if (m.in_reply_to === this.inviteId && this.view?.outgoing && !this.view.id) {
      this.close(m.code === 'already_in_call' ? 'in_call_here' : 'failed');
    } else if (m.in_reply_to === this.rejoinId && this.view) {
      this.stopMedia(this.view);
      this.view = null;
      this.forget();
      this.changed();
    }
  }

  nextId() {
    this.sent += 1;
    return `call-${this.sent}`;
  }

  /** @param {'audio' | 'video'} media */
  media(media) {
    return navigator.mediaDevices.getUserMedia({ audio: true, video: media === 'video' });
  }

  /** The ICE servers for this call, renewed before their credentials end. @param {any} ice */
  useIce(ice) {
    this.ice = {
      iceServers: ice?.ice_servers ?? [],
      iceTransportPolicy: ice?.ice_transport_policy === 'relay' ? 'relay' : 'all',
    };
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void this.renewIce(), renewalDelay(Number(ice?.expires_in ?? 3600)));
  }

  async renewIce() {
    this.renewTimer = null;
    if (!this.view || this.view.phase === 'ended') return;
    try {
      this.useIce(await this.api.get('/calls/ice-servers'));
      for (const link of this.peers.values()) link.configure(this.ice);
    } catch {
      this.renewTimer = setTimeout(() => void this.renewIce(), 10000);
    }
  }

  save() {
    const view = this.view;
    if (!view?.id) return;
    /** @type {SavedCall} */
    const saved = { id: view.id, media: view.media, caller: view.caller, user: this.me() };
    try {
      sessionStorage.setItem(savedCallKey, JSON.stringify(saved));
    } catch {
      // storage is off: a reload then ends the call after the server's grace, nothing worse
    }
  }

  /** @returns {SavedCall | null} */
  saved() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(savedCallKey) ?? 'null');
      return saved && saved.user === this.me() && typeof saved.id === 'string' ? saved : null;
    } catch {
      return null;
    }
  }

  forget() {
    try {
      sessionStorage.removeItem(savedCallKey);
    } catch {
      // nothing was kept
    }
  }

  /** @param {CallView} view */
  stopMedia(view) {
    for (const track of view.local?.getTracks() ?? []) track.stop();
    view.local = null;
  }

  /** The call is over here: media stop, and the screen says how it ended for a moment. @param {string} outcome */
  close(outcome) {
    const view = this.view;
    if (!view) return;
    for (const link of this.peers.values()) link.close();
    this.peers.clear();
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
    this.stopMedia(view);
    this.forget();
    view.phase = 'ended';
    view.outcome = outcome;
    this.changed();
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => {
      if (this.view === view) {
        this.view = null;
        this.changed();
      }
    }, outcome === 'answered_elsewhere' ? 0 : 2500);
  }

  /** The session ended: nothing of the call stays. */
  reset() {
    if (this.view) this.close('ended');
    this.view = null;
    this.forget();
    this.changed();
  }
}
