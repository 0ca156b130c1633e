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

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Active speaker in real Chromium against the real server: three participants publish a WebAudio tone whose volume
 * the test controls (0 = silence); the SFU reads the RFC 6464 audio-level header extension Chromium puts on every
 * packet, and the participant whose audio turns loud becomes everyone's active speaker within 1 s; changes come at
 * most every 300 ms; levels reach those who receive the audio.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ActiveSpeakerBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;

    static final String HELPERS = """
            if (!window.A) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.A = { clients: {} };
              A.join = async (key, room) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ room, identity: 'user-' + key }) });
                const c = await Chorus.connect({ token: (await r.json()).token, room });
                const ctx = new AudioContext();
                const osc = ctx.createOscillator();
                osc.frequency.value = 440;
                const gain = ctx.createGain();
                gain.gain.value = 0;
                const dest = ctx.createMediaStreamDestination();
                osc.connect(gain).connect(dest);
                osc.start();
                await ctx.resume();
                const rec = { c, gain, ctx, speakers: [], maxLevel: {}, audioTracks: 0 };
                A.clients[key] = rec;
                c.on('activeSpeaker', d => rec.speakers.push({ id: d.participantId, at: performance.now() }));
                c.on('serverAudioLevels', ({ levels }) => { for (const [p, l] of levels) rec.maxLevel[p] = Math.max(rec.maxLevel[p] || 0, l); });
                c.on('track', d => { if (d.kind === 'audio') rec.audioTracks++; });
                await c.publish({ stream: dest.stream });
                return c.participantId;
              };
              A.loud = (key, volume) => { A.clients[key].gain.gain.value = volume; return performance.now(); };
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-speaker-", Map.of(), HELPERS);
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static String join(String key, String room) {
        Object id = chromium.async(HELPERS + "return await A.join(args[0], args[1]);", key, room);
        assertThat(String.valueOf(id)).startsWith("p_");
        return (String) id;
    }

    static JsonNode speakers(String key) throws Exception {
        return JSON.readTree(String.valueOf(chromium.eval("return JSON.stringify(A.clients[arguments[0]].speakers);", key)));
    }

    @Test
    void theParticipantWhoseAudioIsLoudBecomesActiveSpeakerWithinOneSecond() throws Exception {
        List<String> keys = List.of("lou", "quinn", "quiet");
        String lou = join("lou", "speaker-loud");
        String quinn = join("quinn", "speaker-loud");
        join("quiet", "speaker-loud");
        for (String k : keys) {
            assertThat(ChromiumHarness.await(() -> ((Number) chromium.eval(
                    "return A.clients[arguments[0]].audioTracks;", k)).intValue() == 2, 25))
                    .as(k + " receives both others' audio").isTrue();
        }
        Thread.sleep(1_000); // everyone silent for a while: nobody is the active speaker
        for (String k : keys) assertThat(speakers(k)).as(k + " while all are silent").isEmpty();

        double loudAt = ((Number) chromium.eval("return A.loud('lou', 0.8);")).doubleValue();
        for (String k : keys) {
            boolean heard = ChromiumHarness.await(() -> {
                try {
                    for (JsonNode s : speakers(k)) if (s.path("id").asText().equals(lou)) return true;
                    return false;
                } catch (Exception e) {
                    return false;
                }
            }, 5);
            JsonNode s = speakers(k);
            assertThat(heard).as(k + " got lou as active speaker: " + s + "; diagnostics " + chromium.async("""
                    const out = {};
                    for (const [k, r] of Object.entries(A.clients)) {
                      const st = await r.c.publisher.getStats();
                      let lvl = null;
                      st.forEach(s => { if (s.type === 'media-source' && s.kind === 'audio') lvl = s.audioLevel; });
                      out[k] = { ctx: r.ctx.state, maxLevel: r.maxLevel, sourceLevel: lvl,
                                 ext: (r.c.publisher.remoteDescription.sdp.match(/a=extmap:[0-9]+ [a-z:-]*audio-level/) || [''])[0] };
                    }
                    return JSON.stringify(out);""")).isTrue();
            assertThat(s.get(0).path("id").asText()).isEqualTo(lou);
            assertThat(s.get(0).path("at").asDouble() - loudAt).as(k + ": ms from loud to active speaker")
                    .isLessThanOrEqualTo(1_000.0);
        }
        JsonNode levels = JSON.readTree(String.valueOf(chromium.eval("return JSON.stringify(A.clients.quiet.maxLevel);")));
        assertThat(levels.path(lou).asDouble()).as("quiet hears lou's level: " + levels).isGreaterThan(0.25);
        assertThat(levels.path(quinn).asDouble()).as("quinn stayed silent: " + levels).isLessThan(0.1);

        // the loud voice moves back and forth every 100 ms: the active speaker still changes at most every 300 ms
        for (int i = 0; i < 20; i++) {
            chromium.eval("A.loud(arguments[0], 0); A.loud(arguments[1], 0.8);", i % 2 == 0 ? "lou" : "quinn",
                    i % 2 == 0 ? "quinn" : "lou");
            Thread.sleep(100);
        }
        chromium.eval("A.loud('lou', 0); A.loud('quinn', 0.8);");
        assertThat(ChromiumHarness.await(() -> {
            try {
                JsonNode s = speakers("quiet");
                return s.get(s.size() - 1).path("id").asText().equals(quinn);
            } catch (Exception e) {
                return false;
            }
        }, 5)).as("quinn ends as active speaker: " + speakers("quiet")).isTrue();
        for (String k : keys) {
            JsonNode s = speakers(k);
            for (int i = 1; i < s.size(); i++) {
                // 300 ms on the server's clock; WebSocket delivery on loopback may shift one by a few ms
                assertThat(s.get(i).path("at").asDouble() - s.get(i - 1).path("at").asDouble())
                        .as(k + " speaker changes " + s).isGreaterThan(250.0);
            }
        }
        chromium.eval("for (const k of Object.keys(A.clients)) A.clients[k].c.leave();");
    }
}
