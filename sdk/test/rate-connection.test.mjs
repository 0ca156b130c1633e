// The connection quality rating, as a pure function of what the browser measured (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateConnection } from '../chorus.js';

test('a clean loopback-like path is excellent', () => {
  assert.equal(rateConnection({ loss: 0, rttMs: 2, jitterMs: 1 }), 'excellent');
  assert.equal(rateConnection({}), 'excellent', 'no RTT measured yet is not held against the connection');
});

test('a few percent of loss or a long round trip is good, more is poor', () => {
  assert.equal(rateConnection({ loss: 0.03, rttMs: 20 }), 'good');
  assert.equal(rateConnection({ loss: 0, rttMs: 200 }), 'good');
  assert.equal(rateConnection({ loss: 0.08, rttMs: 20 }), 'poor');
  assert.equal(rateConnection({ loss: 0, rttMs: 450 }), 'poor');
  assert.equal(rateConnection({ loss: 0, rttMs: 20, jitterMs: 80 }), 'poor');
});

test('no media in the interval is lost, whatever the other figures say', () => {
  assert.equal(rateConnection({ loss: 0, rttMs: 5, receiving: false }), 'lost');
});
