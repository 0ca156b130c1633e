// Chorus browser SDK: a plain ES module, no build step. Package: sdk/ (types in chorus.d.ts, docs in README.md);
// every Chorus server also serves this file at /sdk/chorus.js (the Maven build copies it, one source).
//
//   import { Chorus } from '/sdk/chorus.js';
//   const call = await Chorus.connect({ token, room: 'demo' });
//   call.on('track', ({ participantId, kind, track, stream }) => { videoElement.srcObject = stream; });
//   await call.publish({ audio: true, video: true });
//
// Two RTCPeerConnections per participant, one per direction (docs/protocol.md, "One transport per direction"):
// `publisher` carries what this client sends (the client offers), `subscriber` what it receives (the SFU offers).
// Protocol messages are documented in docs/protocol.md, the API in docs/sdk.md. A private peer-to-peer room
// (`mode` 'p2p', docs/p2p.md) uses one relay-only RTCPeerConnection to the other peer instead (p2p.js).

import { P2pLink } from './p2p.js';

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
  CONDITIONS_NOT_MET: 4008, INVALID_PAYLOAD: 1007, REDIRECT: 4010, RESUME_REFUSED: 4011, TRY_AGAIN_LATER: 1013,
});

/** Redirects followed in a row before a join gives up (cluster mode, docs/cluster.md). */
const MAX_REDIRECTS = 3;
/** Screen share's frame rate cap (issue 12: one high-resolution layer at a low frame rate). */
const SCREEN_MAX_FRAMERATE = 15;

const CLOSE_ERRORS = {
  4000: 'idle_timeout', 4001: 'join_timeout', 4002: 'bad_join', 4003: 'join_refused', 4004: 'revoked',
  4005: 'token_expired', 4006: 'room_full', 4007: 'media_unavailable', 4008: 'conditions_not_met',
  4010: 'redirect', 4011: 'resume_refused', 1013: 'try_again_later', 1007: 'invalid_payload', 1008: 'policy_violation',
  1009: 'message_too_big', 1011: 'internal_error', 1001: 'going_away',
};

const PUBLISH_ERRORS = new Set(['publish_not_allowed', 'too_many_tracks', 'bad_sdp', 'negotiation_failed',
  'sdp_too_large', 'publish_in_progress', 'capacity', 'closed', 'not_in_call', 'e2ee_required']);

// Closes after which the SDK rejoins on its own: the network or the server went away, not a decision about this
// participant. Every other close (left, refused, revoked, expired, room full, policy) ends the call.
const RECONNECTABLE_CLOSES = new Set([1001, 1006, 1011, 1012, 1013, 4000, 4007]);

/** What `disconnected` says to a person, by the error code of the close (or of the failed rejoin). */
const HUMAN_REASONS = {
  going_away: 'The server restarted or is shutting down and did not come back in time.',
  connection_closed: 'The network connection to the server was lost and could not be restored.',
  connection_lost: 'The network connection to the server was lost and could not be restored.',
  idle_timeout: 'The connection was idle for too long.',
  join_refused: 'The server refused to let this participant back in (the token is no longer valid).',
  revoked: 'This participant was removed from the room.',
  token_expired: 'The access token expired before it was renewed.',
  room_full: 'The room is full.',
  media_unavailable: 'The media server is unavailable.',
  no_token: 'No fresh token was available to rejoin the call.',
};

/** `promise`, or a ChorusError(`code`) after `ms`. */
function withTimeout(promise, ms, code) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new ChorusError(code, 'timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether the signaling WebSocket still carries messages, judged from the times the SDK feeds it (sans-IO, so it is
 * tested without a browser). TCP hides a dead path: what is written during an outage waits out the retransmission
 * backoff (seconds, doubling) after the network returns, so an ICE restart or an answer signaled on such a socket
 * arrives seconds late. The SDK therefore pings every `pingInterval` ms and judges the socket by the answers:
 *   - `dead(now, mediaUp)`: a ping unanswered for `deadAfter` ms, or for `pongTimeout` ms while a peer connection
 *     is connected (the network works, the socket does not); the SDK resumes the session on a new socket;
 *   - `stale(now)`: when the network comes back (ICE connected again, `online`), a ping unanswered for `backAfter`
 *     ms means the socket sat through the outage: it is replaced at once instead of waiting for TCP;
 *   - `proven(since)`: the socket delivered a message after `since` and no ping is overdue, so signaling sent now
 *     (an ICE restart) arrives now.
 */
export class SocketWatch {
  constructor({ pingInterval = 5000, pongTimeout = 4000, deadAfter = 12000, backAfter = 1000 } = {}) {
    this.pingInterval = pingInterval;
    this.pongTimeout = pongTimeout;
    this.deadAfter = deadAfter;
    this.backAfter = backAfter;
    this.reset(0);
  }

  /** A new socket (joined or resumed at `now`): nothing outstanding. */
  reset(now) {
    this.lastHeard = now;
    this.lastPing = now;
    this.unansweredSince = null;
  }

  /** A message arrived on the socket: every ping before it is answered. */
  heard(now) {
    this.lastHeard = now;
    this.unansweredSince = null;
  }

  /** A ping was sent; the oldest unanswered one is what counts. */
  pinged(now) {
    this.lastPing = now;
    if (this.unansweredSince == null) this.unansweredSince = now;
  }

  /** A periodic ping is due: none outstanding and `pingInterval` since the last. */
  pingDue(now) {
    return this.unansweredSince == null && now - this.lastPing >= this.pingInterval;
  }

  /** How long the oldest ping has gone unanswered (0: none outstanding). */
  unanswered(now) {
    return this.unansweredSince == null ? 0 : now - this.unansweredSince;
  }

  dead(now, mediaUp) {
    const u = this.unanswered(now);
    return u >= this.deadAfter || (mediaUp && u >= this.pongTimeout);
  }

  stale(now) {
    return this.unanswered(now) >= this.backAfter;
  }

  proven(since) {
    return this.unansweredSince == null && this.lastHeard > since;
  }
}

function wsUrlFrom(url) {
  if (!url) return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/ws';
  const u = new URL(url, location.href);
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/ws';
  return u.toString();
}

/** The WebSocket URLs a join or rejoin may start from: `url` (default: the page's origin), then each of `urls`. */
function entryUrls(url, urls) {
  const given = [url, ...(Array.isArray(urls) ? urls : [])].filter(Boolean);
  return [...new Set((given.length ? given : [undefined]).map(wsUrlFrom))];
}

/**
 * Rates one participant's connection from what the browser measured over the last interval: `loss` 0…1 (packets
 * lost / expected), `rttMs` (round trip to the SFU), `jitterMs`, `receiving` (whether any media arrived or was sent).
 * Thresholds follow the usual VoIP rule of thumb: under 2 % loss and 150 ms is excellent, under 5 % and 300 ms good.
 */
export function rateConnection({ loss = 0, rttMs = null, jitterMs = null, receiving = true } = {}) {
  if (!receiving) return 'lost';
  const rtt = rttMs == null ? 0 : rttMs;
  const jitter = jitterMs == null ? 0 : jitterMs;
  if (loss < 0.02 && rtt < 150 && jitter < 30) return 'excellent';
  if (loss < 0.05 && rtt < 300 && jitter < 50) return 'good';
  return 'poor';
}

/** Lists the media devices (labels are empty until the page was granted camera/microphone access once). */
export async function listDevices(kind) {
  const all = await navigator.mediaDevices.enumerateDevices();
  return all.filter((d) => !kind || d.kind === kind)
    .map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: d.label }));
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
 *   error (a ChorusError), closed {code, reason, error},
 *   deviceChanged {kind, deviceId, track}   a local camera/microphone was switched (or replaced after it was unplugged),
 *   devicesChanged {devices}   the browser's device list changed,
 *   connectionQuality {participantId, quality, loss, rttMs, jitterMs}   a participant's rating changed (self included),
 *   audioLevels {levels}   every `monitorInterval` ms: participantId → audio level 0…1 (self included),
 *   speakingChanged {participantId, speaking}   a participant started/stopped speaking (level above a threshold),
 *   activeSpeaker {participantId}   the SFU's active speaker changed (at most every 300 ms),
 *   serverAudioLevels {levels}   the SFU's smoothed levels (from the RFC 6464 header extension): participantId → 0…1,
 *   reconnecting {reason}   the connection to the server was lost; the SDK rejoins on its own (local tracks kept),
 *   reconnected {participantId, resumed}   back in the room: `resumed` true when the session was resumed (same
 *     participant, tracks and subscriptions kept, nothing renegotiated), false after a rejoin as a new participant
 *     (local tracks republished, subscriptions offered again),
 *   disconnected {reason, code}   reconnecting gave up (`reason` is a sentence for a person); `closed` follows,
 *   draining {deadline}   the server is shutting down (epoch seconds); the SDK rejoins when it closes the session,
 *   iceRestart {role}   an ICE restart of the publish or subscribe connection was started (network change/failure, new TURN credentials).
 *   codecUnavailable {codec}   the `videoCodec` asked for at connect cannot be sent by this browser (video goes out as VP8).
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

  constructor({ url, token, room, iceTransportPolicy = 'all', iceServers = [], tokenExpiryWarning = 60,
    monitorInterval = 250, qualityInterval = 2000, getToken = null, reconnectTimeout = 60, e2ee = null, urls = [],
    simulcast = true, videoCodec = null }) {
    super();
    if (!token || !room) throw new ChorusError('bad_options', 'token and room are required');
    this._entries = entryUrls(url, urls); // cluster mode: the nodes a rejoin may start from (docs/cluster.md)
    this._entry = 0;
    this._wsUrl = this._entries[0];
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
    this.name = null;             // this participant's display name (the token's `name` claim)
    /** participantId → {quality, loss, rttMs, jitterMs} (self included) */
    this.connectionQuality = new Map();
    /** participantId → audio level 0…1 of the last monitor tick (self included) */
    this.audioLevels = new Map();
    this._monitorMs = monitorInterval;
    this._qualityMs = qualityInterval;
    this._speaking = new Set();
    /** The room's active speaker as the SFU decided it (participantId), or null. */
    this.activeSpeaker = null;
    /** participantId → the SFU's last reported level 0…1 (you and those whose audio you receive) */
    this.serverAudioLevels = new Map();
    this._prevCounters = new Map(); // stats id → {lost, received, bytes} of the previous quality tick
    this._getToken = getToken;      // app callback: () => Promise<string>, a fresh token for a rejoin
    this._reconnectTimeout = reconnectTimeout; // seconds of rejoin attempts before `disconnected`
    this._reconnecting = false;
    this._resume = null;            // {credential, grace} of `joined`/`resumed`: resumes this session once (docs/sdk.md)
    this._leaving = false;
    this._iceTimers = new Map();    // pc → timer of a pending restart after `disconnected`
    this._socket = new SocketWatch(); // is the signaling socket alive? (keep-alive, docs/sdk.md)
    this._abandoned = null;         // a socket given up as dead: still read until the server drops it
    this._watchNetwork();
    this._initE2ee(e2ee);
    this._simulcast = simulcast;   // issue 12: camera video as 3 simulcast layers (see _sendEncodings)
    this._videoCodec = videoCodec; // issue 12: 'VP8' (default), 'VP9' or 'H264': the codec video is published with
  }

  /** A participant's display name: the token's `name` claim, else its identity. Works for this participant too. */
  displayName(participantId) {
    if (participantId === this.participantId) return this.name || participantId;
    const p = this.participants.get(participantId);
    return p ? (p.name || p.identity || participantId) : participantId;
  }

  /** Adds a listener; returns a function that removes it. Listening to `data` opens the data channels. */
  on(type, fn) {
    const l = (e) => fn(e.detail);
    this.addEventListener(type, l);
    if (type === 'data') this._openData().catch((e) => this._fail(e));
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
      ...this._e2eeRtcConfig(),
    };
  }

  /**
   * Opens a WebSocket and joins (or, with `resume` = {credential}, resumes the parked session: `resumed` instead of
   * `joined`, refused with 4011 `resume_refused`). Resolves once the server said `joined`/`resumed`.
   */
  _join(redirects = 0, resume = null) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this._wsUrl);
      } catch (e) {
        reject(new ChorusError('connect_failed', String(e)));
        return;
      }
      this._ws = ws;
      ws._chorusCreated = performance.now();
      let joined = false;
      let redirectTo = null;
      ws.onopen = () => {
        ws._chorusOpened = true;
        ws.send(JSON.stringify(resume
          ? { type: 'resume', room: this.room, token: this._token, credential: resume.credential }
          : { type: 'join', room: this.room, token: this._token }));
      };
      ws.onmessage = (ev) => {
        if (this._ws === ws) this._heard();
        let m;
        try { m = JSON.parse(ev.data); } catch { return; }
        if (!joined) {
          // cluster mode: the room lives on another node; the server closes with 4010 right after this
          if (m.type === 'redirect' && typeof m.url === 'string') { redirectTo = m.url; return; }
          if (m.type !== (resume ? 'resumed' : 'joined')) return;
          joined = true;
          if (resume) this._onResumed(m); else this._onJoined(m);
          resolve(this);
          return;
        }
        this._onMessage(m);
      };
      ws.onclose = (ev) => {
        if (this._ws !== ws) return; // an earlier socket, replaced by a rejoin
        if (!joined && !resume && ev.code === CloseCodes.REDIRECT && redirectTo && redirects < MAX_REDIRECTS) {
          // same token, the owning node: nothing was reserved on the node that redirected
          this._wsUrl = wsUrlFrom(redirectTo);
          this._emit('redirected', { url: redirectTo });
          this._join(redirects + 1).then(resolve, reject);
          return;
        }
        const code = CLOSE_ERRORS[ev.code] || (ev.code === 1000 ? null : 'connection_closed');
        const error = code ? new ChorusError(code, ev.reason || code, ev.code) : null;
        if (!joined) {
          reject(error || new ChorusError('connection_closed', 'closed before joining', ev.code));
          if (this._reconnecting) return; // the rejoin loop decides
        }
        if (joined && !this._leaving && !this._closed && RECONNECTABLE_CLOSES.has(ev.code)) {
          this._reconnect(code || 'connection_closed');
          return;
        }
        this._teardown();
        if (this._pending) { this._pending.reject(error || new ChorusError('closed', 'closed')); this._pending = null; }
        this._emit('closed', { code: ev.code, reason: ev.reason, error });
      };
    });
  }

  _onJoined(m) {
    this._resume = m.resume || null;
    this.participantId = m.participantId;
    this.name = m.name || null;
    this.rights = m.rights || [];
    this.expiresAt = m.expiresAt;
    this.iceServers = m.iceServers || [];
    for (const p of m.participants || []) {
      this.participants.set(p.participantId, { participantId: p.participantId, identity: p.identity, name: p.name, meta: p.meta });
    }
    /** 'sfu', or 'p2p' in a private peer-to-peer room (docs/p2p.md). */
    this.mode = m.mode === 'p2p' ? 'p2p' : 'sfu';
    this._p2p = this.mode === 'p2p' ? new P2pLink(this, m) : null;
    if (!this._p2p) {
      this.subscriber = new RTCPeerConnection(this._rtcConfig());
      this._watchIce(this.subscriber, 'subscribe');
    }
    this._startKeepAlive();
    this._armExpiry();
    this._startMonitor();
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
    if (this._p2p && this._p2p.handle(m)) return;
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
        this.connectionQuality.delete(m.participantId);
        this.audioLevels.delete(m.participantId);
        this._speaking.delete(m.participantId);
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
      case 'activeSpeaker':
        this.activeSpeaker = m.participantId;
        this._emit('activeSpeaker', { participantId: m.participantId });
        break;
      case 'audioLevels': {
        const levels = new Map(Object.entries(m.levels || {}));
        this.serverAudioLevels = levels;
        this._emit('serverAudioLevels', { levels });
        break;
      }
      case 'trackPaused':
      case 'trackResumed':
        this._emit(m.type, { track: m.track, reason: m.reason });
        break;
      case 'publishLayers':
        this._applyPublishLayers(m).catch(() => { /* sender gone: nothing to pause */ });
        break;
      case 'iceServers':
        this._renewIceServers(m.iceServers || []);
        break;
      case 'draining':
        this._emit('draining', { deadline: m.deadline });
        break;
      case 'token_expiring':
        this._expiring(m.expiresAt);
        break;
      case 'dataRefused':
        this._emit('error', new ChorusError(m.reason || 'data_publish_not_allowed', 'a data message was refused'));
        break;
      case 'permissionsChanged':
        this.rights = m.rights || this.rights;
        this._emit('permissionsChanged', { rights: this.rights, reason: m.reason });
        break;
      case 'refreshed':
        this.rights = m.rights || this.rights;
        this.expiresAt = m.expiresAt;
        if (m.iceServers) this._renewIceServers(m.iceServers);
        if (this._refresh) { this._refresh.resolve(); this._refresh = null; }
        this._armExpiry();
        this._emit('refreshed', { rights: this.rights, expiresAt: this.expiresAt });
        break;
      case 'error': {
        const err = new ChorusError(m.code, m.message);
        // a publish sent again after a resume may meet the first one still being answered: that answer comes
        const first = this._pending && this._pending.resent && m.code === 'publish_in_progress';
        if (this._pending && PUBLISH_ERRORS.has(m.code) && !first) { this._pending.reject(err); this._pending = null; }
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
    this._e2eeReceivers(pc, next);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    // Echo the offer's version: an answer to an offer the server withdrew meanwhile (its re-offer follows) is then
    // ignored instead of being checked against the re-offer and refused. A server without versions sends none.
    const reply = { type: 'subscriberAnswer', sdp: pc.localDescription.sdp };
    if (Number.isSafeInteger(m.version)) reply.version = m.version;
    this._send(reply);
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

  /**
   * Shares the screen (needs `media:publish:screen`) as what a screen needs: ONE encoding at the captured resolution
   * (never scaled down, so text stays sharp) and a low frame rate, unlike the camera's simulcast. The track gets
   * `contentHint = 'detail'` (the browser encodes it as a screencast and keeps the resolution when bandwidth is short,
   * dropping frames instead) and is published as kind `screen`, which the SFU's allocator serves right after audio.
   * `maxFramerate` (default 15) caps both the capture and the encoding.
   * @param {{maxFramerate?: number}} [options]
   */
  async publishScreen({ maxFramerate = SCREEN_MAX_FRAMERATE } = {}) {
    const media = await navigator.mediaDevices.getDisplayMedia(
      { video: { frameRate: { ideal: maxFramerate, max: maxFramerate } }, audio: false });
    const [track] = media.getVideoTracks();
    if ('contentHint' in track) track.contentHint = 'detail';
    this._screenFramerate = maxFramerate;
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

  _addLocal(track, kind, muted = false) {
    if (this._p2p) return this._p2p.addLocal(track, kind, muted);
    if (!this.publisher) {
      this.publisher = new RTCPeerConnection(this._rtcConfig());
      this._watchIce(this.publisher, 'publish');
    }
    const init = { direction: 'sendonly', streams: [this.localStream] };
    const encodings = this._sendEncodings(kind);
    if (encodings) init.sendEncodings = encodings;
    const transceiver = this.publisher.addTransceiver(muted ? track.kind : track, init);
    if (kind !== 'audio') this._preferCodec(transceiver);
    this.localStream.addTrack(track);
    this._local.set(transceiver, { kind, track, transceiver, muted });
    this._watchDevice(transceiver);
    this._e2eeSender(transceiver.sender, kind);
    return transceiver;
  }

  // ---- simulcast, adaptive stream, dynacast (issue 12) -------------------------------------------------------------

  /**
   * The encodings a new local track is sent with: camera video as three simulcast layers, full size first (a server
   * that declines simulcast still gets full quality) then half and quarter size (rids f, h, q: the SFU orders layers
   * by these names); screen share as one encoding at full size and a low frame rate (`publishScreen`); audio as one
   * encoding. `simulcast: false` at connect turns camera simulcast off.
   */
  _sendEncodings(kind) {
    if (kind === 'screen') {
      return [{ scaleResolutionDownBy: 1, maxFramerate: this._screenFramerate || SCREEN_MAX_FRAMERATE }];
    }
    if (kind !== 'video' || !this._simulcast) return null;
    return [
      { rid: 'f' },
      { rid: 'h', scaleResolutionDownBy: 2 },
      { rid: 'q', scaleResolutionDownBy: 4 },
    ];
  }

  /**
   * `videoCodec` at connect: the browser's formats of that codec first (the SFU takes the first format it forwards:
   * VP8, VP9 profile 0, H.264 packetization-mode 1), the others after it. A browser that cannot send it keeps its
   * own order (so VP8), and `codecUnavailable` says so once.
   */
  _preferCodec(transceiver) {
    if (!this._videoCodec || typeof transceiver.setCodecPreferences !== 'function') return;
    const caps = (RTCRtpSender.getCapabilities && RTCRtpSender.getCapabilities('video')) || { codecs: [] };
    const want = 'video/' + this._videoCodec.toLowerCase();
    const first = caps.codecs.filter(c => c.mimeType.toLowerCase() === want
      && !/packetization-mode=0/.test(c.sdpFmtpLine || ''));
    if (first.length === 0) {
      if (!this._codecWarned) this._emit('codecUnavailable', { codec: this._videoCodec });
      this._codecWarned = true;
      return;
    }
    const rest = caps.codecs.filter(c => !first.includes(c));
    transceiver.setCodecPreferences([...first, ...rest]);
  }

  /** Dynacast: the SFU says which layers of one of our tracks anyone receives; the others stop being encoded. */
  async _applyPublishLayers(m) {
    for (const l of this._local.values()) {
      if (l.transceiver.mid !== m.trackId) continue;
      const sender = l.transceiver.sender;
      const params = sender.getParameters();
      if (!params.encodings || params.encodings.length < 2) return;
      let changed = false;
      for (const e of params.encodings) {
        if (e.rid == null || !(e.rid in (m.layers || {}))) continue;
        const active = m.layers[e.rid] === true;
        if (e.active !== active) { e.active = active; changed = true; }
      }
      if (changed) await sender.setParameters(params);
      this._emit('publishLayers', { trackId: m.trackId, layers: { ...m.layers } });
    }
  }

  /**
   * Adaptive stream: shows a received video track in `element` and tells the SFU the element's size and
   * visibility, so it sends the smallest simulcast layer that looks sharp there (a hidden element gets none).
   * Returns a function that stops observing. `detail` is a `track` event's detail.
   */
  attachVideo(detail, element) {
    if (element.srcObject == null || !element.srcObject.getTracks().includes(detail.track)) {
      element.srcObject = new MediaStream([detail.track]);
    }
    return this.observeVideoElement(element, detail.participantId, detail.trackId);
  }

  /** Adaptive stream for an element the app fills itself; see attachVideo. Returns a function that stops it. */
  observeVideoElement(element, participantId, trackId) {
    const view = this._view(participantId, trackId);
    view.element = element;
    let intersecting = true;
    const report = () => {
      if (view.element !== element) return;
      const r = element.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      view.width = Math.round(r.width * dpr);
      view.height = Math.round(r.height * dpr);
      view.visible = intersecting && document.visibilityState !== 'hidden' && r.width > 0 && r.height > 0;
      this._sendView(participantId, trackId);
    };
    const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(report) : null;
    const inter = typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => { intersecting = entries[entries.length - 1].isIntersecting; report(); })
      : null;
    resize?.observe(element);
    inter?.observe(element);
    document.addEventListener('visibilitychange', report);
    report();
    return () => {
      resize?.disconnect();
      inter?.disconnect();
      document.removeEventListener('visibilitychange', report);
      if (view.element === element) {
        view.element = null;
        view.width = 0;
        view.height = 0;
        view.visible = true;
        this._sendView(participantId, trackId);
      }
    };
  }

  /**
   * Caps the quality the SFU sends of a received video track: 'low', 'medium', 'high' (simulcast layers), or null
   * for no cap. Works with or without adaptive stream (the smaller of the two wins).
   */
  setPreferredQuality(participantId, trackId, quality) {
    if (quality != null && !['low', 'medium', 'high'].includes(quality)) {
      throw new ChorusError('bad_options', "quality is 'low', 'medium', 'high' or null");
    }
    this._view(participantId, trackId).quality = quality ?? null;
    this._sendView(participantId, trackId);
  }

  _view(participantId, trackId) {
    if (!this._views) this._views = new Map();
    const key = participantId + '/' + trackId;
    let v = this._views.get(key);
    if (!v) {
      v = { element: null, width: 0, height: 0, visible: true, quality: null, sent: null, timer: null };
      this._views.set(key, v);
    }
    return v;
  }

  /** Sends the view of one track if it changed, at most every 100 ms (resizes come in bursts). */
  _sendView(participantId, trackId) {
    const v = this._view(participantId, trackId);
    if (v.timer) return;
    v.timer = setTimeout(() => {
      v.timer = null;
      const m = { type: 'trackView', participantId, trackId, width: v.width, height: v.height, visible: v.visible,
        quality: v.quality };
      const text = JSON.stringify(m);
      if (text === v.sent) return;
      v.sent = text;
      this._send(m);
    }, v.sent == null ? 0 : 100);
  }

  // ---- devices ---------------------------------------------------------------------------------------------------

  /** Lists cameras (`videoinput`), microphones (`audioinput`) and speakers (`audiooutput`), or all of them. */
  static devices(kind) { return listDevices(kind); }

  /** The deviceId of the local `kind` ('audio' or 'video') track being published, or null. */
  currentDevice(kind) {
    for (const l of this._local.values()) if (l.kind === kind) return l.track.getSettings().deviceId || null;
    return null;
  }

  /**
   * Switches the published camera or microphone to `deviceId` (the browser's default when omitted) without
   * renegotiating: the new track replaces the old one on the same sender, so the others keep receiving the same
   * track id. The mute state carries over. Resolves with the new MediaStreamTrack.
   */
  async switchDevice(kind, deviceId) {
    if (kind !== 'audio' && kind !== 'video') throw new ChorusError('bad_options', 'kind must be audio or video');
    const entry = [...this._local.values()].find((l) => l.kind === kind);
    if (!entry) throw new ChorusError('not_published', 'no published ' + kind + ' track to switch');
    const constraints = deviceId ? { deviceId: { exact: deviceId } } : true;
    // a camera cannot always be opened twice: release the old one first for video
    if (kind === 'video') entry.track.stop();
    let media;
    try {
      media = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    } catch (e) {
      throw new ChorusError('device_unavailable', String(e && e.message || e));
    }
    const track = kind === 'audio' ? media.getAudioTracks()[0] : media.getVideoTracks()[0];
    const old = entry.track;
    track.enabled = old.enabled;
    // a muted sender sends nothing (replaceTrack(null)); the new device is sent once unmuted
    if (!entry.muted) await entry.transceiver.sender.replaceTrack(track);
    old.stop();
    this.localStream.removeTrack(old);
    this.localStream.addTrack(track);
    entry.track = track;
    this._watchDevice(entry.transceiver);
    const detail = { kind, deviceId: track.getSettings().deviceId || null, track };
    this._emit('deviceChanged', detail);
    return track;
  }

  /** Plays received audio through the speaker `deviceId` (Chromium's setSinkId) on the given media element. */
  static async setAudioOutput(element, deviceId) {
    if (typeof element.setSinkId !== 'function') throw new ChorusError('unsupported', 'this browser cannot choose a speaker');
    await element.setSinkId(deviceId || '');
  }

  /** A camera or microphone that goes away (unplugged, revoked) is replaced by the browser's default one. */
  _watchDevice(transceiver) {
    const l = this._local.get(transceiver);
    if (!l || (l.kind !== 'audio' && l.kind !== 'video')) return;
    const track = l.track;
    track.addEventListener('ended', () => {
      if (this._closed || l.track !== track || !this._local.has(transceiver)) return;
      this.switchDevice(l.kind).catch((e) => this._fail(e));
    });
    if (!this._onDeviceChange && navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
      this._onDeviceChange = () => listDevices().then((devices) => this._emit('devicesChanged', { devices }), () => {});
      navigator.mediaDevices.addEventListener('devicechange', this._onDeviceChange);
    }
  }

  // ---- audio levels, speaking and connection quality (from the browser's own getStats) ---------------------------

  _startMonitor() {
    let lastQuality = 0;
    let busy = false;
    this._monitor = setInterval(async () => {
      if (busy || this._closed) return;
      busy = true;
      try {
        const now = performance.now();
        const quality = now - lastQuality >= this._qualityMs;
        if (quality) lastQuality = now;
        await this._sample(quality);
      } catch (e) {
        // a connection closing mid-getStats: the next tick sees the new state
      } finally {
        busy = false;
      }
    }, this._monitorMs);
  }

  async _sample(withQuality) {
    const levels = new Map();
    const perParticipant = new Map(); // participantId → {lost, expected, jitter, bytes}
    let subscriberRtt = null;
    if (this.subscriber) {
      const report = await this.subscriber.getStats();
      report.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime != null) subscriberRtt = s.currentRoundTripTime * 1000;
        if (s.type !== 'inbound-rtp') return;
        const from = this._mids.get(s.mid);
        if (!from) return;
        if (s.kind === 'audio' && s.audioLevel != null) {
          levels.set(from.participantId, Math.max(levels.get(from.participantId) || 0, s.audioLevel));
        }
        if (withQuality) this._accumulate(perParticipant, from.participantId, s, s.packetsLost || 0, s.packetsReceived || 0, s.bytesReceived || 0, s.jitter);
      });
    }
    let self = null;
    if (this.publisher && this._local.size) {
      const report = await this.publisher.getStats();
      let rtt = null; let lost = 0; let sent = 0; let bytes = 0; let jitter = null;
      report.forEach((s) => {
        if (s.type === 'media-source' && s.kind === 'audio' && s.audioLevel != null) {
          levels.set(this.participantId, Math.max(levels.get(this.participantId) || 0, this.isMuted('audio') ? 0 : s.audioLevel));
        }
        if (!withQuality) return;
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime != null) rtt = s.currentRoundTripTime * 1000;
        if (s.type === 'remote-inbound-rtp') {
          lost += Math.max(0, s.packetsLost || 0);
          if (s.roundTripTime != null) rtt = Math.max(rtt || 0, s.roundTripTime * 1000);
          if (s.jitter != null) jitter = Math.max(jitter || 0, s.jitter * 1000);
        }
        if (s.type === 'outbound-rtp') { sent += s.packetsSent || 0; bytes += s.bytesSent || 0; }
      });
      if (withQuality) self = this._delta('self', lost, sent + lost, bytes, jitter, rtt);
    }
    for (const [pid, level] of levels) this.audioLevels.set(pid, level);
    this._emit('audioLevels', { levels: new Map(levels) });
    for (const [pid, level] of levels) {
      // hysteresis: start above 0.05, stop below 0.02, so a word's gaps do not flicker the outline
      const was = this._speaking.has(pid);
      const is = was ? level > 0.02 : level > 0.05;
      if (is !== was) {
        if (is) this._speaking.add(pid); else this._speaking.delete(pid);
        this._emit('speakingChanged', { participantId: pid, speaking: is });
      }
    }
    if (!withQuality) return;
    const ratings = new Map();
    for (const [pid, c] of perParticipant) ratings.set(pid, this._delta(pid, c.lost, c.received + c.lost, c.bytes, c.jitter, subscriberRtt));
    if (self) ratings.set(this.participantId, self);
    for (const [pid, r] of ratings) {
      if (!r) continue;
      const prev = this.connectionQuality.get(pid);
      this.connectionQuality.set(pid, r);
      if (!prev || prev.quality !== r.quality) this._emit('connectionQuality', { participantId: pid, ...r });
    }
  }

  _accumulate(into, pid, s, lost, received, bytes, jitter) {
    const c = into.get(pid) || { lost: 0, received: 0, bytes: 0, jitter: null };
    c.lost += Math.max(0, lost);
    c.received += received;
    c.bytes += bytes;
    if (jitter != null) c.jitter = Math.max(c.jitter || 0, jitter * 1000);
    into.set(pid, c);
  }

  /** The rating over the interval since the previous sample of the same participant (cumulative counters). */
  _delta(key, lost, expected, bytes, jitterMs, rttMs) {
    const prev = this._prevCounters.get(key);
    this._prevCounters.set(key, { lost, expected, bytes });
    if (!prev) return null;
    const dExpected = expected - prev.expected;
    const dLost = Math.max(0, lost - prev.lost);
    const loss = dExpected > 0 ? Math.min(1, dLost / dExpected) : 0;
    const receiving = bytes > prev.bytes;
    const r = { loss, rttMs: rttMs == null ? null : Math.round(rttMs), jitterMs: jitterMs == null ? null : Math.round(jitterMs) };
    return { quality: rateConnection({ ...r, receiving }), ...r };
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
    if (this._p2p) return this._p2p.negotiate();
    return this._serial(async () => {
      const pc = this.publisher;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const kinds = {};
      for (const l of this._local.values()) if (l.kind === 'screen' && l.transceiver.mid) kinds[l.transceiver.mid] = 'screen';
      let answer;
      try {
        answer = await new Promise((resolve, reject) => {
          const message = { type: 'publish', sdp: pc.localDescription.sdp, kinds, ...this._e2eePublishFields() };
          this._pending = { resolve, reject, message };
          this._send(message);
        });
      } catch (e) {
        if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        throw e;
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    });
  }

  /**
   * Mutes (or unmutes) the local tracks of `kind`: the sender is detached (`replaceTrack(null)`), so the browser
   * encodes and sends nothing, and the SFU marks the track muted for everyone. The device stays open (unmuting is
   * instant); `stopCamera()` also releases the camera. Resolves once the senders are switched.
   */
  async mute(kind, muted = true) {
    const jobs = [];
    for (const l of this._local.values()) {
      if (l.kind !== kind) continue;
      l.muted = muted;
      l.track.enabled = !muted;
      jobs.push(l.transceiver.sender.replaceTrack(muted ? null : l.track));
      if (l.transceiver.mid != null) this._send({ type: this._p2p ? 'p2pMute' : 'mute', trackId: l.transceiver.mid, muted });
    }
    await Promise.all(jobs);
  }

  unmute(kind) { return this.mute(kind, false); }

  /** Whether the local tracks of `kind` are muted. */
  isMuted(kind) {
    for (const l of this._local.values()) if (l.kind === kind) return !!l.muted;
    return false;
  }

  /** Mutes the camera and releases the device (its light goes off); `startCamera()` opens it again. */
  async stopCamera() {
    await this.mute('video', true);
    for (const l of this._local.values()) if (l.kind === 'video') l.track.stop();
  }

  /** Reopens the camera after `stopCamera()` and unmutes it on the same sender (no renegotiation). */
  async startCamera(constraints = true) {
    for (const l of this._local.values()) {
      if (l.kind !== 'video' || l.track.readyState !== 'ended') continue;
      const [fresh] = (await navigator.mediaDevices.getUserMedia({ video: constraints })).getVideoTracks();
      this.localStream.removeTrack(l.track);
      this.localStream.addTrack(fresh);
      l.track = fresh;
    }
    await this.mute('video', false);
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
    this._leaving = true;
    this._send({ type: 'leave' });
    this._teardown();
  }

  _teardown() {
    if (this._closed) return;
    this._closed = true;
    clearInterval(this._ping);
    this._closeAbandoned();
    clearInterval(this._monitor);
    if (this._onDeviceChange) navigator.mediaDevices.removeEventListener('devicechange', this._onDeviceChange);
    clearTimeout(this._expiryTimer);
    for (const t of this._iceTimers.values()) clearTimeout(t);
    if (this._unwatchNetwork) this._unwatchNetwork();
    for (const l of this._local.values()) l.track.stop();
    for (const pc of [this.publisher, this.subscriber]) if (pc) pc.close();
  }

  // ---- Resilience: ICE restart and rejoin (docs/sdk.md, "Network changes and reconnects") ------------------------

  /**
   * Restarts ICE of `pc` at once when its ICE state turns `failed`, and when it stays `disconnected` for 2 s (a
   * short glitch recovers by itself). The publish connection restarts with its own offer (`restartIce()` then
   * `publish`); the subscribe connection asks the server for an offer with fresh credentials (`iceRestart`).
   * A restart is only signaled on a socket that answered since the trouble began (a ping is sent when it begins):
   * during an outage the socket is as dead as the media path, and a restart queued on it would arrive seconds after
   * the network returns (TCP backoff), long after ICE reconnected on its own over the old path. When ICE comes back
   * by itself the wanted restart is dropped and, if the socket sat through the outage, the session is resumed on a
   * new socket at once (`_networkBack`).
   */
  _watchIce(pc, role) {
    pc.addEventListener('iceconnectionstatechange', () => {
      const state = pc.iceConnectionState;
      clearTimeout(this._iceTimers.get(pc));
      this._iceTimers.delete(pc);
      if (state === 'failed' || state === 'disconnected') {
        if (!pc._chorusTroubleAt) pc._chorusTroubleAt = performance.now();
        this._probe();
      }
      if (state === 'failed') this._restartIce(pc, role);
      else if (state === 'disconnected') this._restartAfter(pc, role, 2000);
      else if (state === 'connected' || state === 'completed') {
        pc._chorusRestartWanted = false;
        const troubled = pc._chorusTroubleAt;
        pc._chorusTroubleAt = 0;
        if (troubled) this._networkBack();
      }
    });
  }

  /** Restarts ICE of `pc` after `delay` ms if it is still not connected. */
  _restartAfter(pc, role, delay) {
    clearTimeout(this._iceTimers.get(pc));
    this._iceTimers.set(pc, setTimeout(() => {
      this._iceTimers.delete(pc);
      if (['disconnected', 'failed'].includes(pc.iceConnectionState)) this._restartIce(pc, role);
    }, delay));
  }

  _restartIce(pc, role) {
    if (this._closed || this._reconnecting || pc.signalingState === 'closed') return;
    if (!(this._p2p && pc === this._p2p.pc) && !this._socket.proven(pc._chorusTroubleAt || 0)) {
      pc._chorusRestartWanted = role; // signaled once the socket answers (_heard), or after a resume
      this._probe();
      return;
    }
    pc._chorusRestartWanted = false;
    const now = performance.now();
    if (pc._chorusRestartAt && now - pc._chorusRestartAt < 3000) {
      // one at a time; a connection still not connected after it is retried
      this._restartAfter(pc, role, 3000 - (now - pc._chorusRestartAt));
      return;
    }
    pc._chorusRestartAt = now;
    this._emit('iceRestart', { role });
    if (this._p2p && pc === this._p2p.pc) { pc.restartIce(); return; } // the peers renegotiate between themselves
    if (role === 'subscribe') {
      this._send({ type: 'iceRestart' });
    } else if (pc === this.publisher) {
      pc.restartIce();
      this._negotiate().catch((e) => this._fail(e));
    }
  }

  // ---- Keep-alive of the signaling socket (SocketWatch) -----------------------------------------------------------

  /** Joined or resumed on a new socket: pings every second tick that one is due, and judges the answers. */
  _startKeepAlive() {
    clearInterval(this._ping);
    this._socket.reset(performance.now());
    this._ping = setInterval(() => this._keepAlive(), 1000);
  }

  _keepAlive() {
    if (this._closed || this._reconnecting || !this._ws) return;
    const now = performance.now();
    if (this._socket.pingDue(now)) this._probe();
    if (this._socket.dead(now, this._mediaPathUp())) this._abandonSocket('connection_lost');
  }

  /** Sends a ping unless one is already unanswered (the oldest one is the evidence). */
  _probe() {
    if (this._reconnecting || !this._ws || this._ws.readyState !== WebSocket.OPEN) return;
    if (this._socket.unanswered(performance.now()) > 0) return;
    this._socket.pinged(performance.now());
    this._send({ type: 'ping' });
  }

  /** A message arrived on the current socket: it works, so restarts waiting for it are signaled now. */
  _heard() {
    this._socket.heard(performance.now());
    for (const [pc, role] of [[this.publisher, 'publish'], [this.subscriber, 'subscribe']]) {
      if (pc && pc._chorusRestartWanted && ['disconnected', 'failed'].includes(pc.iceConnectionState)) {
        this._restartIce(pc, role);
      }
    }
  }

  /** Whether a peer connection reaches the SFU now (so the network works, whatever the socket says). */
  _mediaPathUp() {
    return [this.publisher, this.subscriber].some((pc) => pc && ['connected', 'completed'].includes(pc.iceConnectionState));
  }

  /**
   * The network is back (ICE connected again after trouble, or `online`): a socket whose ping went unanswered
   * through the outage is replaced now, and a resume attempt stuck on a connect made during the outage starts over.
   */
  _networkBack() {
    if (this._closed || this._leaving) return;
    if (this._reconnecting) { this._kickResume(); return; }
    if (this._socket.stale(performance.now())) this._abandonSocket('connection_lost');
    else this._probe();
  }

  /**
   * Gives up the current socket as dead and resumes the session on a new one. The old socket is not closed: a
   * close would be queued behind its stuck data anyway, and whatever it still delivers before the server drops it
   * (the server drops it when the resume arrives) is handled as usual.
   */
  _abandonSocket(code) {
    if (this._closed || this._leaving || this._reconnecting || !this._ws) return;
    this._abandoned = this._ws;
    this._ws = null;
    this._reconnect(code);
  }

  /**
   * Cuts the pause before the next reconnect attempt short (or skips the next one) and drops an attempt still
   * connecting: its connect was made during the outage and waits out TCP's SYN backoff.
   */
  _kickResume() {
    const ws = this._ws;
    if (ws && ws.readyState === WebSocket.CONNECTING && performance.now() - ws._chorusCreated > 1000) {
      try { ws.close(); } catch { /* gone */ }
    }
    if (this._kick) this._kick();
    else this._kicked = true;
  }

  /** Waits `ms` between reconnect attempts, or less if `_kickResume` is called meanwhile (or was, since the last). */
  _pause(ms) {
    if (this._kicked) { this._kicked = false; return Promise.resolve(); }
    return new Promise((resolve) => {
      const t = setTimeout(() => { this._kick = null; resolve(); }, ms);
      this._kick = () => { clearTimeout(t); this._kick = null; resolve(); };
    });
  }

  /**
   * New TURN credentials (`iceServers`, pushed by the server before the old ones expire, or with a `refreshed`
   * token): the relay ends an allocation when its credential expires, so both connections take the new servers
   * (`setConfiguration`) and restart ICE, which allocates with the new credential while media still flows on the
   * old path. Without TURN servers there is nothing to renew.
   */
  _renewIceServers(servers) {
    this.iceServers = servers;
    for (const [pc, role] of [[this.publisher, 'publish'], [this.subscriber, 'subscribe']]) {
      if (!pc || pc.signalingState === 'closed') continue;
      pc.setConfiguration(this._rtcConfig());
      if (servers.length === 0) continue;
      pc._chorusRestartAt = 0;
      this._restartIce(pc, role);
    }
  }

  /** A network change (back online, another interface): both connections restart ICE on the new path. */
  _watchNetwork() {
    if (typeof window === 'undefined') return;
    const onChange = () => {
      this._networkBack();
      for (const [pc, role] of [[this.publisher, 'publish'], [this.subscriber, 'subscribe']]) {
        if (pc) { pc._chorusRestartAt = 0; this._restartIce(pc, role); }
      }
    };
    window.addEventListener('online', onChange);
    const conn = navigator.connection;
    if (conn && conn.addEventListener) conn.addEventListener('change', onChange);
    this._unwatchNetwork = () => {
      window.removeEventListener('online', onChange);
      if (conn && conn.removeEventListener) conn.removeEventListener('change', onChange);
    };
  }

  /**
   * The WebSocket dropped (network loss, server restart or drain): rejoin with a fresh token from `getToken` (or
   * the current one), then republish the local tracks; the server offers the subscriptions again. Attempts back
   * off (0.5 s doubling to 4 s) for `reconnectTimeout` seconds, then `disconnected` and `closed`.
   */
  async _reconnect(code) {
    this._reconnecting = true;
    this._kicked = false;
    this._emit('reconnecting', { reason: code });
    // a server going away (drain, restart) takes its parked sessions with it: rejoin straight away
    if (code === 'going_away') this._resume = null;
    if (await this._tryResume()) {
      this._reconnecting = false;
      this._afterResume();
      this._emit('reconnected', { participantId: this.participantId, resumed: true });
      return;
    }
    this._dropConnections();
    const deadline = Date.now() + this._reconnectTimeout * 1000;
    let delay = 500;
    let last = code;
    while (!this._closed && !this._leaving && Date.now() < deadline) {
      await this._pause(delay);
      delay = Math.min(delay * 2, this._rejoinBackoffCap());
      try {
        if (this._getToken) {
          const fresh = await withTimeout(Promise.resolve(this._getToken()), 10000, 'connection_closed');
          if (!fresh) { last = 'no_token'; continue; }
          this._token = fresh;
        }
        this._wsUrl = this._entries[this._entry]; // not the node we were redirected to: it may be the dead one
        // a server that is still shutting down may accept the connection and never answer: give up and retry
        await withTimeout(this._join(), 10000, 'connection_closed');
        this._reconnecting = false;
        await this._republish();
        this._emit('reconnected', { participantId: this.participantId, resumed: false });
        return;
      } catch (e) {
        this._reconnecting = true;
        last = (e && e.code) || 'connection_closed';
        const ws = this._ws;
        this._ws = null;
        if (ws) { try { ws.close(); } catch { /* gone */ } }
        this._dropConnections();
        this._nextEntry();
        if (['join_refused', 'revoked', 'room_full', 'token_expired'].includes(last) && !this._getToken) break;
      }
    }
    this._reconnecting = false;
    if (this._closed) return;
    const reason = HUMAN_REASONS[last] || HUMAN_REASONS.connection_closed;
    this._emit('disconnected', { reason, code: last });
    this._teardown();
    this._emit('closed', { code: 1006, reason, error: new ChorusError(last, reason) });
  }

  /**
   * Session resume (docs/sdk.md, "Network changes and reconnects"): while the server keeps the dropped session (the
   * `grace` of `joined`), reconnect to the same node with the single-use credential and the current token. Attempts
   * back off (250 ms doubling to 2 s) until the window closes; a refusal (4011: used, expired or unknown credential,
   * a server restarted meanwhile, a revoked token) ends them at once. Returns true when the session was resumed: the
   * peer connections, local tracks and subscriptions were kept, nothing is renegotiated.
   */
  async _tryResume() {
    const r = this._resume;
    this._resume = null; // single use, whatever happens
    if (!r || !r.credential || this._p2p || !(r.grace > 0)) return false;
    const deadline = Date.now() + r.grace * 1000 - 250;
    let delay = 250;
    let refusedConnections = 0;
    while (!this._closed && !this._leaving && Date.now() < deadline) {
      const started = Date.now();
      try {
        await withTimeout(this._join(0, r), Math.max(1000, Math.min(5000, deadline - Date.now())), 'connection_closed');
        return true;
      } catch (e) {
        const ws = this._ws;
        this._ws = null;
        if (ws) { try { ws.close(); } catch { /* gone */ } }
        if (e && (e.code === 'resume_refused' || e.closeCode === CloseCodes.RESUME_REFUSED)) return false;
        // refused at once without a WebSocket: the node is down (killed), not out of reach; its sessions are gone
        // with it, so rejoin (elsewhere, in a cluster) instead of waiting out the window. A network outage makes
        // attempts time out instead, and resume goes on.
        refusedConnections = Date.now() - started < 1000 && !(ws && ws._chorusOpened) ? refusedConnections + 1 : 0;
        if (refusedConnections >= 3) return false;
      }
      await this._pause(delay);
      delay = Math.min(delay * 2, 2000);
    }
    return false;
  }

  /** `resumed`: same participant; the new credential, rights and expiry; the rest of the session is as it was. */
  _onResumed(m) {
    this._startKeepAlive();
    this._resume = m.resume || null;
    if (Array.isArray(m.rights)) this.rights = m.rights;
    if (m.expiresAt !== undefined) { this.expiresAt = m.expiresAt; this._armExpiry(); }
  }

  /**
   * After a resume: a publish offer still unanswered is sent again (it or its answer may have been lost with the old
   * socket; the server answers a repeated offer as it did the first, with the same ICE credentials), and a connection
   * whose ICE path broke meanwhile restarts now (restarts wait while reconnecting).
   */
  _afterResume() {
    if (this._pending && this._pending.message) {
      this._pending.resent = true;
      this._send(this._pending.message);
    }
    for (const [pc, role] of [[this.publisher, 'publish'], [this.subscriber, 'subscribe']]) {
      if (pc && ['disconnected', 'failed'].includes(pc.iceConnectionState)) { pc._chorusRestartAt = 0; this._restartIce(pc, role); }
    }
  }

  // ---- end-to-end encryption (docs/e2ee.md) ----------------------------------------------------------------------

  /**
   * With `e2ee: { key }` every frame this client sends is encrypted before it leaves the browser and every frame it
   * receives is decrypted before the decoder, with a key the app provides (the server never has it). Uses Chromium's
   * encoded insertable streams (`encodedInsertableStreams: true`, `createEncodedStreams()`), on the main thread so
   * the page's Content-Security-Policy needs no worker source.
   */
  _initE2ee(options) {
    this._e2ee = null;
    if (!options) return;
    if (typeof RTCRtpSender === 'undefined' || typeof RTCRtpSender.prototype.createEncodedStreams !== 'function') {
      throw new ChorusError('unsupported', 'this browser has no encoded insertable streams (end-to-end encryption)');
    }
    if (!options.key) throw new ChorusError('bad_options', 'e2ee needs a key');
    this._e2ee = { key: importE2eeKey(options.key), attached: new WeakSet() };
    /** Frames this client encrypted, decrypted, and could not decrypt (wrong or missing key, or not encrypted). */
    this.e2eeStats = { encryptedFrames: 0, decryptedFrames: 0, failedFrames: 0 };
  }

  /** Whether this client encrypts what it publishes (the publish message declares it; a room can require it). */
  get e2eeEnabled() { return this._e2ee != null; }

  /** Replaces the key (e.g. after a participant left): frames are encrypted with, and decrypted with, the new one. */
  async setE2eeKey(key) {
    if (!this._e2ee) throw new ChorusError('bad_options', 'end-to-end encryption was not enabled at connect');
    const next = importE2eeKey(key);
    await next;
    this._e2ee.key = next;
  }

  _e2eeRtcConfig() {
    return this._e2ee ? { encodedInsertableStreams: true } : {};
  }

  _e2eePublishFields() {
    return this._e2ee ? { e2ee: true } : {};
  }

  /** Encrypts every frame of `sender` (once per sender; with insertable streams on, every sender must be piped). */
  _e2eeSender(sender, kind) {
    const e = this._e2ee;
    if (!e || e.attached.has(sender)) return;
    e.attached.add(sender);
    const { readable, writable } = sender.createEncodedStreams();
    readable.pipeThrough(new TransformStream({
      transform: async (frame, out) => {
        frame.data = await encryptFrame(await e.key, frame, kind === 'audio');
        this.e2eeStats.encryptedFrames++;
        out.enqueue(frame);
      },
    })).pipeTo(writable).catch(() => {}); // ends when the sender stops
  }

  /** Decrypts every frame of the subscriber's receivers; a frame that does not decrypt is dropped, never decoded. */
  _e2eeReceivers(pc, mids) {
    const e = this._e2ee;
    if (!e) return;
    for (const tr of pc.getTransceivers()) {
      const receiver = tr.receiver;
      if (e.attached.has(receiver)) continue;
      e.attached.add(receiver);
      const audio = receiver.track.kind === 'audio';
      const { readable, writable } = receiver.createEncodedStreams();
      readable.pipeThrough(new TransformStream({
        transform: async (frame, out) => {
          const plain = await decryptFrame(await e.key, frame, audio);
          if (plain == null) { this.e2eeStats.failedFrames++; return; }
          frame.data = plain;
          this.e2eeStats.decryptedFrames++;
          out.enqueue(frame);
        },
      })).pipeTo(writable).catch(() => {});
    }
  }

  // ---- data messages (issue 14; docs/data-channels.md) ------------------------------------------------------------

  /**
   * Sends `data` (a string, ArrayBuffer or typed array) on `topic` to everyone in the room allowed to receive it,
   * or only to the participant ids in `to`. `reliable` (default true): ordered and retransmitted until delivered;
   * false: unordered and never retransmitted (cursors, reactions), so it may be lost but is never duplicated.
   * Resolves once the message is handed to the data channel. The server attaches this participant's id; a message
   * it refuses (no `data:publish`, over the rate or size limit) is dropped, reported once as an `error` event.
   */
  async sendData(topic, data, { reliable = true, to = null } = {}) {
    const frame = encodeDataFrame(topic, data, to);
    await this._openData();
    const d = this._data;
    if (reliable && (!d.reliable || d.reliable.readyState === 'closed')) this._reopenReliable(d);
    const ch = reliable ? d.reliable : d.lossy;
    await channelOpen(ch);
    ch.send(frame);
  }

  /** Opens the data channels on the publish connection (once; again after a rejoin); resolves when usable. */
  _openData() {
    this._wantData = true;
    if (this._data && this._data.pc === this.publisher) return this._data.ready;
    this._createDataChannels();
    const d = this._data;
    d.ready = this._negotiate().then(() => channelOpen(d.reliable));
    d.ready.catch(() => { if (this._data === d) this._data = null; });
    return d.ready;
  }

  /** The SDK's two channels: `chorus-reliable` (ordered, reliable) and `chorus-lossy` (unordered, no retransmits). */
  _createDataChannels() {
    if (!this.publisher) {
      this.publisher = new RTCPeerConnection(this._rtcConfig());
      this._watchIce(this.publisher, 'publish');
    }
    const pc = this.publisher;
    const d = { pc, reliable: null, lossy: pc.createDataChannel('chorus-lossy', { ordered: false, maxRetransmits: 0 }) };
    d.ready = Promise.resolve();
    this._watchData(d.lossy, false);
    this._data = d;
    this._reopenReliable(d);
  }

  /** (Re)creates the reliable channel; the server closes it when this receiver fell too far behind. */
  _reopenReliable(d) {
    d.reliable = d.pc.createDataChannel('chorus-reliable', { ordered: true });
    this._watchData(d.reliable, true);
  }

  _watchData(ch, reliable) {
    ch.binaryType = 'arraybuffer';
    ch.addEventListener('message', (e) => {
      const m = decodeDataFrame(e.data);
      if (m) this._emit('data', { ...m, reliable });
    });
    if (reliable) {
      ch.addEventListener('close', () => {
        const d = this._data;
        if (this._closed || !d || d.reliable !== ch || d.pc.connectionState === 'closed') return;
        this._fail(new ChorusError('data_channel_closed', 'reliable data delivery was interrupted; reopening'));
        this._reopenReliable(d);
      });
    }
  }

  /** The session is over or rejoined as a new one: a socket given up as dead is closed for good. */
  _closeAbandoned() {
    const ws = this._abandoned;
    this._abandoned = null;
    if (ws) { try { ws.close(); } catch { /* gone */ } }
  }

  /** Closes both peer connections and forgets remote tracks, keeping the local tracks for the rejoin. */
  _dropConnections() {
    clearInterval(this._ping);
    this._closeAbandoned();
    for (const t of this._iceTimers.values()) clearTimeout(t);
    this._iceTimers.clear();
    if (this._pending) { this._pending.reject(new ChorusError('connection_lost', 'the connection was lost')); this._pending = null; }
    for (const d of [...this._emitted.values()]) this._removed(d.participantId, d.trackId);
    this.streams.clear();
    this.participants.clear();
    this._mids = new Map();
    for (const pc of [this.publisher, this.subscriber]) if (pc) pc.close();
    this.publisher = null;
    this.subscriber = null;
    this._queue = Promise.resolve();
  }

  /** After a rejoin: publishes the same local tracks again (mute state kept) on a new publish connection. */
  async _republish() {
    const local = [...this._local.values()];
    this._local.clear();
    this._data = null;
    if (local.length === 0 && !this._wantData) return;
    for (const l of local) this._addLocal(l.track, l.kind, l.muted);
    if (this._wantData) this._createDataChannels();
    await this._negotiate();
    for (const l of this._local.values()) {
      if (l.muted && l.transceiver.mid != null) this._send({ type: this._p2p ? 'p2pMute' : 'mute', trackId: l.transceiver.mid, muted: true });
    }
  }

  // ---- Cluster mode: where a rejoin starts (docs/cluster.md, "A node dies") ---------------------------------------

  /**
   * After a failed rejoin attempt the next one starts from the next entry URL (`url`, then `urls`): when the node
   * the app pointed us at is the one that died, a surviving node answers instead and redirects to the room's node.
   */
  _nextEntry() {
    this._entry = (this._entry + 1) % this._entries.length;
  }

  /**
   * The longest pause between rejoin attempts (ms). In a cluster (several entry URLs, or a redirect was followed) a
   * dead node's rooms become placeable `nodeTimeout` + one heartbeat after its death (10 s at most), so attempts
   * stay at most 2 s apart to land soon after that; one server alone backs off to 4 s.
   */
  _rejoinBackoffCap() {
    return this._entries.length > 1 || this._wsUrl !== this._entries[this._entry] ? 2000 : 4000;
  }
}

// ---- frame encryption (SFrame-like, docs/e2ee.md) ------------------------------------------------------------------
//
// A frame on the wire: [clear header][AES-GCM ciphertext + 16-byte tag][12-byte IV][IV length = 12]. The clear
// header is what the SFU and the receiver's depacketizer read: VP8's payload header (10 bytes of a key frame: frame
// tag and dimensions, 3 of a delta frame) and Opus's TOC byte. It is authenticated as additional data, so neither it
// nor the payload can be changed undetected. IVs are random (96 bits) per frame.

const E2EE_IV_BYTES = 12;

/** Bytes left in clear at the start of a frame. */
function clearBytes(frame, audio, length) {
  if (audio) return Math.min(1, length);
  return Math.min(frame.type === 'key' ? 10 : 3, length);
}

/** A CryptoKey for AES-GCM from a CryptoKey or 16/32 raw bytes (ArrayBuffer or typed array). */
export async function importE2eeKey(key) {
  if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) return key;
  const raw = key instanceof ArrayBuffer ? new Uint8Array(key) : ArrayBuffer.isView(key)
    ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength) : null;
  if (!raw || (raw.length !== 16 && raw.length !== 32)) {
    throw new ChorusError('bad_options', 'an e2ee key is a CryptoKey or 16 or 32 raw bytes');
  }
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** The encrypted form of an encoded frame's data. */
export async function encryptFrame(key, frame, audio) {
  const data = new Uint8Array(frame.data);
  const clear = clearBytes(frame, audio, data.length);
  const iv = crypto.getRandomValues(new Uint8Array(E2EE_IV_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: data.subarray(0, clear) }, key, data.subarray(clear)));
  const out = new Uint8Array(clear + sealed.length + E2EE_IV_BYTES + 1);
  out.set(data.subarray(0, clear), 0);
  out.set(sealed, clear);
  out.set(iv, clear + sealed.length);
  out[out.length - 1] = E2EE_IV_BYTES;
  return out.buffer;
}

/** The plaintext data of an encrypted frame, or null when it does not decrypt (wrong key, altered, not encrypted). */
export async function decryptFrame(key, frame, audio) {
  const data = new Uint8Array(frame.data);
  const clear = clearBytes(frame, audio, data.length);
  if (data.length < clear + 16 + E2EE_IV_BYTES + 1 || data[data.length - 1] !== E2EE_IV_BYTES) return null;
  const ivAt = data.length - 1 - E2EE_IV_BYTES;
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: data.subarray(ivAt, ivAt + E2EE_IV_BYTES), additionalData: data.subarray(0, clear) },
      key, data.subarray(clear, ivAt)));
    const out = new Uint8Array(clear + plain.length);
    out.set(data.subarray(0, clear), 0);
    out.set(plain, clear);
    return out.buffer;
  } catch {
    return null;
  }
}

// ---- data message frames (docs/protocol.md, "Data channels") ---------------------------------------------------

const DATA_FRAME_VERSION = 1;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function channelOpen(ch) {
  if (ch.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    ch.addEventListener('open', () => resolve(), { once: true });
    ch.addEventListener('close', () => reject(new ChorusError('data_channel_closed', 'the data channel closed')), { once: true });
  });
}

/** client → SFU: version | flags (1 = text) | topicLen | topic | u16 destCount | (len | id)* | payload */
export function encodeDataFrame(topic, data, to) {
  const t = utf8.encode(String(topic));
  if (t.length === 0 || t.length > 128) throw new ChorusError('bad_topic', 'a topic is 1 to 128 UTF-8 bytes');
  const text = typeof data === 'string';
  let payload;
  if (text) payload = utf8.encode(data);
  else if (data instanceof ArrayBuffer) payload = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else throw new ChorusError('bad_data', 'data is a string, an ArrayBuffer or a typed array');
  const ids = (to || []).map((id) => utf8.encode(String(id)));
  if (ids.length > 256 || ids.some((b) => b.length === 0 || b.length > 255)) {
    throw new ChorusError('bad_destinations', 'at most 256 participant ids of 1 to 255 bytes');
  }
  const size = 3 + t.length + 2 + ids.reduce((n, b) => n + 1 + b.length, 0) + payload.length;
  const out = new Uint8Array(size);
  out[0] = DATA_FRAME_VERSION; out[1] = text ? 1 : 0; out[2] = t.length; out.set(t, 3);
  let p = 3 + t.length;
  out[p++] = ids.length >> 8; out[p++] = ids.length & 0xff;
  for (const b of ids) { out[p++] = b.length; out.set(b, p); p += b.length; }
  out.set(payload, p);
  return out;
}

/** SFU → client: version | flags | topicLen | topic | senderLen | sender id | payload; null if malformed. */
export function decodeDataFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer)) return null;
  const b = new Uint8Array(buffer);
  if (b.length < 5 || b[0] !== DATA_FRAME_VERSION || (b[1] & ~1) !== 0) return null;
  try {
    let p = 3 + b[2];
    if (b[2] === 0 || p + 1 > b.length) return null;
    const topic = utf8Strict.decode(b.subarray(3, p));
    const idLen = b[p++];
    if (idLen === 0 || p + idLen > b.length) return null;
    const participantId = utf8Strict.decode(b.subarray(p, p + idLen));
    p += idLen;
    const payload = b.slice(p);
    return { participantId, topic, data: b[1] & 1 ? utf8Strict.decode(payload) : payload };
  } catch {
    return null;
  }
}

export default Chorus;
