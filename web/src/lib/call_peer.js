// One WebRTC connection to one other party of a call. A call of three or four is a mesh: every
// pair of parties has its own link, and the party who was in the call first offers (see
// offersTo in call.js), so two sides never offer to each other at once.

/** @typedef {{ sdp?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit | null }} Signal */

export class PeerLink {
  /**
   * @param {number} user the other party
   * @param {RTCConfiguration} config
   * @param {MediaStream | null} local what this side sends
   * @param {{ send: (signal: Signal) => void, changed: () => void }} hooks
   */
  constructor(user, config, local, hooks) {
    this.user = user;
    this.hooks = hooks;
    this.pc = new RTCPeerConnection(config);
    /** @type {MediaStream | null} */
    this.stream = null;
    this.connected = false;
    this.failed = false;
    /** @type {RTCIceCandidateInit[]} candidates that came before the remote description */
    this.early = [];
    for (const track of local?.getTracks() ?? []) this.pc.addTrack(track, /** @type {MediaStream} */ (local));
    this.pc.ontrack = (e) => {
      this.stream = e.streams[0] ?? new MediaStream([e.track]);
      hooks.changed();
    };
    this.pc.onicecandidate = (e) => {
      if (e.candidate) hooks.send({ candidate: e.candidate.toJSON() });
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      this.connected = state === 'connected';
      this.failed = state === 'failed';
      hooks.changed();
    };
  }

  async offer() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.hooks.send({ sdp: { type: offer.type, sdp: offer.sdp } });
  }

  /** An offer is answered; candidates wait for the description they belong to. @param {Signal} signal */
  async receive(signal) {
    if (signal.sdp) {
      await this.pc.setRemoteDescription(signal.sdp);
      for (const c of this.early.splice(0)) await this.pc.addIceCandidate(c);
      if (signal.sdp.type === 'offer') {
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        this.hooks.send({ sdp: { type: answer.type, sdp: answer.sdp } });
      }
    } else if (signal.candidate) {
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(signal.candidate);
      else this.early.push(signal.candidate);
    }
  }

  /** Fresh TURN credentials for the next allocation refresh. @param {RTCConfiguration} config */
  configure(config) {
    this.pc.setConfiguration(config);
  }

  close() {
    this.pc.onconnectionstatechange = null;
    this.pc.ontrack = null;
    this.pc.onicecandidate = null;
    this.pc.close();
  }
}
