// The end-to-end encryption frame format (docs/e2ee.md), as pure functions over WebCrypto (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptFrame, encryptFrame, importE2eeKey } from '../chorus.js';

const key = await importE2eeKey(new Uint8Array(32).fill(7));
const otherKey = await importE2eeKey(new Uint8Array(32).fill(8));
const frame = (bytes, type) => ({ data: Uint8Array.from(bytes).buffer, type });
const vp8Key = Array.from({ length: 200 }, (_, i) => (i * 13) & 0xff);

test('a key frame keeps its 10-byte VP8 header clear, hides the rest, and decrypts back', async () => {
  const sealed = new Uint8Array(await encryptFrame(key, frame(vp8Key, 'key'), false));
  assert.deepEqual([...sealed.subarray(0, 10)], vp8Key.slice(0, 10), 'the header the SFU and depacketizer read');
  assert.equal(sealed.length, 200 + 16 + 12 + 1, 'tag, IV and IV length added');
  assert.notDeepEqual([...sealed.subarray(10, 200)], vp8Key.slice(10), 'the payload is not readable');
  const plain = await decryptFrame(key, { data: sealed.buffer, type: 'key' }, false);
  assert.deepEqual([...new Uint8Array(plain)], vp8Key);
});

test('delta frames keep 3 bytes clear, audio frames 1', async () => {
  const delta = new Uint8Array(await encryptFrame(key, frame(vp8Key, 'delta'), false));
  assert.deepEqual([...delta.subarray(0, 3)], vp8Key.slice(0, 3));
  assert.notDeepEqual([...delta.subarray(3, 10)], vp8Key.slice(3, 10));
  const opus = new Uint8Array(await encryptFrame(key, frame([0x78, 1, 2, 3, 4], undefined), true));
  assert.equal(opus[0], 0x78);
  assert.deepEqual([...new Uint8Array(await decryptFrame(key, { data: opus.buffer }, true))], [0x78, 1, 2, 3, 4]);
});

test('the same frame encrypts differently each time (random IVs)', async () => {
  const a = new Uint8Array(await encryptFrame(key, frame(vp8Key, 'key'), false));
  const b = new Uint8Array(await encryptFrame(key, frame(vp8Key, 'key'), false));
  assert.notDeepEqual([...a], [...b]);
});

test('a wrong key, an altered header or payload, or an unencrypted frame does not decrypt', async () => {
  const sealed = new Uint8Array(await encryptFrame(key, frame(vp8Key, 'key'), false));
  assert.equal(await decryptFrame(otherKey, { data: sealed.slice().buffer, type: 'key' }, false), null);
  const header = sealed.slice(); header[4] ^= 1;
  assert.equal(await decryptFrame(key, { data: header.buffer, type: 'key' }, false), null, 'the clear header is authenticated');
  const payload = sealed.slice(); payload[50] ^= 1;
  assert.equal(await decryptFrame(key, { data: payload.buffer, type: 'key' }, false), null);
  assert.equal(await decryptFrame(key, frame(vp8Key, 'key'), false), null, 'plaintext is not accepted as encrypted');
  assert.equal(await decryptFrame(key, frame([1, 2, 3], 'delta'), false), null, 'too short');
});

test('keys are CryptoKeys or 16/32 raw bytes', async () => {
  await importE2eeKey(new Uint8Array(16));
  await assert.rejects(importE2eeKey(new Uint8Array(20)), /e2ee key/);
  await assert.rejects(importE2eeKey('a passphrase'), /e2ee key/);
});
