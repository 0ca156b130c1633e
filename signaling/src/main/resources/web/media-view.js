// The who-receives-whom page (docs/media-view.md): polls GET /v1/media/rooms with the credential the browser
// already sent for this page (HTTP Basic with a backend key that holds rooms:admin) and renders one table per room.
// Text only goes through textContent: identities and names come from tokens and are never parsed as HTML.

const roomsEl = document.getElementById('rooms');
const statusEl = document.getElementById('status');
const intervalEl = document.getElementById('interval');
let timer = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function rate(bps) {
  if (bps == null) return '—';
  if (bps >= 1e6) return (bps / 1e6).toFixed(2) + ' Mbit/s';
  if (bps >= 1e3) return (bps / 1e3).toFixed(0) + ' kbit/s';
  return bps + ' bit/s';
}

function pct(f) { return f == null ? '—' : (f * 100).toFixed(1) + ' %'; }
function ms(v) { return v == null ? '—' : v.toFixed(1) + ' ms'; }
function layer(l) {
  if (l == null) return '—';
  const parts = [];
  if (l.rid != null) parts.push(l.rid);
  parts.push('S' + (l.spatial == null ? '–' : l.spatial), 'T' + (l.temporal == null ? '–' : l.temporal));
  return parts.join(' ');
}

function who(room, id) {
  const p = room.participants.find((x) => x.participantId === id);
  if (!p) return id;
  return (p.name || p.identity || id) + ' (' + id + ')';
}

function row(cells, cls) {
  const tr = el('tr', null, cls);
  for (const [text, c] of cells) tr.appendChild(el('td', text, c));
  return tr;
}

function renderRoom(room) {
  const sec = el('section', null, 'room');
  sec.dataset.room = room.room;
  sec.appendChild(el('h2', 'Room ' + room.room + ' · project ' + room.project + ' · '
    + room.participants.length + ' participant(s)'));
  const table = el('table');
  const head = el('tr');
  for (const h of ['Publisher / track', 'Receiver', 'Layer', 'Rate', 'Packets', 'Loss', 'Jitter', 'RTT', 'Receiver estimate']) {
    head.appendChild(el('th', h));
  }
  table.appendChild(head);
  for (const p of room.participants) {
    table.appendChild(row([[who(room, p.participantId)], ['receives ' + p.receiving + ' track(s)'], [''], [''], [''], [''], [''],
      [''], [rate(p.estimateBps)]], 'publisher'));
    if (p.tracks.length === 0) table.appendChild(row([['publishes nothing', 'empty']]));
    for (const t of p.tracks) {
      const label = t.kind + ' ' + t.trackId + (t.muted ? ' (muted)' : '');
      table.appendChild(row([[label], ['from publisher'], ['—'], [rate(t.bitrateBps), 'num'], [t.packets, 'num'], [''], [''], [''], ['']]));
      if (t.receivers.length === 0) table.appendChild(row([[''], ['nobody receives it', 'empty']]));
      for (const r of t.receivers) {
        const tr = row([[''], [who(room, r.participantId)], [layer(r.layer)], [rate(r.bitrateBps), 'num'], [r.packets, 'num'],
          [pct(r.fractionLost), 'num'], [ms(r.jitterMs), 'num'], [ms(r.rttMs), 'num'], ['']], r.active ? 'receiver' : 'receiver inactive');
        tr.dataset.receiver = r.participantId;
        tr.dataset.track = p.participantId + '/' + t.trackId;
        table.appendChild(tr);
      }
    }
  }
  sec.appendChild(table);
  return sec;
}

async function refresh() {
  try {
    const r = await fetch('/v1/media/rooms', { credentials: 'same-origin', cache: 'no-store' });
    if (!r.ok) {
      let reason = r.status + '';
      try { reason += ' ' + (await r.json()).error.message; } catch { /* not JSON */ }
      throw new Error(reason);
    }
    const body = await r.json();
    roomsEl.replaceChildren(...(body.rooms.length ? body.rooms.map(renderRoom) : [el('p', 'No call is running on this node.', 'empty')]));
    statusEl.textContent = 'updated ' + new Date(body.takenAt).toLocaleTimeString();
    statusEl.className = 'status';
    window.chorusMediaView = body; // the last snapshot, for scripts and tests
  } catch (e) {
    statusEl.textContent = 'could not load: ' + e.message;
    statusEl.className = 'status error';
  }
}

function schedule() {
  clearInterval(timer);
  const every = Number(intervalEl.value);
  if (every > 0) timer = setInterval(refresh, every);
}

intervalEl.addEventListener('change', schedule);
refresh();
schedule();
