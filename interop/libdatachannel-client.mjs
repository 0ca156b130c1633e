// A Chorus participant on libdatachannel (C++, through npm's node-datachannel): publishes the recorded VP8 + Opus
// as raw RTP on two send-only tracks and subscribes to everyone else, checking every received frame.
// libdatachannel gathers no loopback candidates: run it inside a network namespace (the Java test does).
//   node libdatachannel-client.mjs --base https://ADDR:PORT --room R --identity ID [--policy all|relay]
//        [--cert ecdsa|rsa] [--seconds 60]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndc from 'node-datachannel';
import { MediaChecker, Signaling, devToken, makeCertificate, parseArgs, parseRtp, report, rtp, startMediaLoop }
  from './lib/chorus.mjs';

const args = parseArgs(process.argv.slice(2));
if (args.log) ndc.initLogger(args.log, (level, message) => report("log", { level, message }));
const policy = args.policy || 'all';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-ldc-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const cert = args.cert || 'ecdsa';
makeCertificate(cert, tmp);

/** TURN servers from `joined` as libdatachannel objects (its URL form cannot carry the REST username's ':'). */
function iceServers(joined) {
  if (policy !== 'relay') return [];
  const out = [];
  for (const s of joined.iceServers || []) {
    for (const url of [].concat(s.urls)) {
      const m = /^turn:([^:?]+):(\d+)\?transport=(udp|tcp)$/.exec(url);
      if (m && m[3] === 'udp') {
        out.push({ hostname: m[1], port: Number(m[2]), username: s.username, password: s.credential, relayType: 'TurnUdp' });
      }
    }
  }
  return out;
}

function peer(name, joined) {
  return new ndc.PeerConnection(name, {
    iceServers: iceServers(joined),
    iceTransportPolicy: policy,
    certificatePemFile: path.join(tmp, cert + '-cert.pem'),
    keyPemFile: path.join(tmp, cert + '-key.pem'),
    forceMediaTransport: true,
  });
}

function gathered(pc) {
  return new Promise(resolve => {
    if (pc.gatheringState() === 'complete') return resolve();
    pc.onGatheringStateChange(s => { if (s === 'complete') resolve(); });
  });
}

const token = await devToken(args.base, args.room, args.identity);
const sig = new Signaling(args.base.replace('https://', 'wss://') + 'v1/ws');
const joined = await sig.join(args.room, token);
report('joined', { participantId: joined.participantId, version: ndc.getLibraryVersion ? ndc.getLibraryVersion() : null });

// ---- subscribe ----
const received = {};
let midOwner = new Map();
let rtxPayloadTypes = new Map();
let rtxPackets = 0;
let sub = null;
const subTracks = [];
sig.on('subscriberOffer', async m => {
  report('subscriber-offer', { tracks: m.tracks.length });
  midOwner = new Map(m.tracks.map(t => [t.mid, { participantId: t.participantId, kind: t.kind }]));
  // RTX payload types per mid (RFC 4588): retransmissions and the SFU's bandwidth probes (RTX copies of sent packets,
  // padding-only packets) share the track's callback here; they are not VP8 payloads and must not reach the checker.
  rtxPayloadTypes = new Map(m.sdp.split(/\r\n(?=m=)/).slice(1).map(section => [
    (section.match(/\r\na=mid:(\S+)/) || [])[1],
    new Set([...section.matchAll(/\r\na=rtpmap:(\d+) rtx\//g)].map(x => Number(x[1]))),
  ]));
  if (!sub) {
    sub = peer('subscribe', joined);
    sub.onTrack(track => {
      subTracks.push(track);
      track.onMessage(buf => {
        const owner = midOwner.get(track.mid());
        const p = parseRtp(buf);
        if (!owner || !p || (p.payloadType >= 72 && p.payloadType <= 76)) return; // RTCP shares the track
        if (rtxPayloadTypes.get(track.mid())?.has(p.payloadType)) { rtxPackets++; return; }
        const checker = received[owner.participantId] || (received[owner.participantId] = new MediaChecker());
        if (owner.kind === 'audio') checker.onAudioRtp(p.payload);
        else checker.onVideoRtp(p.payload, p.marker);
      });
    });
  }
  sub.setRemoteDescription(m.sdp, 'offer'); // libdatachannel answers by itself
  await gathered(sub);
  let answer = sub.localDescription().sdp;
  // --reject-inactive 1: answer an offer whose every section is inactive with every m-line at port 0, as some
  // clients do (issue 13 defect 2: the server refused it and never offered again).
  const offered = m.sdp.split(/\r\n(?=m=)/).slice(1);
  if (args['reject-inactive'] && offered.length > 0 && offered.every(x => /\r\na=inactive/.test(x))) {
    answer = answer.replace(/^m=(\w+) \d+ /gm, 'm=$1 0 ');
    report('rejected-inactive-offer', {});
  }
  sig.send({ type: 'subscriberAnswer', sdp: answer });
});

// ---- publish ----
const pub = peer('publish', joined);
const VIDEO_SSRC = 0x1000 + Math.floor(Math.random() * 1e6), AUDIO_SSRC = VIDEO_SSRC + 1;
const video = new ndc.Video('0', 'SendOnly');
video.addVP8Codec(96);
video.addSSRC(VIDEO_SSRC, 'ldc', 'ldc-stream', 'ldc-video');
const audio = new ndc.Audio('1', 'SendOnly');
audio.addOpusCodec(111);
audio.addSSRC(AUDIO_SSRC, 'ldc', 'ldc-stream', 'ldc-audio');
const vtrack = pub.addTrack(video);
const atrack = pub.addTrack(audio);
pub.setLocalDescription();
await gathered(pub);
const answered = new Promise(resolve => sig.on('publishAnswer', resolve));
sig.send({ type: 'publish', sdp: pub.localDescription().sdp });
pub.setRemoteDescription((await answered).sdp, 'answer');
pub.onStateChange(s => report('publish-state', { state: s }));
const loop = startMediaLoop(
  (payload, marker, ts, seq) => { if (vtrack.isOpen()) vtrack.sendMessageBinary(rtp(96, VIDEO_SSRC, seq, ts, marker, payload)); },
  (payload, ts, seq) => { if (atrack.isOpen()) atrack.sendMessageBinary(rtp(111, AUDIO_SSRC, seq, ts, false, payload)); });

const stats = setInterval(() => {
  const out = {};
  for (const [p, c] of Object.entries(received)) out[p] = { video: c.video, audio: c.audio };
  report('stats', { sent: loop.sent, publish: pub.state(), subscribe: sub ? sub.state() : 'none', received: out, rtxPackets });
}, 500);

const stop = () => {
  clearInterval(stats);
  loop.stop();
  sig.close();
  try { pub.close(); if (sub) sub.close(); } catch (e) { /* closing */ }
  setTimeout(() => { ndc.cleanup(); process.exit(0); }, 300);
};
setTimeout(stop, (Number(args.seconds) || 60) * 1000);
process.stdin.on('end', stop);
process.stdin.resume();
