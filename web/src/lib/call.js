// A one-to-one call in this tab: the server keeps the call's state (who rings, who answered,
// how it ended) and relays the WebRTC signals; this side owns the media and the peer
// connection. The caller offers once the callee has answered; candidates flow both ways
// (the server holds the early ones for the callee until they answer).

/**
 * What the call screen shows.
 * @typedef {'incoming' | 'ringing' | 'connecting' | 'connected' | 'ended'} CallPhase
 * @typedef {{
 *   id: string, phase: CallPhase, peer: number, media: 'audio' | 'video', outgoing: boolean,
 *   outcome?: string, local: MediaStream | null, remote: MediaStream | null,
 *   muted: boolean, cameraOff: boolean,
 * }} CallView
 */

/**
 * When to ask for fresh TURN credentials: at four fifths of their lifetime, at least 10 s on.
 * A relayed call whose credentials expire fails its next allocation refresh.
 * @param {number} expiresInSeconds
 */
export function renewalDelay(expiresInSeconds) {
  return Math.max(10000, Math.floor(expiresInSeconds * 800));
}

export class CallManager {
  /**
   * @param {import('./socket.js').LiveSocket} socket
   * @param {import('./api.js').Api} api
   */
  constructor(socket, api) {
    this.socket = socket;
    this.api = api;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.renewTimer = null;
    /** @type {CallView | null} */
    this.view = null;
    /** @type {RTCPeerConnection | null} */
    this.pc = null;
    /** @type {{ iceServers: RTCIceServer[], iceTransportPolicy: RTCIceTransportPolicy }} */
    this.ice = { iceServers: [], iceTransportPolicy: 'all' };
    /** @type {RTCIceCandidateInit[]} */
    this.early = []; // candidates that came before the remote description
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.clearTimer = null;
    const on = (/** @type {string} */ type, /** @type {(m: any) => void} */ fn) => socket.on(type, fn);
    on('call.ringing', (m) => this.ringing(m));
    on('call.incoming', (m) => this.incoming(m));
    on('call.accepted', (m) => void this.accepted(m));
    on('call.answered_elsewhere', (m) => this.isCurrent(m) && this.close('answered_elsewhere'));
    on('call.ended', (m) => this.isCurrent(m) && this.close(m.call.state === 'ended' ? m.call.reason : m.call.state));
    on('signal', (m) => void this.signal(m));
  }

  /** @param {() => void} fn @returns {() => void} */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    for (const fn of [...this.listeners]) fn();
  }

  /** @param {any} m */
  isCurrent(m) {
    return this.view !== null && this.view.id === m.call_id;
  }

  /** Rings a member. @param {number} userId @param {'audio' | 'video'} media */
  async call(userId, media = 'video') {
    if (this.view && this.view.phase !== 'ended') return;
    const local = await this.media(media);
    this.view = { id: '', phase: 'ringing', peer: userId, media, outgoing: true, local, remote: null, muted: false, cameraOff: false };
    this.changed();
    if (!this.socket.send({ type: 'call.invite', to: userId, media })) this.close('failed');
  }

  /** @param {any} m */
  ringing(m) {
    if (!this.view || !this.view.outgoing || this.view.id) return;
    this.view.id = m.call_id;
    this.useIce(m.ice_servers);
    this.changed();
  }

  /** @param {any} m */
  incoming(m) {
    if (this.view && this.view.phase !== 'ended') return; // busy here: the server rings our other devices
    this.useIce(m.ice_servers);
    this.view = { id: m.call_id, phase: 'incoming', peer: m.from, media: m.call.media, outgoing: false, local: null, remote: null, muted: false, cameraOff: false };
    this.changed();
  }

  async accept() {
    const view = this.view;
    if (!view || view.phase !== 'incoming') return;
    view.local = await this.media(view.media);
    view.phase = 'connecting';
    this.connect();
    this.socket.send({ type: 'call.accept', call_id: view.id });
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

  /** The callee answered: the caller offers. @param {any} m */
  async accepted(m) {
    const view = this.view;
    if (!view || view.id !== m.call_id) return;
    if (!view.outgoing) {
      this.changed();
      return;
    }
    view.phase = 'connecting';
    const pc = this.connect();
    this.changed();
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.socket.send({ type: 'signal', call_id: view.id, to: view.peer, sdp: { type: offer.type, sdp: offer.sdp } });
  }

  /** @param {any} m */
  async signal(m) {
    const view = this.view;
    const pc = this.pc;
    if (!view || !pc || view.id !== m.call_id) return;
    if (m.sdp) {
      await pc.setRemoteDescription(m.sdp);
      for (const c of this.early.splice(0)) await pc.addIceCandidate(c);
      if (m.sdp.type === 'offer') {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        this.socket.send({ type: 'signal', call_id: view.id, to: view.peer, sdp: { type: answer.type, sdp: answer.sdp } });
      }
    } else if (m.candidate !== undefined) {
      if (!m.candidate) return;
      if (pc.remoteDescription) await pc.addIceCandidate(m.candidate);
      else this.early.push(m.candidate);
    }
  }

  /** @returns {RTCPeerConnection} */
  connect() {
    const view = /** @type {CallView} */ (this.view);
    const pc = new RTCPeerConnection(this.ice);
    this.pc = pc;
    for (const track of view.local?.getTracks() ?? []) pc.addTrack(track, /** @type {MediaStream} */ (view.local));
    pc.ontrack = (e) => {
      view.remote = e.streams[0] ?? new MediaStream([e.track]);
      this.changed();
    };
    pc.onicecandidate = (e) => {
      const candidate = e.candidate ? e.candidate.toJSON() : null;
      if (candidate) this.socket.send({ type: 'signal', call_id: view.id, to: view.peer, candidate });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected' && this.view === view) {
        view.phase = 'connected';
        this.changed();
      } else if (pc.connectionState === 'failed' && this.view === view) {
        this.socket.send({ type: 'call.end', call_id: view.id, reason: 'failed_media' });
      }
    };
    return pc;
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
      this.pc?.setConfiguration(this.ice);
    } catch {
      this.renewTimer = setTimeout(() => void this.renewIce(), 10000);
    }
  }

  /** The call is over here: media stop, and the screen says how it ended for a moment. @param {string} outcome */
  close(outcome) {
    const view = this.view;
    if (!view) return;
    this.pc?.close();
    this.pc = null;
    this.early = [];
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = null;
    for (const track of view.local?.getTracks() ?? []) track.stop();
    view.local = null;
    view.remote = null;
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
    this.changed();
  }
}
