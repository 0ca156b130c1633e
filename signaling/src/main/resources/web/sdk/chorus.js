// Chorus browser SDK: a plain ES module, no build step. Served by every Chorus server at /sdk/chorus.js.
//
//   import { Chorus } from '/sdk/chorus.js';
//   const call = await Chorus.connect({ token, room: 'demo' });
//   call.on('track', ({ participantId, kind, track, stream }) => { videoElement.srcObject = stream; });
//   await call.publish({ audio: true, video: true });
//
// Two RTCPeerConnections per participant, one per direction (docs/protocol.md, "One transport per direction"):
// `publisher` carries what this client sends (the client offers), `subscriber` what it receives (the SFU offers).
// Protocol messages are documented in docs/protocol.md, the API in docs/sdk.md.

/** A typed error: `code` is stable (docs/protocol.md lists them), `message` is for humans. */
export class ChorusError extends Error {
  constructor(code, message, closeCode) {
    super(message || code);
    this.name = 'ChorusError';
    this.code = code;
    if (closeCode !== undefined) this.closeCode = closeCode;
  }
}

/** WebSocket close codes the server uses (docs/protocol.md). */
export const CloseCodes = Object.freeze({
  NORMAL: 1000, GOING_AWAY: 1001, POLICY_VIOLATION: 1008, IDLE_TIMEOUT: 4000, JOIN_TIMEOUT: 4001, BAD_JOIN: 4002,
  JOIN_REFUSED: 4003, REVOKED: 4004, TOKEN_EXPIRED: 4005, ROOM_FULL: 4006, MEDIA_UNAVAILABLE: 4007,
  CONDITIONS_NOT_MET: 4008, INVALID_PAYLOAD: 1007, REDIRECT: 4010, TRY_AGAIN_LATER: 1013,
});

/** Redirects followed in a row before a join gives up (cluster mode, docs/cluster.md). */
const MAX_REDIRECTS = 3;

const CLOSE_ERRORS = {
  4000: 'idle_timeout', 4001: 'join_timeout', 4002: 'bad_join', 4003: 'join_refused', 4004: 'revoked',
  4005: 'token_expired', 4006: 'room_full', 4007: 'media_unavailable', 4008: 'conditions_not_met',
  4010: 'redirect', 1013: 'try_again_later', 1007: 'invalid_payload', 1008: 'policy_violation',
  1009: 'message_too_big', 1011: 'internal_error', 1001: 'going_away',
};

const PUBLISH_ERRORS = new Set(['publish_not_allowed', 'too_many_tracks', 'bad_sdp', 'negotiation_failed',
  'sdp_too_large', 'publish_in_progress', 'capacity', 'ice_restart_unsupported', 'closed', 'not_in_call']);

function wsUrlFrom(url) {
  if (!url) return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ws';
  const u = new URL(url, location.href);
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/ws';
  return u.toString();
}

/**
 * One participant's connection to a Chorus room. Create it with `Chorus.connect(...)`.
 *
 * Events (`call.on(type, fn)`; `fn` gets the detail object):
 *   participantJoined {participant}, participantLeft {participantId},
 *   trackPublished {track}, trackUpdated {track}, trackUnpublished {track, reason}   (metadata, as the server says),
 *   track {participantId, trackId, kind, track, stream}   a remote MediaStreamTrack is ready to play,
 *   trackRemoved {participantId, trackId, kind, track, stream},
 *   subscribed {at, mids}   a subscriber answer was applied (`at` = performance.now()),
 *   tokenExpiring {expiresAt}   once per token, `tokenExpiryWarning` seconds before it expires (or when the server warns),
 *   refreshed {rights, expiresAt}, permissionsChanged {rights, reason}   the backend changed this session's rights,
 *   error (a ChorusError), closed {code, reason, error}.
 */
export class Chorus extends EventTarget {
  /**
   * Opens the WebSocket, joins the room and resolves once the server said `joined`.
   * @param {{url?: string, token: string, room: string, iceTransportPolicy?: 'all'|'relay', iceServers?: RTCIceServer[]}} options
   *   `url`: https/wss URL of the Chorus server (default: this page's origin). `iceServers` are added to the
   *   ones the server hands out (TURN credentials when TURN is enabled). `tokenExpiryWarning`: seconds before the
   *   token's expiry at which `tokenExpiring` fires (default 60); answer it with `refreshToken(newToken)`.
   */
  static async connect(options) {
    const call = new Chorus(options);
    await call._join();
    return call;
  }

  constructor({ url, token, room, iceTransportPolicy = 'all', iceServers = [], tokenExpiryWarning = 60 }) {
    super();
    if (!token || !room) throw new ChorusError('bad_options', 'token and room are required');
    this._wsUrl = wsUrlFrom(url);
    this._token = token;
    this.room = room;
    this._policy = iceTransportPolicy;
    this._extraIce = iceServers;
    this.participantId = null;
    this.rights = [];
    this.expiresAt = null;
    this.iceServers = [];
    /** participantId → {participantId, identity, meta} */
    this.participants = new Map();
    /** participantId → MediaStream with that participant's received tracks */
    this.streams = new Map();
    this.publisher = null;
    this.subscriber = null;
    this.localStream = new MediaStream();
    this._local = new Map();      // trackId (mid) → {kind, track, transceiver}
    this._mids = new Map();       // subscriber mid → {participantId, trackId, kind}
    this._emitted = new Map();    // "participantId/trackId" → detail of the emitted `track` event
    this._queue = Promise.resolve(); // serialises SDP work in message order
    this._pending = null;         // {resolve, reject} of the publish in flight
    this._refresh = null;
    this._expiryWarning = tokenExpiryWarning; // liveauth: client-side expiry warning
    this._expiryTimer = null;
    this._warnedFor = null;
    this._closed = false;
  }

  /** Adds a listener; returns a function that removes it. */
  on(type, fn) {
    const l = (e) => fn(e.detail);
    this.addEventListener(type, l);
    return () => this.removeEventListener(type, l);
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _rtcConfig() {
    return {
      iceServers: [...this.iceServers, ...this._extraIce],
      iceTransportPolicy: this._policy,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
  }

  _join(redirects = 0) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this._wsUrl);
      } catch (e) {
        reject(new ChorusError('connect_failed', String(e)));
        return;
      }
      this._ws = ws;
      let joined = false;
      let redirectTo = null;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'join', room: this.room, token: this._token }));
      ws.onmessage = (ev) => {
        let m;
        try { m = JSON.parse(ev.data); } catch { return; }
        if (!joined) {
          // cluster mode: the room lives on another node; the server closes with 4010 right after this
          if (m.type === 'redirect' && typeof m.url === 'string') { redirectTo = m.url; return; }
          if (m.type !== 'joined') return;
          joined = true;
          this._onJoined(m);
          resolve(this);
          return;
        }
        this._onMessage(m);
      };
      ws.onclose = (ev) => {
        if (!joined && ev.code === CloseCodes.REDIRECT && redirectTo && redirects < MAX_REDIRECTS) {
          // same token, the owning node: nothing was reserved on the node that redirected
          this._wsUrl = wsUrlFrom(redirectTo);
          this._emit('redirected', { url: redirectTo });
          this._join(redirects + 1).then(resolve, reject);
          return;
        }
        const code = CLOSE_ERRORS[ev.code] || (ev.code === 1000 ? null : 'connection_closed');
        const error = code ? new ChorusError(code, ev.reason || code, ev.code) : null;
        if (!joined) reject(error || new ChorusError('connection_closed', 'closed before joining', ev.code));
        this._teardown();
        if (this._pending) { this._pending.reject(error || new ChorusError('closed', 'closed')); this._pending = null; }
        this._emit('closed', { code: ev.code, reason: ev.reason, error });
      };
    });
  }

  _onJoined(m) {
    this.participantId = m.participantId;
    this.rights = m.rights || [];
    this.expiresAt = m.expiresAt;
    this.iceServers = m.iceServers || [];
    for (const p of m.participants || []) {
      this.participants.set(p.participantId, { participantId: p.participantId, identity: p.identity, meta: p.meta });
    }
    this.subscriber = new RTCPeerConnection(this._rtcConfig());
    this._ping = setInterval(() => this._send({ type: 'ping' }), 20000);
    this._armExpiry();
  }

  /** Schedules `tokenExpiring` `tokenExpiryWarning` seconds before the current token's expiry. */
  _armExpiry() {
    clearTimeout(this._expiryTimer);
    if (!this.expiresAt) return;
    const ms = this.expiresAt * 1000 - Date.now() - this._expiryWarning * 1000;
    this._expiryTimer = setTimeout(() => this._expiring(this.expiresAt), Math.max(0, ms));
  }

  _expiring(expiresAt) {
    if (this._closed || this._warnedFor === expiresAt) return; // once per token, client timer or server warning
    this._warnedFor = expiresAt;
    this._emit('tokenExpiring', { expiresAt });
  }

  _send(m) {
    if (this._ws && this._ws.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(m));
  }

  /** Runs `fn` after the SDP work queued before it; the returned promise carries its outcome. */
  _serial(fn) {
    const run = this._queue.then(fn);
    this._queue = run.catch(() => {});
    return run;
  }

  _fail(e) {
    this._emit('error', e instanceof ChorusError ? e : new ChorusError('client_error', String(e && e.message || e)));
  }

  _onMessage(m) {
    switch (m.type) {
      case 'subscriberOffer':
        this._serial(() => this._answer(m)).catch((e) => this._fail(e));
        break;
      case 'publishAnswer':
        if (this._pending) { this._pending.resolve(m.sdp); this._pending = null; }
        break;
      case 'participantJoined':
        this.participants.set(m.participant.participantId, m.participant);
        this._emit('participantJoined', { participant: m.participant });
        break;
      case 'participantLeft':
        this.participants.delete(m.participantId);
        this._serial(() => this._removeParticipantTracks(m.participantId)).catch((e) => this._fail(e));
        this._emit('participantLeft', { participantId: m.participantId });
        break;
      case 'trackPublished':
      case 'trackUpdated':
        this._emit(m.type, { track: m.track });
        break;
      case 'trackUnpublished':
        this._emit('trackUnpublished', { track: m.track, reason: m.reason });
        this._removed(m.track.participantId, m.track.trackId);
        break;
      case 'token_expiring':
        this._expiring(m.expiresAt);
        break;
      case 'permissionsChanged':
        this.rights = m.rights || this.rights;
        this._emit('permissionsChanged', { rights: this.rights, reason: m.reason });
        break;
      case 'refreshed':
        this.rights = m.rights || this.rights;
        this.expiresAt = m.expiresAt;
        if (m.iceServers) {
          this.iceServers = m.iceServers;
          for (const pc of [this.publisher, this.subscriber]) if (pc) pc.setConfiguration(this._rtcConfig());
        }
        if (this._refresh) { this._refresh.resolve(); this._refresh = null; }
        this._armExpiry();
        this._emit('refreshed', { rights: this.rights, expiresAt: this.expiresAt });
        break;
      case 'error': {
        const err = new ChorusError(m.code, m.message);
        if (this._pending && PUBLISH_ERRORS.has(m.code)) { this._pending.reject(err); this._pending = null; }
        if (this._refresh && m.code.startsWith('refresh')) { this._refresh.reject(err); this._refresh = null; }
        this._emit('error', err);
        break;
      }
      default:
        break; // pong, transportConnected, transportClosed, …
    }
  }

  async _answer(m) {
    const pc = this.subscriber;
    if (!pc) return;
    const next = new Map();
    for (const t of m.tracks || []) next.set(t.mid, { participantId: t.participantId, trackId: t.trackId, kind: t.kind });
    this._mids = next;
    await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this._send({ type: 'subscriberAnswer', sdp: pc.localDescription.sdp });
    const at = performance.now();
    // Tracks that are in this offer and not yet announced → `track`; announced ones no longer offered → removed.
    const present = new Set();
    for (const tr of pc.getTransceivers()) {
      const info = tr.mid != null ? next.get(tr.mid) : null;
      if (!info || tr.currentDirection === 'inactive' || tr.stopped) continue;
      const key = info.participantId + '/' + info.trackId;
      present.add(key);
      const prev = this._emitted.get(key);
      if (prev && prev.track === tr.receiver.track) continue;
      if (prev) this._removed(info.participantId, info.trackId);
      const stream = this._streamOf(info.participantId);
      stream.addTrack(tr.receiver.track);
      const detail = { ...info, track: tr.receiver.track, stream, mid: tr.mid };
      this._emitted.set(key, detail);
      this._emit('track', detail);
    }
    for (const key of [...this._emitted.keys()]) {
      if (!present.has(key)) {
        const d = this._emitted.get(key);
        this._removed(d.participantId, d.trackId);
      }
    }
    this._emit('subscribed', { at, mids: [...next.keys()] });
  }

  _streamOf(participantId) {
    let s = this.streams.get(participantId);
    if (!s) { s = new MediaStream(); this.streams.set(participantId, s); }
    return s;
  }

  _removed(participantId, trackId) {
    const key = participantId + '/' + trackId;
    const d = this._emitted.get(key);
    if (!d) return;
    this._emitted.delete(key);
    d.stream.removeTrack(d.track);
    this._emit('trackRemoved', d);
  }

  _removeParticipantTracks(participantId) {
    for (const d of [...this._emitted.values()]) if (d.participantId === participantId) this._removed(d.participantId, d.trackId);
    this.streams.delete(participantId);
  }

  /**
   * Publishes camera and/or microphone (fake devices in tests). Resolves with the local MediaStream once the SFU
   * answered. Refusals (e.g. `publish_not_allowed`) reject with a ChorusError.
   * @param {{audio?: boolean|MediaTrackConstraints, video?: boolean|MediaTrackConstraints, stream?: MediaStream}} what
   */
  async publish({ audio = true, video = true, stream } = {}) {
    const media = stream || await navigator.mediaDevices.getUserMedia({ audio, video });
    const added = media.getTracks().map((track) => this._addLocal(track, track.kind));
    try {
      await this._negotiate();
    } catch (e) {
      this._dropLocal(added);
      throw e;
    }
    return this.localStream;
  }

  /** Shares the screen (needs `media:publish:screen`). */
  async publishScreen() {
    const media = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const [track] = media.getVideoTracks();
    const added = [this._addLocal(track, 'screen')];
    track.addEventListener('ended', () => this.unpublish('screen'));
    try {
      await this._negotiate();
    } catch (e) {
      this._dropLocal(added);
      throw e;
    }
    return track;
  }

  _addLocal(track, kind) {
    if (!this.publisher) this.publisher = new RTCPeerConnection(this._rtcConfig());
    const transceiver = this.publisher.addTransceiver(track, { direction: 'sendonly', streams: [this.localStream] });
    this.localStream.addTrack(track);
    this._local.set(transceiver, { kind, track, transceiver });
    return transceiver;
  }

  /** Forgets local tracks whose publish was refused (the offer was rolled back). */
  _dropLocal(transceivers) {
    for (const tr of transceivers) {
      const l = this._local.get(tr);
      if (!l) continue;
      l.track.stop();
      this.localStream.removeTrack(l.track);
      try { tr.stop(); } catch { /* already stopped */ }
      this._local.delete(tr);
    }
  }

  /** Stops publishing every local track of `kind` ('audio', 'video' or 'screen'). */
  async unpublish(kind) {
    for (const [tr, l] of [...this._local]) {
      if (l.kind !== kind) continue;
      l.track.stop();
      this.localStream.removeTrack(l.track);
      tr.stop();
      this._local.delete(tr);
    }
    if (this.publisher) await this._negotiate();
  }

  _negotiate() {
    return this._serial(async () => {
      const pc = this.publisher;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const kinds = {};
      for (const l of this._local.values()) if (l.kind === 'screen' && l.transceiver.mid) kinds[l.transceiver.mid] = 'screen';
      let answer;
      try {
        answer = await new Promise((resolve, reject) => {
          this._pending = { resolve, reject };
          this._send({ type: 'publish', sdp: pc.localDescription.sdp, kinds });
        });
      } catch (e) {
        if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        throw e;
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    });
  }

  /** Mutes (or unmutes) the local tracks of `kind`: nothing is sent and the SFU stops forwarding them. */
  mute(kind, muted = true) {
    for (const l of this._local.values()) {
      if (l.kind !== kind) continue;
      l.track.enabled = !muted;
      if (l.transceiver.mid != null) this._send({ type: 'mute', trackId: l.transceiver.mid, muted });
    }
  }

  unmute(kind) { this.mute(kind, false); }

  /** Whether the local tracks of `kind` are muted. */
  isMuted(kind) {
    for (const l of this._local.values()) if (l.kind === kind) return !l.track.enabled;
    return false;
  }

  /** Replaces the session's token before it expires (listen for `tokenExpiring`). */
  refreshToken(token) {
    return new Promise((resolve, reject) => {
      this._refresh = { resolve, reject };
      this._token = token;
      this._send({ type: 'refresh', token });
    });
  }

  /** Receive-side counters from the subscriber connection's getStats(): video frames decoded, audio bytes, … */
  async stats() {
    const out = { framesDecoded: 0, videoBytesReceived: 0, audioBytesReceived: 0, inbound: [] };
    if (!this.subscriber) return out;
    const report = await this.subscriber.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const from = this._mids.get(s.mid);
      out.inbound.push({ mid: s.mid, kind: s.kind, participantId: from ? from.participantId : null,
        trackId: from ? from.trackId : null, bytesReceived: s.bytesReceived || 0, framesDecoded: s.framesDecoded || 0 });
      if (s.kind === 'video') { out.framesDecoded += s.framesDecoded || 0; out.videoBytesReceived += s.bytesReceived || 0; }
      if (s.kind === 'audio') out.audioBytesReceived += s.bytesReceived || 0;
    });
    return out;
  }

  /** Leaves the room: the server closes the session; local tracks stop. */
  leave() {
    this._send({ type: 'leave' });
    this._teardown();
  }

  _teardown() {
    if (this._closed) return;
    this._closed = true;
    clearInterval(this._ping);
    clearTimeout(this._expiryTimer);
    for (const l of this._local.values()) l.track.stop();
    for (const pc of [this.publisher, this.subscriber]) if (pc) pc.close();
  }
}

export default Chorus;
