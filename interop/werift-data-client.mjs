// A Chorus participant on werift (pure TypeScript WebRTC, its own SCTP) that only exchanges data messages, like
// libdatachannel-data-client.mjs: the SDK's two channels on its publish connection, --messages text messages on
// topic 'interop' once the reliable channel is open, every relayed message reported as {"event":"data",…}.
//   node werift-data-client.mjs --base https://127.0.0.1:PORT --room R --identity ID [--messages 10] [--seconds 60]
import { RTCPeerConnection } from 'werift';
import { Signaling, devToken, parseArgs, report } from './lib/chorus.mjs';
import { frame, unframe } from './lib/data-frames.mjs';

const args = parseArgs(process.argv.slice(2));
const count = Number(args.messages) || 10;
const host = args.host || '127.0.0.1';

const token = await devToken(args.base, args.room, args.identity);
const sig = new Signaling(args.base.replace('https://', 'wss://') + 'v1/ws');
const joined = await sig.join(args.room, token);
report('joined', { participantId: joined.participantId });

const pc = new RTCPeerConnection({ iceUseIpv6: false, iceInterfaceAddresses: { udp4: host },
                                   iceAdditionalHostAddresses: [host], bundlePolicy: 'max-bundle' });
const reliable = pc.createDataChannel('chorus-reliable', { ordered: true });
const lossy = pc.createDataChannel('chorus-lossy', { ordered: false, maxRetransmits: 0 });
for (const ch of [reliable, lossy]) {
  ch.onMessage.subscribe(msg => {
    const m = typeof msg === 'string' ? null : unframe(msg);
    report(m ? 'data' : 'data-malformed', m || {});
  });
}
reliable.stateChanged.subscribe(state => {
  if (state !== 'open') return;
  report('data-open', {});
  for (let n = 0; n < count; n++) reliable.send(frame('interop', 'werift-' + n));
  report('data-sent', { count });
});
await pc.setLocalDescription(await pc.createOffer());
report('offer-created', { gathering: pc.iceGatheringState });
if (pc.iceGatheringState !== 'complete') {
  await new Promise(resolve => pc.iceGatheringStateChange.subscribe(s => { if (s === 'complete') resolve(); }));
}
const answered = new Promise(resolve => sig.on('publishAnswer', resolve));
sig.send({ type: 'publish', sdp: pc.localDescription.sdp });
report('publish-sent', {});
await pc.setRemoteDescription({ type: 'answer', sdp: (await answered).sdp });
report('answer-applied', {});
pc.connectionStateChange.subscribe(state => report('publish-state', { state }));
reliable.stateChanged.subscribe(state => report('reliable-state', { state }));

const stop = () => {
  sig.close();
  pc.close().catch(() => {});
  setTimeout(() => process.exit(0), 300);
};
setTimeout(stop, (Number(args.seconds) || 60) * 1000);
process.stdin.on('end', stop);
process.stdin.resume();
