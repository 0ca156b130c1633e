// A Chorus participant on werift (pure TypeScript WebRTC): publishes the recorded VP8 + Opus and subscribes to
// everyone else, checking every received frame. Usage (all options required except where a default is given):
//   node werift-client.mjs --base https://127.0.0.1:PORT --room R --identity ID [--policy all|relay]
//        [--cert ecdsa|rsa] [--bundle max-bundle|disable] [--host 127.0.0.1] [--seconds 60]
// Prints JSON lines: joined, publish-connected, stats (every 500 ms), error, closed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { MediaChecker, Signaling, devToken, makeCertificate, parseArgs, report, rtp, startMediaLoop, turnServers }
  from './lib/chorus.mjs';

const args = parseArgs(process.argv.slice(2));
const policy = args.policy || 'all';
const host = args.host || '127.0.0.1';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-werift-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const keys = (() => {
  const { certPem, keyPem } = makeCertificate(args.cert || 'ecdsa', tmp);
  // werift's SignatureHash: hash sha256 = 4; signature rsa = 1, ecdsa = 3
  return { certPem, keyPem, signatureHash: { hash: 4, signature: args.cert === 'rsa' ? 1 : 3 } };
})();

const codecs = {
  video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000,
                                      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] })],
  audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
};

function peer(joined) {
  return new RTCPeerConnection({
    codecs,
    iceServers: turnServers(joined, policy),
    iceTransportPolicy: policy,
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: host },
    iceAdditionalHostAddresses: [host],
    bundlePolicy: args.bundle || 'max-bundle',
    dtls: { keys },
  });
}

async function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(resolve => pc.iceGatheringStateChange.subscribe(s => { if (s === 'complete') resolve(); }));
}

const token = await devToken(args.base, args.room, args.identity);
const sig = new Signaling(args.base.replace('https://', 'wss://') + 'v1/ws');
const joined = await sig.join(args.room, token);
report('joined', { participantId: joined.participantId, iceServers: joined.iceServers.length });

// ---- subscribe: answer every offer, check what arrives per publisher ----
const received = {};   // participantId → MediaChecker
let midOwner = new Map();
let sub = null;
sig.on('subscriberOffer', async m => {
  midOwner = new Map(m.tracks.map(t => [t.mid, t.participantId]));
  if (!sub) {
    sub = peer(joined);
    sub.ontrack = ({ track, transceiver }) => {
      track.onReceiveRtp.subscribe(packet => {
        const from = midOwner.get(transceiver.mid);
        if (!from) return;
        const checker = received[from] || (received[from] = new MediaChecker());
        if (track.kind === 'video') checker.onVideoRtp(packet.payload, packet.header.marker);
        else checker.onAudioRtp(packet.payload);
      });
    };
  }
  await sub.setRemoteDescription({ type: 'offer', sdp: m.sdp });
  await sub.setLocalDescription(await sub.createAnswer());
  await gathered(sub);
  sig.send({ type: 'subscriberAnswer', sdp: sub.localDescription.sdp });
});

// ---- publish: one VP8 and one Opus section, then the recorded media in a loop ----
const pub = peer(joined);
const video = pub.addTransceiver('video', { direction: 'sendonly' });
const audio = pub.addTransceiver('audio', { direction: 'sendonly' });
await pub.setLocalDescription(await pub.createOffer());
await gathered(pub);
const answered = new Promise(resolve => sig.on('publishAnswer', resolve));
sig.send({ type: 'publish', sdp: pub.localDescription.sdp });
await pub.setRemoteDescription({ type: 'answer', sdp: (await answered).sdp });
pub.connectionStateChange.subscribe(s => report('publish-state', { state: s }));
// werift's sender sets SSRC, payload type and its header extensions itself
const loop = startMediaLoop(
  (payload, marker, ts, seq) => video.sender.sendRtp(rtp(0, 0, seq, ts, marker, payload)),
  (payload, ts, seq) => audio.sender.sendRtp(rtp(0, 0, seq, ts, false, payload)));

const stats = setInterval(() => {
  const out = {};
  for (const [p, c] of Object.entries(received)) out[p] = { video: c.video, audio: c.audio };
  report('stats', { sent: loop.sent, publish: pub.connectionState, subscribe: sub ? sub.connectionState : 'none',
                    received: out });
}, 500);

const stop = async () => {
  clearInterval(stats);
  loop.stop();
  sig.close();
  await Promise.allSettled([pub.close(), sub && sub.close()]);
  setTimeout(() => process.exit(0), 200);
};
setTimeout(stop, (Number(args.seconds) || 60) * 1000);
process.stdin.on('end', stop);
process.stdin.resume();
