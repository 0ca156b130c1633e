// Chorus browser SDK: private peer-to-peer rooms (docs/p2p.md). Used by chorus.js when `joined` says
// `"mode":"p2p"`; apps keep using the same Chorus API (publish, mute, `track`, `trackUpdated`, stats, leave).
//
// One RTCPeerConnection to the other peer, relay-only (iceTransportPolicy 'relay': media crosses the server's TURN
// relay, which lets this peer's allocation reach the other peer's relayed address and nothing else). DTLS runs end
// to end between the two browsers: the server forwards descriptions and candidates (p2pOffer, p2pAnswer,
// p2pCandidate, p2pMute) and never holds the keys. Negotiation is the W3C "perfect negotiation" pattern: the peer
// that joined second is the polite one (it yields on an offer collision); the one already in the room offers when
// the other arrives.

/** The p2p side of one Chorus call. `call` is the Chorus instance; `joined` its `joined` message. */
export class P2pLink {
  constructor(call, joined) {
    this.call = call;
    const others = joined.participants || [];
    this.peerId = others.length > 0 ? others[0].participantId : null;
    this.polite = this.peerId !== null; // the newcomer yields
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.wanted = false; // a negotiation that waits for the peer or for a stable state
    this._remote = Promise.resolve(); // descriptions and candidates from the peer, in order
    this.pc = this._newPc();
  }

  _newPc() {
    const pc = new RTCPeerConnection({ ...this.call._rtcConfig(), iceTransportPolicy: 'relay' });
    pc.addEventListener('negotiationneeded', () => this._offer());
    pc.addEventListener('signalingstatechange', () => {
      if (pc.signalingState === 'stable' && this.wanted) this._offer();
    });
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (!candidate || !candidate.candidate || !this.peerId || pc !== this.pc) return;
      this.call._send({ type: 'p2pCandidate', candidate: candidate.candidate, sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex });
    });
    pc.addEventListener('track', (ev) => this._onTrack(ev));
    pc.addEventListener('iceconnectionstatechange', () => {
      if (pc === this.pc && pc.iceConnectionState === 'failed' && this.peerId) pc.restartIce();
    });
    this.call.publisher = pc; // one connection for both directions: stats(), mute and refresh use it as usual
    this.call.subscriber = pc;
    return pc;
  }

  /** A local track goes on a sendrecv transceiver of the one connection (chorus.js `_addLocal`). */
  addLocal(track, kind, muted) {
    const call = this.call;
    const transceiver = this.pc.addTransceiver(muted ? track.kind : track,
      { direction: 'sendrecv', streams: [call.localStream] });
    call.localStream.addTrack(track);
    call._local.set(transceiver, { kind, track, transceiver, muted });
    call._watchDevice(transceiver);
    return transceiver;
  }

  /** Negotiation follows `negotiationneeded` on its own; publish() resolves at once. */
  negotiate() {
    return Promise.resolve();
  }

  async _offer() {
    const pc = this.pc;
    if (!this.peerId || pc.signalingState !== 'stable' || this.makingOffer) { this.wanted = true; return; }
    this.wanted = false;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      if (pc.localDescription.type === 'offer') this.call._send({ type: 'p2pOffer', sdp: pc.localDescription.sdp });
    } catch (e) {
      this.call._fail(e);
    } finally {
      this.makingOffer = false;
    }
  }

  /** Handles the p2p messages; returns true when chorus.js has nothing more to do with `m`. */
  handle(m) {
    switch (m.type) {
      case 'p2pOffer':
      case 'p2pAnswer':
        this._inOrder(() => this._onDescription(m.type === 'p2pOffer' ? 'offer' : 'answer', m.sdp));
        return true;
      case 'p2pCandidate':
        this._inOrder(async () => {
          try {
            await this.pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.sdpMid, sdpMLineIndex: m.sdpMLineIndex });
          } catch (e) {
            if (!this.ignoreOffer) throw e;
          }
        });
        return true;
      case 'p2pMute': {
        const kind = this._kindOf(m.trackId);
        this.call._emit('trackUpdated', { track: { participantId: m.from.participantId, trackId: m.trackId, kind,
          muted: !!m.muted } });
        return true;
      }
      case 'participantJoined':
        this.peerId = m.participant.participantId;
        this.polite = false; // it came second: this peer offers (when it has something to negotiate)
        if (this.wanted || this.pc.getTransceivers().length > 0) this._offer();
        return false;
      case 'participantLeft':
        if (m.participantId === this.peerId) this._reset();
        return false;
      case 'error':
        // the server refused our description (rights): back to stable, nothing was sent to the peer
        if (['publish_not_allowed', 'peer_not_allowed', 'candidate_not_relayed', 'bad_sdp'].includes(m.code)
            && this.pc.signalingState === 'have-local-offer') {
          this.pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        }
        return false;
      default:
        return false;
    }
  }

  _inOrder(fn) {
    const run = this._remote.then(fn);
    this._remote = run.catch(() => {});
    run.catch((e) => this.call._fail(e));
  }

  async _onDescription(type, sdp) {
    const pc = this.pc;
    const collision = type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    await pc.setRemoteDescription({ type, sdp }); // a polite peer's own offer is rolled back implicitly
    if (type === 'offer') {
      await pc.setLocalDescription();
      this.call._send({ type: 'p2pAnswer', sdp: pc.localDescription.sdp });
    }
  }

  _kindOf(mid) {
    const t = this.pc.getTransceivers().find((x) => x.mid === mid);
    return t && t.receiver.track ? t.receiver.track.kind : 'video';
  }

  _onTrack(ev) {
    const call = this.call;
    const tr = ev.transceiver;
    if (!this.peerId || !tr || tr.mid == null) return;
    const info = { participantId: this.peerId, trackId: tr.mid, kind: ev.track.kind };
    const key = info.participantId + '/' + info.trackId;
    const prev = call._emitted.get(key);
    if (prev && prev.track === ev.track) return;
    if (prev) call._removed(info.participantId, info.trackId);
    call._mids.set(tr.mid, info);
    const stream = call._streamOf(info.participantId);
    stream.addTrack(ev.track);
    const detail = { ...info, track: ev.track, stream, mid: tr.mid };
    call._emitted.set(key, detail);
    call._emit('track', detail);
  }

  /** The peer left: a fresh connection with the same local tracks waits for the next one (who will be polite). */
  _reset() {
    const call = this.call;
    const old = this.pc;
    const local = [...call._local.values()];
    call._local.clear();
    this.peerId = null;
    this.polite = false;
    this.wanted = false;
    this.makingOffer = false;
    this._remote = Promise.resolve();
    call._mids = new Map();
    this.pc = this._newPc();
    old.close();
    for (const l of local) this.addLocal(l.track, l.kind, l.muted);
  }

  close() {
    this.pc.close();
  }
}
