// A Chorus participant on libdatachannel (C++, through npm's node-datachannel) that only exchanges data messages:
// it opens the two channels the SDK opens ('chorus-reliable', 'chorus-lossy') on its publish connection, sends
// --messages text messages on topic 'interop' once the reliable channel is open, and reports every relayed message
// it receives ({"event":"data","from":…,"topic":…,"text":…}). Frames as in docs/protocol.md ("Data channels").
// libdatachannel gathers no loopback candidates: run it inside a network namespace (the Java test does).
//   node libdatachannel-data-client.mjs --base https://ADDR:PORT --room R --identity ID [--messages 10] [--seconds 60]
import ndc from 'node-datachannel';
import { Signaling, devToken, parseArgs, report } from './lib/chorus.mjs';
import { frame, unframe } from './lib/data-frames.mjs';

const args = parseArgs(process.argv.slice(2));
const count = Number(args.messages) || 10;

const token = await devToken(args.base, args.room, args.identity);
const sig = new Signaling(args.base.replace('https://', 'wss://') + 'v1/ws');
const joined = await sig.join(args.room, token);
report('joined', { participantId: joined.participantId });

const pc = new ndc.PeerConnection('publish', { iceServers: [] });
const reliable = pc.createDataChannel('chorus-reliable', {});
const lossy = pc.createDataChannel('chorus-lossy', { unordered: true, maxRetransmits: 0 });
for (const ch of [reliable, lossy]) {
  ch.onMessage(msg => {
    const m = typeof msg === 'string' ? null : unframe(msg);
    report(m ? 'data' : 'data-malformed', m || {});
  });
}
reliable.onOpen(() => {
  report('data-open', {});
  for (let n = 0; n < count; n++) reliable.sendMessageBinary(frame('interop', 'ldc-' + n));
  report('data-sent', { count });
});
pc.setLocalDescription();
await new Promise(resolve => {
  if (pc.gatheringState() === 'complete') return resolve();
  pc.onGatheringStateChange(s => { if (s === 'complete') resolve(); });
});
const answered = new Promise(resolve => sig.on('publishAnswer', resolve));
sig.send({ type: 'publish', sdp: pc.localDescription().sdp });
pc.setRemoteDescription((await answered).sdp, 'answer');

const stop = () => {
  sig.close();
  try { pc.close(); } catch (e) { /* closing */ }
  setTimeout(() => { ndc.cleanup(); process.exit(0); }, 300);
};
setTimeout(stop, (Number(args.seconds) || 60) * 1000);
process.stdin.on('end', stop);
process.stdin.resume();
