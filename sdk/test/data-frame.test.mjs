// The data message frames of docs/protocol.md ("Data channels"), as pure functions (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDataFrame, decodeDataFrame } from '../chorus.js';

test('a text message to everyone: version, text flag, topic, no destinations, payload', () => {
  const f = encodeDataFrame('chat', 'hé');
  assert.deepEqual([...f], [1, 1, 4, ...Buffer.from('chat'), 0, 0, ...Buffer.from('hé')]);
});

test('bytes to two participants carry the destination list', () => {
  const f = encodeDataFrame('t', new Uint8Array([9, 8]), ['a', 'bc']);
  assert.deepEqual([...f], [1, 0, 1, 116, 0, 2, 1, 97, 2, 98, 99, 9, 8]);
});

test('bad topics and data are refused before anything is sent', () => {
  assert.throws(() => encodeDataFrame('', 'x'), { code: 'bad_topic' });
  assert.throws(() => encodeDataFrame('x'.repeat(129), 'x'), { code: 'bad_topic' });
  assert.throws(() => encodeDataFrame('t', 42), { code: 'bad_data' });
  assert.throws(() => encodeDataFrame('t', 'x', ['']), { code: 'bad_destinations' });
});

test('a delivered frame gives sender, topic and the payload as sent', () => {
  const text = new Uint8Array([1, 1, 4, ...Buffer.from('chat'), 2, ...Buffer.from('p7'), ...Buffer.from('hi')]);
  assert.deepEqual(decodeDataFrame(text.buffer), { participantId: 'p7', topic: 'chat', data: 'hi' });
  const bytes = new Uint8Array([1, 0, 1, 116, 1, 97, 0, 255]);
  assert.deepEqual(decodeDataFrame(bytes.buffer), { participantId: 'a', topic: 't', data: new Uint8Array([0, 255]) });
});

test('malformed deliveries are ignored, never thrown', () => {
  assert.equal(decodeDataFrame(new Uint8Array([2, 0, 1, 116, 1, 97]).buffer), null, 'unknown version');
  assert.equal(decodeDataFrame(new Uint8Array([1, 0, 9, 116, 1, 97]).buffer), null, 'topic past the end');
  assert.equal(decodeDataFrame(new Uint8Array([1, 1, 1, 0xff, 1, 97]).buffer), null, 'invalid UTF-8 topic');
  assert.equal(decodeDataFrame('text'), null, 'not binary');
});
