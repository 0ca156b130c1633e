// Shared parts of the Node interop clients (werift, node-datachannel): Chorus's WebSocket protocol
// (docs/protocol.md), the recorded VP8/Opus media they publish, RTP packetization, and the receive-side checks
// that a payload is a valid VP8 frame / Opus packet. Each client prints JSON lines on stdout for the Java test.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const MEDIA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media');

/** --key value pairs → object. */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error('bad argument ' + argv[i]);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

/** One JSON line to the test. */
export function report(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
}

/** Mints a join token from the dev server's /dev/token (self-signed certificate: the test server's own). */
export function devToken(base, room, identity) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ room, identity });
    const req = https.request(new URL('/dev/token', base), {
      method: 'POST', rejectUnauthorized: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, res => {
      let data = '';
      res.on('data', c => data += c);
      res.on('end', () => res.statusCode === 200 ? resolve(JSON.parse(data).token)
                                                 : reject(new Error('dev token: ' + res.statusCode + ' ' + data)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The participant WebSocket: join, then messages by type. */
export class Signaling {
  constructor(wsUrl) {
    this.ws = new WebSocket(wsUrl, { rejectUnauthorized: false });
    this.handlers = {};
    this.opened = new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject); });
    this.ws.on('message', data => {
      const m = JSON.parse(data.toString());
      if (m.type === 'error') report('error', { code: m.code, message: m.message });
      const h = this.handlers[m.type];
      if (h) Promise.resolve(h(m)).catch(e => report('error', { code: 'client', message: String(e && e.stack || e) }));
    });
    this.ws.on('close', (code, reason) => report('closed', { code, reason: reason.toString() }));
    this.ping = setInterval(() => this.send({ type: 'ping' }), 15000);
  }
  on(type, handler) { this.handlers[type] = handler; }
  send(m) { if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m)); }
  async join(room, token) {
    await this.opened;
    const joined = new Promise(resolve => this.on('joined', resolve));
    this.send({ type: 'join', room, token });
    return joined;
  }
  close() { clearInterval(this.ping); this.send({ type: 'leave' }); setTimeout(() => this.ws.close(), 100); }
}

/** The joined message's TURN servers as an RTCIceServer list, or [] unless relaying. */
export function turnServers(joined, policy) {
  return policy === 'relay' ? (joined.iceServers || []) : [];
}

/** VP8 frames of an IVF file (recorded with GStreamer's vp8enc, 320x240, a keyframe every 30 frames). */
export function readIvf(file) {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'DKIF') throw new Error('not IVF');
  const frames = [];
  for (let off = b.readUInt16LE(6); off + 12 <= b.length;) {
    const size = b.readUInt32LE(off);
    frames.push(b.subarray(off + 12, off + 12 + size));
    off += 12 + size;
  }
  return frames;
}

/** Opus packets (20 ms each) of an Ogg Opus file, without the OpusHead/OpusTags header packets. */
export function readOggOpus(file) {
  const b = fs.readFileSync(file);
  const packets = [];
  let current = [];
  for (let off = 0; off + 27 <= b.length;) {
    if (b.toString('ascii', off, off + 4) !== 'OggS') throw new Error('bad Ogg page');
    const segments = b[off + 26];
    let data = off + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const len = b[off + 27 + i];
      current.push(b.subarray(data, data + len));
      data += len;
      if (len < 255) { packets.push(Buffer.concat(current)); current = []; }
    }
    off = data;
  }
  return packets.slice(2);
}

/** A plain RTP packet (no extensions; the stack adds its own and sets SSRC/PT where it owns them). */
export function rtp(payloadType, ssrc, seq, timestamp, marker, payload) {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | payloadType;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** RFC 7741 packetization: one-byte payload descriptor (S bit on the first packet), at most `max` bytes per packet. */
export function vp8Payloads(frame, max = 1100) {
  const out = [];
  for (let off = 0; off < frame.length; off += max) {
    const d = Buffer.from([off === 0 ? 0x10 : 0x00]);
    out.push(Buffer.concat([d, frame.subarray(off, Math.min(frame.length, off + max))]));
  }
  return out;
}

/**
 * Sends the recorded media in a loop: video at 30 frames/s (90 kHz clock), audio every 20 ms (48 kHz clock).
 * `sendVideo(payload, marker, timestamp, seq)` / `sendAudio(payload, timestamp, seq)` do the stack-specific part.
 */
export function startMediaLoop(sendVideo, sendAudio) {
  const frames = readIvf(path.join(MEDIA_DIR, 'video.ivf'));
  const opus = readOggOpus(path.join(MEDIA_DIR, 'audio.ogg'));
  const sent = { videoFrames: 0, audioPackets: 0 };
  let vseq = Math.floor(Math.random() * 30000), aseq = Math.floor(Math.random() * 30000);
  let vts = Math.floor(Math.random() * 1e9), ats = Math.floor(Math.random() * 1e9);
  let fi = 0, ai = 0;
  const video = setInterval(() => {
    const payloads = vp8Payloads(frames[fi++ % frames.length]);
    payloads.forEach((p, i) => sendVideo(p, i === payloads.length - 1, vts, vseq++));
    vts += 3000;
    sent.videoFrames++;
  }, 33);
  const audio = setInterval(() => {
    sendAudio(opus[ai++ % opus.length], ats, aseq++);
    ats += 960;
    sent.audioPackets++;
  }, 20);
  return { sent, stop() { clearInterval(video); clearInterval(audio); } };
}

/**
 * Receive-side proof for a stack that does not decode: reassembles VP8 frames from RTP (RFC 7741) and checks each
 * one is a well-formed VP8 frame (RFC 6386 §9.1: keyframes carry the start code 9d 01 2a and a non-zero size; the
 * first partition fits in the frame); counts Opus packets with a valid TOC byte (RFC 6716 §3.1).
 */
export class MediaChecker {
  constructor() {
    this.video = { frames: 0, keyframes: 0, invalid: 0, width: 0, height: 0 };
    this.audio = { packets: 0, invalid: 0 };
    this.parts = null;
  }
  onVideoRtp(payload, marker) {
    // A padding-only packet (RFC 3550 5.1: all of its payload is padding) is legal and carries no VP8.
    if (payload.length === 0) { this.video.paddingOnly = (this.video.paddingOnly || 0) + 1; return; }
    if (payload.length < 2) { this.video.invalid++; return; }
    let off = 1;
    const x = payload[0] & 0x80, s = payload[0] & 0x10, partId = payload[0] & 0x0f;
    if (x) {
      const ext = payload[1]; off = 2;
      if (ext & 0x80) off += (payload[off] & 0x80) ? 2 : 1; // PictureID
      if (ext & 0x40) off += 1;                              // TL0PICIDX
      if (ext & 0x30) off += 1;                              // TID/KEYIDX
    }
    if (s && partId === 0) this.parts = [];
    if (this.parts) this.parts.push(payload.subarray(off));
    if (marker && this.parts) {
      this.checkFrame(Buffer.concat(this.parts));
      this.parts = null;
    }
  }
  checkFrame(f) {
    if (f.length < 3) { this.video.invalid++; return; }
    const keyframe = (f[0] & 1) === 0;
    const firstPartition = (f[0] | (f[1] << 8) | (f[2] << 16)) >>> 5;
    if (firstPartition > f.length) { this.video.invalid++; return; }
    if (keyframe) {
      if (f.length < 10 || f[3] !== 0x9d || f[4] !== 0x01 || f[5] !== 0x2a) { this.video.invalid++; return; }
      this.video.width = f.readUInt16LE(6) & 0x3fff;
      this.video.height = f.readUInt16LE(8) & 0x3fff;
      if (!this.video.width || !this.video.height) { this.video.invalid++; return; }
      this.video.keyframes++;
    } else if (this.video.keyframes === 0) {
      return; // an interframe before the first keyframe cannot be decoded: not counted either way
    }
    this.video.frames++;
  }
  onAudioRtp(payload) {
    // Any TOC byte is syntactically valid; an empty payload or a code-3 packet without its frame count is not.
    if (payload.length < 1 || ((payload[0] & 3) === 3 && payload.length < 2)) { this.audio.invalid++; return; }
    this.audio.packets++;
  }
}

/** Splits a raw RTP packet into {payloadType, marker, ssrc, payload} (header extensions and padding handled). */
export function parseRtp(b) {
  if (b.length < 12 || (b[0] >> 6) !== 2) return null;
  const cc = b[0] & 0x0f;
  let off = 12 + 4 * cc;
  if (b[0] & 0x10) off += 4 + 4 * b.readUInt16BE(off + 2);
  let end = b.length;
  if (b[0] & 0x20) end -= b[b.length - 1];
  if (off > end) return null;
  return { payloadType: b[1] & 0x7f, marker: (b[1] & 0x80) !== 0, ssrc: b.readUInt32BE(8), payload: b.subarray(off, end) };
}

/** Certificate options: 'ecdsa' (P-256) or 'rsa' (2048), as PEM files made by openssl. */
export function makeCertificate(kind, dir) {
  const key = path.join(dir, kind + '-key.pem'), cert = path.join(dir, kind + '-cert.pem');
  const newkey = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  const r = spawnSyncChecked('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', cert,
    '-subj', '/CN=chorus-interop', '-days', '2', '-sha256']);
  return { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8'), output: r };
}

import { spawnSync } from 'node:child_process';
function spawnSyncChecked(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(cmd + ' failed: ' + r.stderr);
  return r.stdout;
}
