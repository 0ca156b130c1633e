// TypeScript declarations of the Chorus browser SDK (chorus.js). Kept by hand next to the module; the sample app in
// examples/ is type-checked against them in the project's test run (`tsc --noEmit`, SdkPackageTest), so an API
// change that is not declared here fails the build. To declare a new event, add it to `ChorusEvents`.

/** A typed error: `code` is stable (docs/protocol.md lists them), `message` is for humans. */
export class ChorusError extends Error {
  constructor(code: string, message?: string, closeCode?: number);
  readonly name: 'ChorusError';
  readonly code: string;
  /** The WebSocket close code when the error closed the session. */
  readonly closeCode?: number;
}

/** WebSocket close codes the server uses (docs/protocol.md). */
export const CloseCodes: Readonly<{
  NORMAL: 1000; GOING_AWAY: 1001; POLICY_VIOLATION: 1008; IDLE_TIMEOUT: 4000; JOIN_TIMEOUT: 4001; BAD_JOIN: 4002;
  JOIN_REFUSED: 4003; REVOKED: 4004; TOKEN_EXPIRED: 4005; ROOM_FULL: 4006; MEDIA_UNAVAILABLE: 4007;
  CONDITIONS_NOT_MET: 4008; INVALID_PAYLOAD: 1007; REDIRECT: 4010; RESUME_REFUSED: 4011; TRY_AGAIN_LATER: 1013;
}>;

export type TrackKind = 'audio' | 'video' | 'screen';
export type DeviceKind = 'audio' | 'video';
export type ConnectionQuality = 'excellent' | 'good' | 'poor' | 'lost';

export interface ConnectOptions {
  /** https/wss URL of the Chorus server; default: this page's origin. */
  url?: string;
  token: string;
  room: string;
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Added to the ICE servers the server hands out. */
  iceServers?: RTCIceServer[];
  /** Seconds before the token's expiry at which `tokenExpiring` fires (default 60). */
  tokenExpiryWarning?: number;
  /** Milliseconds between audio level samples (`audioLevels`, `speakingChanged`; default 250). */
  monitorInterval?: number;
  /** Milliseconds over which connection quality is rated (default 2000). */
  qualityInterval?: number;
  /**
   * A fresh token for an automatic rejoin after the connection to the server was lost (network loss, server restart,
   * drain); without it the SDK rejoins with the current token while it is valid.
   */
  getToken?: () => Promise<string>;
  /** Seconds of rejoin attempts before `disconnected` (default 60). */
  reconnectTimeout?: number;
  /**
   * End-to-end encryption with a key the app provides (docs/e2ee.md): every frame is encrypted before it leaves the
   * browser and decrypted before the decoder; the server only forwards. Needs encoded insertable streams (Chromium).
   */
  e2ee?: E2eeOptions | null;
  /**
   * Cluster mode: more nodes of the same deployment. A rejoin starts from `url` again (not from the node a redirect
   * led to); after a failed attempt it starts from the next of these, so the call survives the death of any node.
   */
  urls?: string[];
  /** Camera video as 3 simulcast layers (rids f, h, q; default true). Screen share is always one layer. */
  simulcast?: boolean;
  /**
   * The codec camera and screen video are published with (default: the browser's first, VP8). The SFU forwards
   * VP8, VP9 (profile 0) and H.264 (packetization-mode 1), with simulcast for each; a browser that cannot send it
   * keeps VP8 and fires `codecUnavailable`.
   */
  videoCodec?: 'VP8' | 'VP9' | 'H264';
}

/** A CryptoKey for AES-GCM, or 16 or 32 raw key bytes. */
export type E2eeKey = CryptoKey | ArrayBuffer | ArrayBufferView;

export interface E2eeOptions {
  key: E2eeKey;
}

/** Frames this client encrypted, decrypted, and could not decrypt (wrong or missing key, or not encrypted). */
export interface E2eeStats {
  encryptedFrames: number;
  decryptedFrames: number;
  failedFrames: number;
}

/** A cap on the simulcast layer the SFU sends of a received video track. */
export type VideoQuality = 'low' | 'medium' | 'high';

/** Another participant as the server announces it. */
export interface Participant {
  participantId: string;
  /** The token's `sub` (opaque). */
  identity: string;
  /** The token's `name` claim (display name), when it has one. */
  name?: string;
  /** The token's `meta` claim. */
  meta: unknown;
}

/** Track metadata as the server sends it. */
export interface TrackInfo {
  participantId: string;
  trackId: string;
  kind: TrackKind;
  muted: boolean;
}

export interface RemoteTrack {
  participantId: string;
  trackId: string;
  kind: TrackKind;
  track: MediaStreamTrack;
  /** All tracks received from this participant. */
  stream: MediaStream;
  mid: string | null;
}

export interface Device {
  deviceId: string;
  groupId: string;
  kind: MediaDeviceKind;
  label: string;
}

export interface QualityRating {
  quality: ConnectionQuality;
  /** Packets lost / expected over the last interval, 0…1. */
  loss: number;
  rttMs: number | null;
  jitterMs: number | null;
}

export interface InboundStats {
  mid: string;
  kind: 'audio' | 'video';
  participantId: string | null;
  trackId: string | null;
  bytesReceived: number;
  framesDecoded: number;
}

export interface CallStats {
  framesDecoded: number;
  videoBytesReceived: number;
  audioBytesReceived: number;
  inbound: InboundStats[];
}

/** Event name → the `detail` a listener gets. */
export interface ChorusEvents {
  participantJoined: { participant: Participant };
  participantLeft: { participantId: string };
  trackPublished: { track: TrackInfo };
  trackUpdated: { track: TrackInfo };
  trackUnpublished: { track: TrackInfo; reason?: string };
  track: RemoteTrack;
  trackRemoved: RemoteTrack;
  subscribed: { at: number; mids: string[] };
  tokenExpiring: { expiresAt: number };
  refreshed: { rights: string[]; expiresAt: number };
  permissionsChanged: { rights: string[]; reason: string };
  error: ChorusError;
  closed: { code: number; reason: string; error: ChorusError | null };
  deviceChanged: { kind: DeviceKind; deviceId: string | null; track: MediaStreamTrack };
  devicesChanged: { devices: Device[] };
  connectionQuality: { participantId: string } & QualityRating;
  audioLevels: { levels: Map<string, number> };
  speakingChanged: { participantId: string; speaking: boolean };
  activeSpeaker: { participantId: string };
  serverAudioLevels: { levels: Map<string, number> };
  /** The connection to the server was lost; the SDK resumes the session (or rejoins) on its own. */
  reconnecting: { reason: string };
  /**
   * Back in the room. `resumed: true`: the session was resumed within the server's grace window (same participant
   * id, tracks and subscriptions, nothing renegotiated); `false`: rejoined as a new participant, local tracks
   * republished.
   */
  reconnected: { participantId: string; resumed: boolean };
  /** Rejoining gave up; `reason` is a sentence to show the user; `closed` follows. */
  disconnected: { reason: string; code: number | string | null };
  /** The server is shutting down gracefully; the session closes at `deadline` (Unix seconds). */
  draining: { deadline: number };
  /** An ICE restart of the publish or subscribe connection started. */
  iceRestart: { role: 'publish' | 'subscribe' };
  /**
   * A data message relayed by the SFU: `participantId` is the sender as the server knows it (never claimed by the
   * sender), `data` a string if it was sent as one, else bytes. Listening to it opens the data channels.
   */
  data: { participantId: string; topic: string; data: string | Uint8Array; reliable: boolean };
  /** Cluster mode: the room lives on another node; the SDK follows (at most 3 redirects in a row). */
  redirected: { url: string };
  /** Dynacast: the SFU paused (false) or resumed (true) simulcast layers of a local track nobody / somebody receives. */
  publishLayers: { trackId: string; layers: Record<string, boolean> };
  /** The `videoCodec` asked for at connect cannot be sent by this browser: video is published with its default. */
  codecUnavailable: { codec: string };
  /**
   * The SFU stopped forwarding a remote video to this participant because even its lowest simulcast layer does not
   * fit the estimated downlink (`reason: 'bandwidth'`); the track stays subscribed. The app may show "video paused".
   */
  trackPaused: { track: TrackInfo; reason: string };
  /** A remote video paused by `trackPaused` is forwarded again (its key frame follows). */
  trackResumed: { track: TrackInfo; reason: string };
}

export interface SendDataOptions {
  /** Ordered and retransmitted until delivered (default), or unordered without retransmissions. */
  reliable?: boolean;
  /** Participant ids to deliver to; everyone allowed when omitted. */
  to?: string[] | null;
}

export interface PublishOptions {
  audio?: boolean | MediaTrackConstraints;
  video?: boolean | MediaTrackConstraints;
  /** Publish these tracks instead of opening camera and microphone. */
  stream?: MediaStream;
}

/** One participant's connection to a Chorus room. Create it with `Chorus.connect(...)`. */
export class Chorus extends EventTarget {
  static connect(options: ConnectOptions): Promise<Chorus>;
  static devices(kind?: MediaDeviceKind): Promise<Device[]>;
  static setAudioOutput(element: HTMLMediaElement, deviceId?: string): Promise<void>;
  constructor(options: ConnectOptions);

  readonly room: string;
  /**
   * 'sfu' (media through the SFU), or 'p2p' in a private peer-to-peer room (the token's `p2p` claim, docs/p2p.md):
   * one relay-only RTCPeerConnection to the other participant, which is then both `publisher` and `subscriber`;
   * `track`, `trackUpdated` (mute), `participantJoined`/`Left`, `stats()` and `mute()` work the same.
   */
  mode: 'sfu' | 'p2p';
  participantId: string | null;
  /** This participant's display name (the token's `name` claim), or null. */
  name: string | null;
  rights: string[];
  /** The token's `exp`, Unix seconds. */
  expiresAt: number | null;
  iceServers: RTCIceServer[];
  readonly participants: Map<string, Participant>;
  readonly streams: Map<string, MediaStream>;
  readonly localStream: MediaStream;
  publisher: RTCPeerConnection | null;
  subscriber: RTCPeerConnection | null;
  readonly connectionQuality: Map<string, QualityRating>;
  readonly audioLevels: Map<string, number>;
  /** The SFU's active speaker, or null before anyone spoke. */
  activeSpeaker: string | null;
  serverAudioLevels: Map<string, number>;
  /** Whether this client encrypts what it publishes (connected with `e2ee`). */
  readonly e2eeEnabled: boolean;
  /** Present when connected with `e2ee`. */
  e2eeStats?: E2eeStats;

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ChorusEvents>(type: K, fn: (detail: ChorusEvents[K]) => void): () => void;
  displayName(participantId: string): string;
  publish(what?: PublishOptions): Promise<MediaStream>;
  /**
   * Screen share as one encoding at the captured resolution (never scaled down) and at most `maxFramerate`
   * (default 15) frames per second, `contentHint = 'detail'`, published as kind `screen`.
   */
  publishScreen(options?: { maxFramerate?: number }): Promise<MediaStreamTrack>;
  unpublish(kind: TrackKind): Promise<void>;
  /** Stops sending `kind` (the sender sends nothing) or resumes it. */
  mute(kind: TrackKind, muted?: boolean): Promise<void>;
  unmute(kind: TrackKind): Promise<void>;
  isMuted(kind: TrackKind): boolean;
  /** Mutes the camera and releases the device; `startCamera()` opens it again. */
  stopCamera(): Promise<void>;
  startCamera(constraints?: boolean | MediaTrackConstraints): Promise<void>;
  currentDevice(kind: DeviceKind): string | null;
  switchDevice(kind: DeviceKind, deviceId?: string): Promise<MediaStreamTrack>;
  refreshToken(token: string): Promise<void>;
  /**
   * Sends `data` on `topic` to everyone allowed to receive it (or only to the participant ids in `to`);
   * `reliable: false` sends unordered without retransmissions. Needs `data:publish`.
   */
  sendData(topic: string, data: string | ArrayBuffer | ArrayBufferView, options?: SendDataOptions): Promise<void>;
  /** Adaptive stream: shows the track in `element` and reports its size/visibility; returns a stop function. */
  attachVideo(detail: RemoteTrack, element: HTMLVideoElement): () => void;
  /** Adaptive stream for an element the app fills itself; returns a stop function. */
  observeVideoElement(element: HTMLElement, participantId: string, trackId: string): () => void;
  /** Caps the received quality of a video track (null: no cap). */
  setPreferredQuality(participantId: string, trackId: string, quality: VideoQuality | null): void;
  stats(): Promise<CallStats>;
  leave(): void;
  /** Replaces the end-to-end encryption key (only when connected with `e2ee`). */
  setE2eeKey(key: E2eeKey): Promise<void>;
}

export function rateConnection(sample?: { loss?: number; rttMs?: number | null; jitterMs?: number | null;
  receiving?: boolean }): ConnectionQuality;
/** The data message frame the SDK sends (docs/protocol.md, "Data channels"). */
export function encodeDataFrame(topic: string, data: string | ArrayBuffer | ArrayBufferView,
  to?: string[] | null): Uint8Array;
/** Decodes a frame the SFU delivers, or null if it is malformed. */
export function decodeDataFrame(buffer: ArrayBuffer): { participantId: string; topic: string;
  data: string | Uint8Array } | null;
export function listDevices(kind?: MediaDeviceKind): Promise<Device[]>;
/** The AES-GCM key of a CryptoKey or raw bytes (16 or 32). */
export function importE2eeKey(key: E2eeKey): Promise<CryptoKey>;
/** An encoded frame's data encrypted (the VP8 payload header / Opus TOC byte stays clear, authenticated). */
export function encryptFrame(key: CryptoKey, frame: { data: ArrayBuffer; type?: string }, audio: boolean): Promise<ArrayBuffer>;
/** The plaintext of an encrypted frame's data, or null when it does not decrypt. */
export function decryptFrame(key: CryptoKey, frame: { data: ArrayBuffer; type?: string }, audio: boolean): Promise<ArrayBuffer | null>;

/**
 * The SDK's keep-alive judge of the signaling WebSocket (docs/sdk.md, "Network changes and reconnects"): fed the
 * times pings were sent and messages heard, it says when a ping is due and whether the socket is dead (no answer for
 * `deadAfter` ms, or `pongTimeout` ms while media flows), stale (unanswered for `backAfter` ms when the network
 * returns) or proven (it answered after a given time). Exported for tests; times in ms on one clock.
 */
export class SocketWatch {
  constructor(options?: { pingInterval?: number; pongTimeout?: number; deadAfter?: number; backAfter?: number });
  reset(now: number): void;
  heard(now: number): void;
  pinged(now: number): void;
  pingDue(now: number): boolean;
  unanswered(now: number): number;
  dead(now: number, mediaUp: boolean): boolean;
  stale(now: number): boolean;
  proven(since: number): boolean;
}

export default Chorus;
