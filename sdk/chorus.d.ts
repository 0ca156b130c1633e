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
  CONDITIONS_NOT_MET: 4008; INVALID_PAYLOAD: 1007; REDIRECT: 4010; TRY_AGAIN_LATER: 1013;
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
}

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
  /** The connection to the server was lost; the SDK rejoins on its own. */
  reconnecting: { reason: string };
  /** Back in the room as a new participant; local tracks republished. */
  reconnected: { participantId: string };
  /** Rejoining gave up; `reason` is a sentence to show the user; `closed` follows. */
  disconnected: { reason: string; code: number | string | null };
  /** The server is shutting down gracefully; the session closes at `deadline` (Unix seconds). */
  draining: { deadline: number };
  /** An ICE restart of the publish or subscribe connection started. */
  iceRestart: { role: 'publish' | 'subscribe' };
  /** Cluster mode: the room lives on another node; the SDK follows (at most 3 redirects in a row). */
  redirected: { url: string };
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

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ChorusEvents>(type: K, fn: (detail: ChorusEvents[K]) => void): () => void;
  displayName(participantId: string): string;
  publish(what?: PublishOptions): Promise<MediaStream>;
  publishScreen(): Promise<MediaStreamTrack>;
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
  stats(): Promise<CallStats>;
  leave(): void;
}

export function rateConnection(sample?: { loss?: number; rttMs?: number | null; jitterMs?: number | null;
  receiving?: boolean }): ConnectionQuality;
export function listDevices(kind?: MediaDeviceKind): Promise<Device[]>;

export default Chorus;
