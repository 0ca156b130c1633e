// The keep-alive judge of the signaling socket, as a pure state machine fed times (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketWatch } from '../chorus.js';

const watch = () => new SocketWatch({ pingInterval: 5000, pongTimeout: 4000, deadAfter: 12000, backAfter: 1000 });

test('a ping is due every interval while none is outstanding', () => {
  const w = watch();
  w.reset(0);
  assert.equal(w.pingDue(4999), false);
  assert.equal(w.pingDue(5000), true);
  w.pinged(5000);
  assert.equal(w.pingDue(20000), false, 'no second ping while the first is unanswered');
  w.heard(5010);
  assert.equal(w.pingDue(9999), false);
  assert.equal(w.pingDue(10000), true);
});

test('an answered socket is neither dead nor stale', () => {
  const w = watch();
  w.reset(0);
  w.pinged(100);
  w.heard(150);
  assert.equal(w.dead(60000, true), false);
  assert.equal(w.stale(60000), false);
  assert.equal(w.unanswered(60000), 0);
});

test('an unanswered ping kills the socket sooner when the media path works than when the network is down', () => {
  const w = watch();
  w.reset(0);
  w.pinged(1000);
  assert.equal(w.dead(4999, true), false);
  assert.equal(w.dead(5000, true), true, 'ICE connected but no pong for 4 s: the socket is dead');
  assert.equal(w.dead(12999, false), false, 'the whole network is down: wait for it (or for the hard limit)');
  assert.equal(w.dead(13000, false), true);
});

test('the oldest unanswered ping counts, later pings do not restart the clock', () => {
  const w = watch();
  w.reset(0);
  w.pinged(1000);
  w.pinged(6000);
  assert.equal(w.unanswered(7000), 6000);
});

test('when the network returns, a ping unanswered through the outage marks the socket stale', () => {
  const w = watch();
  w.reset(0);
  w.pinged(5000); // ICE went disconnected: probe
  assert.equal(w.stale(5500), false, 'a pong may still be on its way');
  assert.equal(w.stale(10200), true, 'ICE connected again 5.2 s later and the socket never answered');
});

test('a socket is proven for signaling only by a message after the trouble began and no overdue ping', () => {
  const w = watch();
  w.reset(0);
  w.heard(900);
  assert.equal(w.proven(1000), false, 'nothing heard since ICE trouble at 1000');
  w.pinged(1000);
  assert.equal(w.proven(1000), false);
  w.heard(1040);
  assert.equal(w.proven(1000), true, 'the probe was answered: an ICE restart sent now arrives now');
  w.pinged(2000);
  assert.equal(w.proven(1000), false, 'a newer ping is outstanding: wait for its answer');
});
