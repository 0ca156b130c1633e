package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.NettyLeakGuard;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, H.264 simulcast in real Chromium against the real server: this Chromium can send H.264 (its
 * {@code RTCRtpSender.getCapabilities('video')} lists packetization-mode 1 formats); the SDK's {@code videoCodec:
 * 'H264'} publishes the camera as three H.264 simulcast layers; a subscriber with a 160×90 element decodes the
 * lowest layer and one with a 1280×720 element the top layer the publisher sends, both as H.264 (the inbound
 * stream's codec); a forced switch down and back up reaches the decoder at a key frame (an IDR of the target layer:
 * {@code keyFramesDecoded} rises, {@code framesDecoded} keeps rising).
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class H264SimulcastBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;

    static final String HELPERS = """
            if (!window.H) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.H = { clients: {} };
              H.token = async (room, key) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ room, identity: 'user-' + key }) });
                return (await r.json()).token;
              };
              H.publisher = async (room) => {
                const c = await Chorus.connect({ token: await H.token(room, 'pub'), room, videoCodec: 'H264' });
                const stream = await navigator.mediaDevices.getUserMedia(
                    { video: { width: 1280, height: 720, frameRate: 30 }, audio: false });
                H.clients.pub = { c };
                await c.publish({ stream });
                return c.participantId;
              };
              H.subscriber = async (room, key, w, h) => {
                const c = await Chorus.connect({ token: await H.token(room, key), room });
                const el = document.createElement('video');
                el.muted = true; el.autoplay = true; el.playsInline = true;
                el.style.cssText = 'position:fixed;top:0;left:0;width:' + w + 'px;height:' + h + 'px';
                document.body.prepend(el);
                const rec = { c, el, video: null };
                H.clients[key] = rec;
                c.on('track', d => {
                  if (d.kind !== 'video') return;
                  rec.video = d;
                  c.attachVideo(d, el);
                  el.play().catch(() => {});
                });
                return c.participantId;
              };
              H.inbound = async (key) => {
                const st = await H.clients[key].c.subscriber.getStats();
                let out = null;
                const codecs = {};
                st.forEach(s => { if (s.type === 'codec') codecs[s.id] = s.mimeType; });
                st.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') out = {
                  frameWidth: s.frameWidth || 0, framesDecoded: s.framesDecoded || 0,
                  keyFramesDecoded: s.keyFramesDecoded || 0, codec: codecs[s.codecId] || null,
                  decoder: s.decoderImplementation || null }; });
                return JSON.stringify(out);
              };
              H.outbound = async () => {
                const st = await H.clients.pub.c.publisher.getStats();
                const codecs = {};
                st.forEach(s => { if (s.type === 'codec') codecs[s.id] = s.mimeType; });
                const out = {};
                st.forEach(s => { if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid) out[s.rid] = {
                  bytesSent: s.bytesSent || 0, frameWidth: s.frameWidth || 0, codec: codecs[s.codecId] || null,
                  encoder: s.encoderImplementation || null }; });
                return JSON.stringify(out);
              };
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-h264-", Map.of(), HELPERS);
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static JsonNode json(String script, Object... args) {
        try {
            return JSON.readTree(String.valueOf(chromium.async(HELPERS + script, args)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode inbound(String key) {
        return json("return await H.inbound(args[0]);", key);
    }

    static JsonNode outbound() {
        return json("return await H.outbound();");
    }

    static int width(String key) {
        JsonNode n = inbound(key);
        return n == null || n.isNull() ? 0 : n.path("frameWidth").asInt();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The highest layer the publisher sends now (bytes growing over 1 s). */
    static String topSending() {
        JsonNode a = outbound();
        sleep(1_000);
        JsonNode b = outbound();
        for (String rid : new String[] {"f", "h", "q"}) {
            if (b.path(rid).path("bytesSent").asLong() > a.path(rid).path("bytesSent").asLong()
                    && b.path(rid).path("frameWidth").asInt() > 0) {
                return rid;
            }
        }
        return "q";
    }

    @Test
    @Order(1)
    void thisChromiumSendsAndReceivesH264InPacketizationMode1() {
        JsonNode caps = json("""
                const f = (k) => (k.getCapabilities('video') || { codecs: [] }).codecs
                    .filter(c => c.mimeType === 'video/H264').map(c => c.sdpFmtpLine);
                return JSON.stringify({ send: f(RTCRtpSender), receive: f(RTCRtpReceiver) });
                """);
        System.out.println("H.264 capabilities of this Chromium: " + caps);
        assertThat(caps.path("send").toString()).as("an H.264 encoder (OpenH264) in this Chromium build: " + caps)
                .contains("packetization-mode=1");
        assertThat(caps.path("receive").toString()).contains("packetization-mode=1");
    }

    @Test
    @Order(2)
    void subscribersDecodeTheH264LayerTheirElementNeeds() throws Exception {
        assertThat(String.valueOf(chromium.async(HELPERS + "return await H.publisher('h264');"))).startsWith("p_");
        assertThat(String.valueOf(chromium.async(HELPERS + "return await H.subscriber('h264', 'small', 160, 90);"))).startsWith("p_");
        assertThat(String.valueOf(chromium.async(HELPERS + "return await H.subscriber('h264', 'large', 1280, 720);"))).startsWith("p_");
        assertThat(ChromiumHarness.await(() -> outbound().path("q").path("frameWidth").asInt() == 320, 25))
                .as("the publisher sends q as H.264: " + outbound()).isTrue();
        assertThat(outbound().path("q").path("codec").asText()).isEqualTo("video/H264");
        assertThat(ChromiumHarness.await(() -> width("small") == 320, 20)).as("160×90 element gets q: " + inbound("small"))
                .isTrue();
        assertThat(inbound("small").path("codec").asText()).isEqualTo("video/H264");
        String[] top = {topSending()};
        assertThat(ChromiumHarness.await(() -> {
            top[0] = topSending();
            return width("large") == outbound().path(top[0]).path("frameWidth").asInt();
        }, 25)).as("1280×720 element gets the top layer sent (" + top[0] + "): " + inbound("large") + " publisher "
                + outbound()).isTrue();
        JsonNode large = inbound("large");
        assertThat(large.path("codec").asText()).isEqualTo("video/H264");
        long frames = large.path("framesDecoded").asLong();
        assertThat(ChromiumHarness.await(() -> inbound("large").path("framesDecoded").asLong() > frames + 10, 10))
                .as("frames keep being decoded").isTrue();
        System.out.println("h264 simulcast: small " + inbound("small") + " large " + inbound("large") + " top " + top[0]
                + " publisher " + outbound());
    }

    /**
     * Needs the publisher's upper layers flowing, as {@code SimulcastBrowserTest}'s switch case (they did not while
     * the transport-cc feedback to a simulcast-only publisher named SSRC 0).
     */
    @Test
    @Order(3)
    void aForcedSwitchDownAndUpReachesTheDecoderAtKeyFrames() throws Exception {
        String top = topSending();
        assertThat(top).as("a layer above q is sent, to switch to: " + outbound()).isNotEqualTo("q");
        int topWidth = outbound().path(top).path("frameWidth").asInt();
        assertThat(ChromiumHarness.await(() -> width("large") == topWidth, 15)).isTrue();
        JsonNode start = inbound("large");
        for (String quality : new String[] {"low", null}) {
            long keyFrames = inbound("large").path("keyFramesDecoded").asLong();
            long frames = inbound("large").path("framesDecoded").asLong();
            chromium.eval("H.clients.large.c.setPreferredQuality(H.clients.large.video.participantId, "
                    + "H.clients.large.video.trackId, arguments[0]);", quality);
            int want = quality == null ? topWidth : 320;
            assertThat(ChromiumHarness.await(() -> width("large") == want, 10))
                    .as("switch to " + want + ": " + inbound("large") + " publisher " + outbound()).isTrue();
            JsonNode now = inbound("large");
            assertThat(now.path("keyFramesDecoded").asLong()).as("the switch decoded a key frame").isGreaterThan(keyFrames);
            assertThat(now.path("framesDecoded").asLong()).isGreaterThan(frames);
        }
        System.out.println("h264 switches: " + start + " -> " + inbound("large"));
    }
}
