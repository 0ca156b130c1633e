// Chorus's data message frames (docs/protocol.md, "Data channels"), for the interop clients.

/** client → SFU: version 1 | flags (1 = text) | topicLen | topic | u16 destCount (0: everyone) | payload */
export function frame(topic, text) {
  const t = Buffer.from(topic, 'utf8');
  return Buffer.concat([Buffer.from([1, 1, t.length]), t, Buffer.from([0, 0]), Buffer.from(text, 'utf8')]);
}

/** SFU → client: version | flags | topicLen | topic | senderLen | sender | payload; null if malformed. */
export function unframe(buf) {
  const b = Buffer.from(buf);
  if (b.length < 5 || b[0] !== 1) return null;
  let p = 3 + b[2];
  const topic = b.subarray(3, p).toString('utf8');
  const idLen = b[p++];
  if (idLen === 0 || p + idLen > b.length) return null;
  const from = b.subarray(p, p + idLen).toString('utf8');
  return { from, topic, text: b.subarray(p + idLen).toString('utf8'), binary: (b[1] & 1) === 0 };
}
