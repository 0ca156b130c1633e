package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.NettyLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end encryption passthrough in real Chromium (docs/e2ee.md). Ann and Bob join a room whose tokens require
 * {@code e2ee}, with the same app-provided key; each publishes a canvas of one solid colour (Ann red, Bob blue).
 * Cy joins with such a token but without the key: its publish is refused ({@code e2ee_required}); it still receives
 * both videos' packets. The test taps the browsers' encoded frames (the insertable-stream API the SDK uses): what the
 * publishers' encoders produced (raw), what arrived from the SFU (wire) and what the SDK decrypted.
 * <ul>
 *   <li>Ann and Bob each see the other's colour: decryption works through the SFU, every frame authenticates
 *       (AES-GCM), so the SFU forwarded the payload untouched, and the decrypted frames are the raw frames;</li>
 *   <li>the payload bytes the SFU forwarded differ from the publishers' raw frames (none of the wire frames carries
 *       a raw frame's bytes after the clear VP8 header);</li>
 *   <li>Cy receives the packets but shows nothing viewable: its decoder produces no picture of either colour.</li>
 * </ul>
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class E2eeBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROOM = "e2ee-room";
    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;

    static final String HELPERS = """
            if (!window.E) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.E = { clients: {}, raw: new Set(), wire: new Set(), decrypted: new Set(),
                           key: crypto.getRandomValues(new Uint8Array(32)) };
              // 24 bytes after the clear VP8 header (10 bytes of a key frame, 3 of a delta frame) identify a frame
              const mark = (frame) => {
                if (!(frame instanceof RTCEncodedVideoFrame)) return null;
                const d = new Uint8Array(frame.data);
                const at = frame.type === 'key' ? 10 : 3;
                if (d.length < at + 24) return null;
                return Array.from(d.subarray(at, at + 24), b => b.toString(16).padStart(2, '0')).join('');
              };
              const tap = (into) => new TransformStream({ transform(frame, out) {
                const m = mark(frame);
                if (m && into.size < 5000) into.add(m);
                out.enqueue(frame);
              } });
              // encoder → [raw] → SDK encrypts → packetizer; network → [wire] → SDK decrypts → [decrypted] → decoder
              const send = RTCRtpSender.prototype.createEncodedStreams;
              RTCRtpSender.prototype.createEncodedStreams = function () {
                const s = send.call(this);
                return { readable: s.readable.pipeThrough(tap(E.raw)), writable: s.writable };
              };
              const recv = RTCRtpReceiver.prototype.createEncodedStreams;
              RTCRtpReceiver.prototype.createEncodedStreams = function () {
                const s = recv.call(this);
                const t = tap(E.decrypted);
                t.readable.pipeTo(s.writable).catch(() => {});
                return { readable: s.readable.pipeThrough(tap(E.wire)), writable: t.writable };
              };
              E.token = async (who, room) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ room, identity: 'user-' + who, e2ee: 'required' }) });
                return (await r.json()).token;
              };
              E.canvas = (color) => {
                const c = document.createElement('canvas');
                c.width = 320; c.height = 240;
                const g = c.getContext('2d');
                let n = 0;
                setInterval(() => {   // a solid colour with a small moving square, so the encoder keeps sending
                  g.fillStyle = color; g.fillRect(0, 0, 320, 240);
                  g.fillStyle = '#888'; g.fillRect((n++ * 4) % 300, 4, 16, 16);
                }, 33);
                return c.captureStream(30);
              };
              E.join = async (who, room, withKey, color) => {
                const token = await E.token(who, room);
                const c = await Chorus.connect({ token, room, e2ee: withKey ? { key: E.key } : null });
                const rec = { c, videos: {}, publishError: null };
                E.clients[who] = rec;
                c.on('track', d => {
                  if (d.kind !== 'video') return;
                  const v = document.createElement('video');
                  v.muted = true; v.autoplay = true; v.playsInline = true; v.width = 320; v.height = 240;
                  v.srcObject = new MediaStream([d.track]);
                  document.body.appendChild(v);
                  rec.videos[d.participantId] = v;
                });
                if (color) {
                  try { await c.publish({ stream: E.canvas(color) }); } catch (e) { rec.publishError = e.code || String(e); }
                }
                return c.participantId;
              };
              // the centre pixel of what `who` shows of `from`'s video, or null when nothing was decoded
              E.pixel = (who, from) => {
                const v = E.clients[who].videos[from];
                if (!v || v.videoWidth === 0) return null;
                const c = document.createElement('canvas');
                c.width = v.videoWidth; c.height = v.videoHeight;
                const g = c.getContext('2d');
                g.drawImage(v, 0, 0);
                return Array.from(g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data.slice(0, 3));
              };
              E.video = async (who) => {
                const out = { packets: 0, frames: 0, bytes: 0 };
                (await E.clients[who].c.subscriber.getStats()).forEach(s => {
                  if (s.type === 'inbound-rtp' && s.kind === 'video') {
                    out.packets += s.packetsReceived || 0; out.frames += s.framesDecoded || 0; out.bytes += s.bytesReceived || 0;
                  }
                });
                return out;
              };
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-e2ee-", Map.of(), HELPERS);
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static String join(String who, boolean withKey, String color) {
        Object id = chromium.async(HELPERS + "return await E.join(args[0], args[1], args[2], args[3]);",
                who, ROOM, withKey, color);
        assertThat(String.valueOf(id)).as("join of " + who).startsWith("p_");
        return (String) id;
    }

    static JsonNode eval(String script, Object... args) throws Exception {
        return JSON.readTree(String.valueOf(chromium.async(HELPERS + "return JSON.stringify(" + script + ");", args)));
    }

    /** Whether {@code rgb} is within 60 per channel of {@code expected}. */
    static boolean near(JsonNode rgb, int r, int g, int b) {
        return rgb != null && rgb.isArray() && Math.abs(rgb.get(0).asInt() - r) <= 60
                && Math.abs(rgb.get(1).asInt() - g) <= 60 && Math.abs(rgb.get(2).asInt() - b) <= 60;
    }

    @Test
    void keyHoldersDecodeEachOtherTheServerForwardsCiphertextAndAKeylessReceiverSeesNothing() throws Exception {
        String ann = join("ann", true, "#ff0000");
        String bob = join("bob", true, "#0000ff");
        join("cy", false, "#00ff00");
        assertThat(eval("E.clients.cy.publishError").asText()).as("a publisher without the key is refused")
                .isEqualTo("e2ee_required");

        assertThat(ChromiumHarness.await(() -> {
            try {
                return near(eval("E.pixel('bob', args[0])", ann), 255, 0, 0) && near(eval("E.pixel('ann', args[0])", bob), 0, 0, 255);
            } catch (Exception e) {
                return false;
            }
        }, 30)).as("ann and bob decode each other: " + eval("[E.pixel('bob', args[0]), E.pixel('ann', args[1]), "
                + "E.clients.ann.c.e2eeStats, E.clients.bob.c.e2eeStats]", ann, bob)).isTrue();

        // cy receives the packets of both videos ...
        assertThat(ChromiumHarness.await(() -> {
            try {
                return eval("await E.video('cy')").path("packets").asLong() > 200;
            } catch (Exception e) {
                return false;
            }
        }, 20)).as("cy receives the packets").isTrue();
        Thread.sleep(2_000); // let cy's decoder chew on them for a while
        // ... and shows nothing of either picture
        JsonNode cyVideo = eval("await E.video('cy')");
        JsonNode cyAnn = eval("E.pixel('cy', args[0])", ann);
        JsonNode cyBob = eval("E.pixel('cy', args[0])", bob);
        System.out.println("e2ee: cy video " + cyVideo + ", cy's centre pixel of ann " + cyAnn + ", of bob " + cyBob
                + "; bob's of ann " + eval("E.pixel('bob', args[0])", ann) + ", ann's of bob " + eval("E.pixel('ann', args[0])", bob));
        assertThat(near(cyAnn, 255, 0, 0)).as("cy does not see ann's red: " + cyAnn + " " + cyVideo).isFalse();
        assertThat(near(cyBob, 0, 0, 255)).as("cy does not see bob's blue: " + cyBob + " " + cyVideo).isFalse();

        // every frame the key holders received authenticated: the SFU changed no byte of the encrypted frames
        JsonNode stats = eval("[E.clients.ann.c.e2eeStats, E.clients.bob.c.e2eeStats]");
        for (JsonNode s : stats) {
            assertThat(s.path("encryptedFrames").asLong()).isPositive();
            assertThat(s.path("decryptedFrames").asLong()).isPositive();
            assertThat(s.path("failedFrames").asLong()).as("frames that did not decrypt: " + stats).isZero();
        }
        // what the SFU forwarded is not what the encoders produced; decrypted, it is
        JsonNode sets = eval("{ raw: [...E.raw], wire: [...E.wire], decrypted: [...E.decrypted] }");
        java.util.Set<String> raw = new java.util.HashSet<>();
        sets.path("raw").forEach(n -> raw.add(n.asText()));
        int wire = 0;
        int wireRaw = 0;
        for (JsonNode n : sets.path("wire")) {
            wire++;
            if (raw.contains(n.asText())) wireRaw++;
        }
        int decrypted = 0;
        int decryptedRaw = 0;
        for (JsonNode n : sets.path("decrypted")) {
            decrypted++;
            if (raw.contains(n.asText())) decryptedRaw++;
        }
        System.out.println("e2ee: stats " + stats + "; raw frames " + raw.size() + ", forwarded " + wire + " (" + wireRaw
                + " carrying raw bytes), decrypted " + decrypted + " (" + decryptedRaw + " equal to raw)");
        assertThat(raw).hasSizeGreaterThan(20);
        assertThat(wire).isGreaterThan(20);
        assertThat(wireRaw).as("forwarded frames carrying a raw frame's bytes").isZero();
        assertThat(decryptedRaw).as("decrypted frames equal to raw frames, of " + decrypted)
                .isGreaterThan(decrypted * 9 / 10);
        chromium.eval("for (const k of Object.keys(E.clients)) E.clients[k].c.leave();");
    }
}
