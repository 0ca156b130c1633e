// Page helpers for the interop tests, run in any browser (Chromium, Firefox) on the Chorus server's own page origin:
// join with a dev token through the real SDK (/sdk/chorus.js), publish the fake camera + microphone, and report what
// the subscriber connection decoded. Loaded as the body of an async function; leaves window.I behind.
if (!window.I) {
  const { Chorus } = await import('/sdk/chorus.js');
  window.I = { c: null, events: [] };
  I.join = async (room, identity, publish, policy) => {
    const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                          body: JSON.stringify({ room, identity }) });
    if (!r.ok) throw new Error('dev token: ' + r.status);
    const { token } = await r.json();
    const c = await Chorus.connect({ token, room, iceTransportPolicy: policy || 'all' });
    I.c = c;
    c.on('track', d => {
      I.events.push('track ' + d.participantId + ' ' + d.kind);
      if (d.kind !== 'audio') return;
      // Play the remote audio: Chromium decodes audio (totalSamplesReceived) only for a sink.
      const el = new Audio();
      el.srcObject = new MediaStream([d.track]);
      el.play().catch(e => I.events.push('play ' + e.name));
      I.audioEls = (I.audioEls || []).concat([el]);
    });
    c.on('error', e => I.events.push('error ' + e.code));
    if (publish) await c.publish({ audio: true, video: true });
    return c.participantId;
  };
  // What the subscriber connection received and decoded, summed over its inbound streams.
  I.received = async () => {
    const out = { framesDecoded: 0, videoBytes: 0, audioSamples: 0, audioBytes: 0,
                  state: I.c.subscriber ? I.c.subscriber.connectionState : 'none',
                  publisher: I.c.publisher ? I.c.publisher.connectionState : 'none', events: I.events };
    if (!I.c.subscriber) return JSON.stringify(out);
    const report = await I.c.subscriber.getStats();
    report.forEach(s => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') { out.framesDecoded += s.framesDecoded || 0; out.videoBytes += s.bytesReceived || 0; }
      if (s.kind === 'audio') { out.audioSamples += s.totalSamplesReceived || 0; out.audioBytes += s.bytesReceived || 0; }
    });
    return JSON.stringify(out);
  };
  I.leave = () => { for (const el of I.audioEls || []) el.pause(); I.c.leave(); };
}
