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
 * Issue 12, screen share, in real Chromium against the real server: the SDK's {@code publishScreen()} (Chromium's
 * {@code getDisplayMedia}, answered by its fake capture UI and fake screen) publishes the screen as ONE encoding (no
 * rids, one video {@code outbound-rtp}) at the captured resolution, never scaled down, with {@code contentHint
 * 'detail'} and a frame rate cap, as kind {@code screen}; a subscriber receives it as kind {@code screen} and decodes
 * it at the captured size.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ScreenShareBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;

    static final String HELPERS = """
            if (!window.SS) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.SS = {};
              SS.token = async (room, key) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ room, identity: 'user-' + key }) });
                return (await r.json()).token;
              };
              SS.publishScreen = async (room) => {
                const c = await Chorus.connect({ token: await SS.token(room, 'sharer'), room });
                SS.pub = c;
                const track = await c.publishScreen();
                SS.track = track;
                const s = track.getSettings();
                return JSON.stringify({ width: s.width, height: s.height, frameRate: s.frameRate,
                                        displaySurface: s.displaySurface || null, contentHint: track.contentHint });
              };
              SS.subscribe = async (room) => {
                const c = await Chorus.connect({ token: await SS.token(room, 'viewer'), room });
                const el = document.createElement('video');
                el.muted = true; el.autoplay = true; el.playsInline = true;
                el.style.cssText = 'position:fixed;top:0;left:0;width:1280px;height:720px';
                document.body.prepend(el);
                SS.sub = { c, el, kinds: [] };
                c.on('track', d => {
                  SS.sub.kinds.push(d.kind);
                  if (d.kind !== 'screen') return;
                  c.attachVideo(d, el);
                  el.play().catch(() => {});
                });
                return c.participantId;
              };
              // The capture's size now: right after getDisplayMedia the settings may still name the requested size
              // (Chromium's fake screen reported 800x600, then produced 800x450 frames).
              SS.settings = () => { const s = SS.track.getSettings(); return JSON.stringify({ width: s.width, height: s.height }); };
              SS.sender = () => {
                const tr = SS.pub.publisher.getTransceivers().find(t => t.sender.track === SS.track);
                const p = tr.sender.getParameters();
                return JSON.stringify({ encodings: p.encodings.map(e => ({ rid: e.rid || null, active: e.active,
                  scaleResolutionDownBy: e.scaleResolutionDownBy ?? null, maxFramerate: e.maxFramerate ?? null })),
                  simulcastInSdp: /a=simulcast/.test(SS.pub.publisher.localDescription.sdp) });
              };
              SS.outbound = async () => {
                const out = [];
                (await SS.pub.publisher.getStats()).forEach(s => { if (s.type === 'outbound-rtp' && s.kind === 'video')
                  out.push({ rid: s.rid || null, frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0,
                             framesSent: s.framesSent || 0, framesPerSecond: s.framesPerSecond || 0,
                             qualityLimitationReason: s.qualityLimitationReason }); });
                return JSON.stringify(out);
              };
              SS.inbound = async () => {
                let out = null;
                if (!SS.sub.c.subscriber) return 'null';
                (await SS.sub.c.subscriber.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video')
                  out = { frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0,
                          framesDecoded: s.framesDecoded || 0 }; });
                return JSON.stringify(out);
              };
            }
            """;

    static JsonNode screen;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-screen-", Map.of(), HELPERS);
        chromium = fixture.chromium;
        screen = js("return await SS.publishScreen('scr');");
        assertThat(String.valueOf(chromium.async(HELPERS + "return await SS.subscribe('scr');"))).startsWith("p_");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static JsonNode js(String script) {
        try {
            return JSON.readTree(String.valueOf(chromium.async(HELPERS + script)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theScreenIsPublishedAsOneFullSizeLowFrameRateEncodingAndDecodedAtThatSize() throws Exception {
        int width = screen.path("width").asInt();
        assertThat(width).as("captured screen " + screen).isPositive();
        assertThat(screen.path("contentHint").asText()).isEqualTo("detail");

        // The sender: one encoding, no rid, not scaled down, frame rate capped; no simulcast in the offer.
        JsonNode sender = js("return SS.sender();");
        assertThat(sender.path("encodings")).as("encodings " + sender).hasSize(1);
        JsonNode encoding = sender.path("encodings").get(0);
        assertThat(encoding.path("rid").isNull()).as("no rid: " + sender).isTrue();
        assertThat(encoding.path("scaleResolutionDownBy").asDouble(1)).isEqualTo(1.0);
        assertThat(encoding.path("maxFramerate").asDouble()).isBetween(5.0, 15.0);
        assertThat(sender.path("simulcastInSdp").asBoolean()).as("a=simulcast in the offer").isFalse();

        // What Chromium sends: one video outbound-rtp, at the capture's size (as the track reports it now).
        JsonNode[] out = {null};
        JsonNode[] captured = {screen};
        assertThat(ChromiumHarness.await(() -> {
            out[0] = js("return await SS.outbound();");
            captured[0] = js("return SS.settings();");
            return out[0].size() == 1 && out[0].get(0).path("framesSent").asLong() > 0
                    && out[0].get(0).path("frameWidth").asInt() == captured[0].path("width").asInt()
                    && out[0].get(0).path("frameHeight").asInt() == captured[0].path("height").asInt();
        }, 20)).as("publisher outbound-rtp " + out[0] + " for a captured screen of " + captured[0]
                + " (settings at publish: " + screen + ")").isTrue();
        assertThat(out[0].get(0).path("rid").isNull()).isTrue();
        int sentWidth = out[0].get(0).path("frameWidth").asInt();
        int sentHeight = out[0].get(0).path("frameHeight").asInt();

        // The subscriber: kind screen, decoded at the full captured size, frames keep coming.
        JsonNode[] in = {null};
        assertThat(ChromiumHarness.await(() -> {
            in[0] = js("return await SS.inbound();");
            return in[0] != null && !in[0].isNull() && in[0].path("frameWidth").asInt() == sentWidth
                    && in[0].path("framesDecoded").asLong() > 0;
        }, 20)).as("subscriber inbound-rtp " + in[0] + " for a " + sentWidth + "×" + sentHeight + " screen").isTrue();
        assertThat(in[0].path("frameHeight").asInt()).isEqualTo(sentHeight);
        assertThat(String.valueOf(chromium.async(HELPERS + "return SS.sub.kinds.join(',');"))).isEqualTo("screen");
        long decoded = in[0].path("framesDecoded").asLong();
        assertThat(ChromiumHarness.await(() -> js("return await SS.inbound();").path("framesDecoded").asLong()
                > decoded, 10)).as("frames keep being decoded").isTrue();
        System.out.println("screen share: captured " + screen + " sender " + sender + " outbound " + out[0]
                + " inbound " + js("return await SS.inbound();"));
    }
}
