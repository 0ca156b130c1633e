// The demo page: join a room with a token (or, in dev mode, a one-click dev token), see and hear everyone.
// Tiles carry the participant's name (the token's `name` claim), a green outline while they speak, a connection
// quality dot; your own tile stays first and keeps its place when you switch camera or microphone.
import { Chorus } from '/sdk/chorus.js';

const $ = (id) => document.getElementById(id);
let call = null;

function status(text) { $('status').textContent = text; }
function showError(e) { $('error').textContent = e ? (e.code ? e.code + ': ' : '') + (e.message || e) : ''; }

// The dev token endpoint exists only in dev mode: GET answers 405 there (POST only) and 404 in production.
fetch('/dev/token', { method: 'GET' }).then((r) => {
  if (r.status === 405) { $('devToken').hidden = false; $('devNote').hidden = false; }
}).catch(() => {});

let devIdentity = null; // the identity of the last dev token: refreshes and rejoins must keep it

/** A dev-mode token for `room` (and, once known, the same identity), or null outside dev mode. */
async function devToken(room) {
  const r = await fetch('/dev/token', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room, ...(devIdentity ? { identity: devIdentity } : {}),
      ...($('name').value.trim() ? { name: $('name').value.trim() } : {}) }),
  });
  const body = await r.json();
  if (!r.ok) throw body.error || { message: 'could not get a dev token' };
  devIdentity = body.identity;
  return body.token;
}

$('devToken').addEventListener('click', async () => {
  showError(null);
  devIdentity = null;
  try {
    $('token').value = await devToken($('room').value);
  } catch (e) {
    showError(e);
  }
});

function tile(id, label, stream, muted) {
  let t = document.getElementById('tile-' + id);
  if (!t) {
    t = document.createElement('div');
    t.className = muted ? 'tile self' : 'tile';
    t.id = 'tile-' + id;
    const q = document.createElement('span');
    q.className = 'quality';
    t.append(q);
    const v = document.createElement('video');
    v.autoplay = true;
    v.playsInline = true;
    v.muted = muted;
    const l = document.createElement('span');
    l.className = 'label';
    l.textContent = label;
    t.append(v, l);
    $('tiles').append(t);
  }
  const v = t.querySelector('video');
  if (v.srcObject !== stream) v.srcObject = stream;
  v.play().catch(() => {});
  return t;
}

function removeTile(id) {
  const t = document.getElementById('tile-' + id);
  if (t) t.remove();
}

function labelOf(participantId) {
  if (!call) return participantId.slice(0, 8);
  const name = call.displayName(participantId);
  return participantId === call.participantId ? name + ' (you)' : name;
}

/** Fills the camera and microphone pickers with the browser's devices, the ones in use selected. */
async function fillDevicePickers() {
  for (const [kind, select, deviceKind] of [['video', $('camera'), 'videoinput'], ['audio', $('microphone'), 'audioinput']]) {
    const devices = await Chorus.devices(deviceKind);
    const current = call.currentDevice(kind);
    select.replaceChildren(...devices.map((d, i) => {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || (kind === 'video' ? 'camera ' : 'microphone ') + (i + 1);
      o.selected = d.deviceId === current;
      return o;
    }));
    select.disabled = current === null;
  }
}

for (const [kind, id] of [['video', 'camera'], ['audio', 'microphone']]) {
  $(id).addEventListener('change', async () => {
    try {
      await call.switchDevice(kind, $(id).value);
    } catch (e) {
      showError(e);
    }
    fillDevicePickers().catch(() => {});
  });
}

$('join').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(null);
  const token = $('token').value.trim();
  const room = $('room').value.trim();
  if (!token) { showError({ message: 'a join token is required' }); return; }
  $('joinButton').disabled = true;
  status('joining…');
  // In dev mode the page can mint its own fresh tokens: for refreshing before expiry and for rejoining after a
  // server restart. A pasted token has no such source: the call then ends when it expires.
  const fromDev = Boolean(devIdentity) && !$('devToken').hidden && token === $('token').value.trim();
  try {
    call = await Chorus.connect({ token, room, getToken: fromDev ? () => devToken(room) : null });
  } catch (e) {
    showError(e);
    status('not connected');
    $('joinButton').disabled = false;
    return;
  }
  window.chorusCall = call; // for debugging in the console
  status('in room ' + room + ' as ' + call.participantId.slice(0, 8));
  $('join').hidden = true;
  $('call').hidden = false;
  $('who').textContent = 'rights: ' + call.rights.join(' ');
  call.on('track', ({ participantId, stream }) => tile(participantId, labelOf(participantId), stream, false));
  call.on('trackRemoved', ({ participantId, stream }) => { if (stream.getTracks().length === 0) removeTile(participantId); });
  call.on('participantLeft', ({ participantId }) => removeTile(participantId));
  call.on('trackUpdated', ({ track }) => {
    const t = document.getElementById('tile-' + track.participantId);
    if (!t || track.participantId === call.participantId) return;
    let badge = t.querySelector('.badge.' + track.kind);
    if (track.muted && !badge) {
      badge = document.createElement('span');
      badge.className = 'badge ' + track.kind;
      badge.textContent = track.kind === 'audio' ? 'mic off' : 'camera off';
      t.append(badge);
    } else if (!track.muted && badge) {
      badge.remove();
    }
  });
  call.on('participantJoined', ({ participant }) => {
    const t = document.getElementById('tile-' + participant.participantId);
    if (t) t.querySelector('.label').textContent = labelOf(participant.participantId);
  });
  call.on('speakingChanged', ({ participantId, speaking }) => {
    const t = document.getElementById('tile-' + participantId);
    if (t) t.classList.toggle('speaking', speaking);
  });
  call.on('activeSpeaker', ({ participantId }) => {
    for (const t of document.querySelectorAll('.tile.active')) t.classList.remove('active');
    const t = document.getElementById('tile-' + participantId);
    if (t) t.classList.add('active');
  });
  call.on('connectionQuality', ({ participantId, quality, loss, rttMs }) => {
    const q = document.querySelector('#tile-' + CSS.escape(participantId) + ' .quality');
    if (!q) return;
    q.className = 'quality ' + quality;
    q.title = quality + ': ' + Math.round(loss * 100) + ' % loss' + (rttMs == null ? '' : ', ' + rttMs + ' ms round trip');
  });
  call.on('devicesChanged', () => fillDevicePickers().catch(() => {}));
  call.on('error', (e) => showError(e));
  call.on('tokenExpiring', async () => {
    if (!fromDev) { showError({ message: 'the token expires soon; rejoin with a fresh one' }); return; }
    try {
      await call.refreshToken(await devToken(room));
    } catch (e) {
      showError(e);
    }
  });
  call.on('reconnecting', () => status('reconnecting…'));
  call.on('reconnected', () => {
    status('in room ' + room + ' as ' + call.participantId.slice(0, 8));
    $('tiles').replaceChildren();
    if (call.localStream) tile(call.participantId, labelOf(call.participantId), call.localStream, true);
  });
  call.on('disconnected', ({ reason }) => showError({ message: reason }));
  call.on('closed', ({ error }) => {
    status(error ? 'disconnected (' + error.code + ')' : 'left');
    $('tiles').replaceChildren();
    $('call').hidden = true;
    $('join').hidden = false;
    $('joinButton').disabled = false;
  });
  const canAudio = call.rights.includes('media:publish:audio');
  const canVideo = call.rights.includes('media:publish:video');
  if (canAudio || canVideo) {
    // one self tile for the whole call, first in the grid: it shows call.localStream, whose tracks the SDK swaps in
    // place when the camera or microphone changes
    tile(call.participantId, labelOf(call.participantId), call.localStream, true);
    try {
      await call.publish({ audio: canAudio, video: canVideo });
      await fillDevicePickers();
    } catch (e) {
      showError(e);
    }
  }
  setUpChat(call);
  $('camera').closest('.devices').hidden = !(canAudio || canVideo);
  $('share').hidden = !call.rights.includes('media:publish:screen');
});

$('muteAudio').addEventListener('click', () => {
  const muted = !call.isMuted('audio');
  call.mute('audio', muted).catch(showError);
  $('muteAudio').textContent = muted ? 'Unmute mic' : 'Mute mic';
  $('muteAudio').classList.toggle('off', muted);
});

$('muteVideo').addEventListener('click', () => {
  const muted = !call.isMuted('video');
  (muted ? call.stopCamera() : call.startCamera()).catch(showError); // the camera light goes off when stopped
  $('muteVideo').textContent = muted ? 'Start camera' : 'Stop camera';
  $('muteVideo').classList.toggle('off', muted);
});

$('share').addEventListener('click', async () => {
  try {
    await call.publishScreen();
  } catch (e) {
    showError(e);
  }
});

$('leave').addEventListener('click', () => call && call.leave());

// ---- chat: data messages on topic 'chat' (issue 14), shown only with the data scopes ---------------------------------

function addChatLine(from, text) {
  const li = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = from + ': ';
  li.append(who, document.createTextNode(text)); // text, never HTML
  $('messages').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

function setUpChat(c) {
  $('messages').replaceChildren();
  const canSend = c.rights.includes('data:publish');
  $('chat').hidden = !(canSend || c.rights.includes('data:subscribe'));
  $('chatForm').hidden = !canSend;
  if ($('chat').hidden) return;
  c.on('data', ({ participantId, topic, data }) => {
    if (topic === 'chat' && typeof data === 'string') addChatLine(labelOf(participantId), data);
  });
}

$('chatForm').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('chatText').value.trim();
  if (!text || !call) return;
  $('chatText').value = '';
  try {
    await call.sendData('chat', text);
    addChatLine('you', text);
  } catch (e) {
    showError(e);
  }
});
