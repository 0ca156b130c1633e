// A small app written against the SDK's declarations, the way an app developer would: it is type-checked in the
// project's test run (`tsc --noEmit`), so it must keep compiling as the SDK grows. Not served, not run.
import { Chorus, ChorusError, CloseCodes, importE2eeKey, rateConnection } from '@chorus/sdk';
import type { ChorusEvents, ConnectionQuality, Device, Participant, RemoteTrack } from '@chorus/sdk';

async function fetchToken(room: string): Promise<string> {
  const r = await fetch('/my-backend/chorus-token?room=' + encodeURIComponent(room));
  const body: { token: string } = await r.json();
  return body.token;
}

function tileFor(participantId: string): HTMLElement {
  let tile = document.getElementById('tile-' + participantId);
  if (!tile) {
    tile = document.createElement('div');
    tile.id = 'tile-' + participantId;
    tile.append(document.createElement('video'), document.createElement('span'));
    document.body.append(tile);
  }
  return tile;
}

export async function joinCall(room: string): Promise<Chorus> {
  const call = await Chorus.connect({ token: await fetchToken(room), room, tokenExpiryWarning: 30 });
  const me: string | null = call.name;
  console.log('joined as', me ?? call.participantId);

  call.on('participantJoined', ({ participant }: { participant: Participant }) => {
    const label: string = participant.name ?? participant.identity;
    tileFor(participant.participantId).querySelector('span')!.textContent = label;
  });
  call.on('track', (t: RemoteTrack) => {
    const video = tileFor(t.participantId).querySelector('video')!;
    video.srcObject = t.stream;
    tileFor(t.participantId).querySelector('span')!.textContent = call.displayName(t.participantId);
  });
  call.on('trackRemoved', ({ participantId, stream }) => {
    if (stream.getTracks().length === 0) tileFor(participantId).remove();
  });
  call.on('speakingChanged', ({ participantId, speaking }) => {
    tileFor(participantId).classList.toggle('speaking', speaking);
  });
  call.on('data', ({ participantId, topic, data }) => {
    if (topic === 'chat' && typeof data === 'string') console.log(call.displayName(participantId) + ': ' + data);
  });
  await call.sendData('chat', 'hello');
  await call.sendData('cursor', new Uint8Array([1, 2]), { reliable: false, to: ['p2'] });
  call.on('activeSpeaker', ({ participantId }) => {
    document.querySelectorAll('.active').forEach((e) => e.classList.remove('active'));
    tileFor(participantId).classList.add('active');
  });
  call.on('serverAudioLevels', ({ levels }) => console.log(levels.get(call.activeSpeaker ?? '')));
  call.on('audioLevels', ({ levels }) => {
    for (const [participantId, level] of levels) tileFor(participantId).style.setProperty('--level', level.toFixed(2));
  });
  call.on('connectionQuality', ({ participantId, quality, loss, rttMs }) => {
    const q: ConnectionQuality = quality;
    tileFor(participantId).dataset.quality = q + ' ' + Math.round(loss * 100) + '% ' + (rttMs ?? '?') + ' ms';
  });
  call.on('deviceChanged', ({ kind, deviceId }) => console.log('now using', kind, deviceId));
  call.on('devicesChanged', ({ devices }) => console.log(devices.length, 'devices'));
  call.on('tokenExpiring', async () => call.refreshToken(await fetchToken(room)));
  call.on('error', (e: ChorusError) => console.warn(e.code, e.message));
  call.on('closed', ({ code, error }) => {
    if (code === CloseCodes.REVOKED) console.log('removed by the backend');
    if (error) console.warn(error.code, error.closeCode);
  });

  const local: MediaStream = await call.publish({ audio: true, video: { width: 640 } });
  (document.getElementById('me') as HTMLVideoElement).srcObject = local;
  return call;
}

export async function pickDevices(call: Chorus): Promise<void> {
  const cameras: Device[] = await Chorus.devices('videoinput');
  const mics = await Chorus.devices('audioinput');
  if (cameras.length > 1) await call.switchDevice('video', cameras[1].deviceId);
  const track: MediaStreamTrack = await call.switchDevice('audio', mics[0]?.deviceId);
  console.log(track.label, call.currentDevice('audio'));
  const speakers = await Chorus.devices('audiooutput');
  const audio = document.querySelector('audio');
  if (audio && speakers[0]) await Chorus.setAudioOutput(audio, speakers[0].deviceId);
  call.mute('audio');
  call.unmute('audio');
  console.log(call.isMuted('video'), rateConnection({ loss: 0.01, rttMs: 40 }));
  const stats = await call.stats();
  console.log(stats.framesDecoded, stats.inbound.map((s) => s.participantId));
  const rating = call.connectionQuality.get(call.participantId ?? '');
  console.log(rating?.quality, call.audioLevels.get(call.participantId ?? ''));
}

// A listener's detail type follows the event name.
type Closed = ChorusEvents['closed'];
export const describeClose = (c: Closed): string => c.error ? c.error.code : 'left (' + c.code + ')';

// End-to-end encryption: the key comes from the app (e.g. derived from a secret its users share), never the server.
export async function joinEncrypted(room: string, rawKey: Uint8Array): Promise<Chorus> {
  const call = await Chorus.connect({ token: await fetchToken(room), room, e2ee: { key: rawKey } });
  try {
    await call.publish({ audio: true, video: true });
  } catch (e) {
    if (e instanceof ChorusError && e.code === 'e2ee_required') console.warn('this room needs encryption');
  }
  console.log(call.e2eeEnabled, call.e2eeStats?.failedFrames);
  await call.setE2eeKey(await importE2eeKey(crypto.getRandomValues(new Uint8Array(32))));
  return call;
}
