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
 * What an app developer builds with, in real headless Chromium against the real server: display names from the
 * token's {@code name} claim, switching the published microphone without renegotiating, connection quality and
 * audio levels per participant (self included), from the SDK package's file as the server serves it.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SdkBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;

    static final String HELPERS = """
            if (!window.S) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.S = { clients: {}, Chorus };
              S.join = async (key, room, name) => {
                const body = { room, identity: 'user-' + key };
                if (name) body.name = name;
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify(body) });
                if (!r.ok) throw new Error('dev token: ' + r.status);
                const c = await Chorus.connect({ token: (await r.json()).token, room, qualityInterval: 1000 });
                const rec = { c, quality: {}, maxLevel: {}, speaking: {}, events: [] };
                S.clients[key] = rec;
                c.on('connectionQuality', d => { rec.quality[d.participantId] = d.quality; });
                c.on('audioLevels', ({ levels }) => { for (const [p, l] of levels) rec.maxLevel[p] = Math.max(rec.maxLevel[p] || 0, l); });
                c.on('speakingChanged', d => { if (d.speaking) rec.speaking[d.participantId] = true; });
                c.on('track', d => {
                  rec.events.push('track ' + d.kind);
                  // played as an app plays it: the browser measures a received track's level as it plays it out
                  if (d.kind === 'audio') { const el = new Audio(); el.srcObject = new MediaStream([d.track]); el.play().catch(() => {}); }
                });
                c.on('trackRemoved', d => rec.events.push('trackRemoved ' + d.kind));
                c.on('deviceChanged', d => rec.events.push('deviceChanged ' + d.kind));
                await c.publish({ audio: true, video: true });
                return c.participantId;
              };
              S.audioFrom = async (key, from) => {
                const st = await S.clients[key].c.stats();
                return st.inbound.filter(s => s.participantId === from && s.kind === 'audio')
                                 .reduce((n, s) => n + s.bytesReceived, 0);
              };
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-sdk-", Map.of(), HELPERS);
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static String join(String key, String room, String name) {
        Object id = chromium.async(HELPERS + "return await S.join(args[0], args[1], args[2]);", key, room, name);
        assertThat(String.valueOf(id)).startsWith("p_");
        return (String) id;
    }

    static JsonNode eval(String script, Object... args) throws Exception {
        return JSON.readTree(String.valueOf(chromium.eval("return JSON.stringify((() => {" + script + "})());", args)));
    }

    static long audioFrom(String key, String from) {
        return ((Number) chromium.async("return await S.audioFrom(args[0], args[1]);", key, from)).longValue();
    }

    @Test
    void namesFromTheTokenReachEveryoneAndFallBackToTheIdentity() throws Exception {
        String a = join("ada", "sdk-names", "Ada Lovelace");
        String b = join("bob", "sdk-names", null);
        assertThat(ChromiumHarness.await(() -> Boolean.TRUE.equals(chromium.eval(
                "return S.clients.ada.c.participants.has(arguments[0]);", b)), 10)).isTrue();
        JsonNode names = eval("""
                const ada = S.clients.ada.c, bob = S.clients.bob.c;
                return { adaSelf: ada.name, adaSeesBob: ada.displayName(arguments[1]), bobSeesAda: bob.displayName(arguments[0]),
                         bobSelf: bob.displayName(bob.participantId), adaRecord: bob.participants.get(arguments[0]).name };
                """, a, b);
        assertThat(names.path("adaSelf").asText()).isEqualTo("Ada Lovelace");
        assertThat(names.path("bobSeesAda").asText()).isEqualTo("Ada Lovelace");
        assertThat(names.path("adaRecord").asText()).isEqualTo("Ada Lovelace");
        assertThat(names.path("adaSeesBob").asText()).as("no name claim: the identity").isEqualTo("user-bob");
        assertThat(names.path("bobSelf").asText()).isEqualTo(b);
        chromium.eval("S.clients.ada.c.leave(); S.clients.bob.c.leave();");
    }

    @Test
    void switchingTheMicrophoneKeepsTheTrackFlowingWithoutRenegotiating() throws Exception {
        String a = join("sam", "sdk-devices", "Sam");
        join("tess", "sdk-devices", "Tess");
        assertThat(ChromiumHarness.await(() -> audioFrom("tess", a) > 0, 25)).as("tess hears sam").isTrue();
        JsonNode before = eval("""
                const c = S.clients.sam.c;
                return { device: c.currentDevice('audio'), transceivers: c.publisher.getTransceivers().length,
                         sdp: c.publisher.localDescription.sdp };
                """);
        JsonNode mics = JSON.readTree(String.valueOf(chromium.async(
                "return JSON.stringify(await S.Chorus.devices('audioinput'));")));
        String other = null;
        for (JsonNode m : mics) {
            String id = m.path("deviceId").asText();
            if (!id.equals(before.path("device").asText()) && !id.equals("default")) other = id;
        }
        assertThat(other).as("Chromium's fake devices offer a second microphone: " + mics).isNotNull();
        chromium.async("await S.clients.sam.c.switchDevice('audio', args[0]); return 'ok';", other);
        JsonNode after = eval("""
                const c = S.clients.sam.c;
                return { device: c.currentDevice('audio'), transceivers: c.publisher.getTransceivers().length,
                         sdp: c.publisher.localDescription.sdp, live: c.localStream.getAudioTracks().map(t => t.readyState),
                         senderTrack: c.publisher.getTransceivers()[0].sender.track === c.localStream.getAudioTracks()[0] };
                """);
        assertThat(after.path("device").asText()).isEqualTo(other);
        assertThat(after.path("transceivers").asInt()).isEqualTo(before.path("transceivers").asInt());
        assertThat(after.path("sdp").asText()).as("no renegotiation").isEqualTo(before.path("sdp").asText());
        assertThat(after.path("live").toString()).isEqualTo("[\"live\"]");
        long heard = audioFrom("tess", a);
        assertThat(ChromiumHarness.await(() -> audioFrom("tess", a) > heard + 2000, 15))
                .as("tess keeps hearing sam after the switch").isTrue();
        assertThat(chromium.eval("return S.clients.tess.c.streams.get(arguments[0]).getAudioTracks().length;", a))
                .isEqualTo(1L);
        assertThat(String.valueOf(chromium.eval("return S.clients.tess.events.join(',');")))
                .doesNotContain("trackRemoved");
        assertThat(String.valueOf(chromium.eval("return S.clients.sam.events.join(',');")))
                .contains("deviceChanged audio");
        chromium.eval("S.clients.sam.c.leave(); S.clients.tess.c.leave();");
    }

    @Test
    void connectionQualityAndAudioLevelsAreReportedPerParticipantIncludingSelf() throws Exception {
        String a = join("quin", "sdk-quality", null);
        String b = join("rey", "sdk-quality", null);
        boolean rated = ChromiumHarness.await(() -> {
            try {
                JsonNode q = eval("return S.clients.quin.quality;");
                return q.has(a) && q.has(b);
            } catch (Exception e) {
                return false;
            }
        }, 25);
        JsonNode q = eval("return S.clients.quin.quality;");
        assertThat(rated).as("quin rates itself and rey: " + q).isTrue();
        // loopback: no loss, sub-millisecond round trips
        assertThat(q.path(a).asText()).isIn("excellent", "good");
        assertThat(q.path(b).asText()).isIn("excellent", "good");
        JsonNode rating = eval("return S.clients.quin.c.connectionQuality.get(arguments[0]);", b);
        assertThat(rating.path("loss").asDouble()).isLessThan(0.05);
        // Chromium's fake microphone beeps: both the own level and rey's received level rise above silence
        assertThat(ChromiumHarness.await(() -> {
            try {
                JsonNode l = eval("return S.clients.quin.maxLevel;");
                return l.path(a).asDouble() > 0.01 && l.path(b).asDouble() > 0.01;
            } catch (Exception e) {
                return false;
            }
        }, 15)).as("levels " + eval("return S.clients.quin.maxLevel;")).isTrue();
        // rey stops sending: quin rates rey's connection as lost
        chromium.eval("for (const t of S.clients.rey.c.localStream.getTracks()) t.enabled = false;"
                + "for (const tr of S.clients.rey.c.publisher.getTransceivers()) tr.sender.replaceTrack(null);");
        assertThat(ChromiumHarness.await(() -> {
            try {
                return "lost".equals(eval("return S.clients.quin.quality;").path(b).asText());
            } catch (Exception e) {
                return false;
            }
        }, 15)).as("quality " + eval("return S.clients.quin.quality;")).isTrue();
        chromium.eval("S.clients.quin.c.leave(); S.clients.rey.c.leave();");
    }

    /**
     * The demo page in two tabs with names: each tab labels the other's tile with its name, outlines it while its
     * (beeping fake) microphone is heard, rates its connection, keeps its own tile first, and a camera switch from the
     * picker keeps that same self tile playing.
     */
    @Test
    void theDemoPageShowsNamesSpeakingQualityAndAStableSelfTile() throws Exception {
        String first = chromium.tab();
        String url = "https://127.0.0.1:" + fixture.server.port() + "/";
        List<String> names = List.of("Ada", "Grace");
        List<String> tabs = List.of(chromium.newTab(url), chromium.newTab(url));
        try {
            for (int i = 0; i < 2; i++) {
                chromium.switchTo(tabs.get(i));
                assertThat(ChromiumHarness.await(() -> Boolean.TRUE.equals(
                        chromium.eval("return !document.getElementById('devToken').hidden;")), 10)).isTrue();
                chromium.eval("document.getElementById('room').value = 'sdk-demo';"
                        + "document.getElementById('name').value = arguments[0];"
                        + "document.getElementById('devToken').click();", names.get(i));
                assertThat(ChromiumHarness.await(() -> String.valueOf(
                        chromium.eval("return document.getElementById('token').value;")).startsWith("eyJ"), 10)).isTrue();
                chromium.eval("document.getElementById('joinButton').click();");
            }
            for (int i = 0; i < 2; i++) {
                chromium.switchTo(tabs.get(i));
                String other = names.get(1 - i);
                String page = "return (() => { const tiles = [...document.querySelectorAll('.tile')];"
                        + " const remote = tiles.find(t => !t.classList.contains('self'));"
                        + " const self = document.querySelector('.tile.self');"
                        + " return JSON.stringify({ label: remote && remote.querySelector('.label').textContent,"
                        + "   playing: !!remote && remote.querySelector('video').currentTime > 0,"
                        + "   speaking: !!remote && remote.classList.contains('speaking'),"
                        + "   quality: remote ? remote.querySelector('.quality').className : '',"
                        + "   selfLabel: self && self.querySelector('.label').textContent,"
                        + "   selfFirst: !!self && getComputedStyle(self).order === '-1',"
                        + "   cameras: document.getElementById('camera').options.length,"
                        + "   mics: document.getElementById('microphone').options.length }); })();";
                boolean shown = ChromiumHarness.await(() -> {
                    try {
                        JsonNode v = JSON.readTree(String.valueOf(chromium.eval(page)));
                        if (v.path("speaking").asBoolean()) chromium.eval("window.sawSpeaking = true;");
                        return other.equals(v.path("label").asText()) && v.path("playing").asBoolean()
                                && Boolean.TRUE.equals(chromium.eval("return !!window.sawSpeaking;"))
                                && v.path("quality").asText().matches("quality (excellent|good)");
                    } catch (Exception e) {
                        return false;
                    }
                }, 30);
                JsonNode v = JSON.readTree(String.valueOf(chromium.eval(page)));
                assertThat(shown).as(names.get(i) + "'s tab: " + v + " page " + chromium.eval(
                        "return document.body.innerText;")).isTrue();
                assertThat(v.path("selfLabel").asText()).isEqualTo(names.get(i) + " (you)");
                assertThat(v.path("selfFirst").asBoolean()).isTrue();
                assertThat(v.path("cameras").asInt()).isPositive();
                assertThat(v.path("mics").asInt()).isPositive();
            }
            // switch the camera from the picker: the same self tile element keeps showing live video
            chromium.switchTo(tabs.get(0));
            chromium.eval("window.selfTile = document.querySelector('.tile.self');"
                    + "window.oldTrack = selfTile.querySelector('video').srcObject.getVideoTracks()[0];"
                    + "const s = document.getElementById('camera');"
                    + "s.selectedIndex = (s.selectedIndex + 1) % s.options.length;"
                    + "s.dispatchEvent(new Event('change'));");
            assertThat(ChromiumHarness.await(() -> Boolean.TRUE.equals(chromium.eval(
                    "const v = selfTile.querySelector('v' + 'ideo'); const t = v.srcObject.getVideoTracks()[0];"
                    + "return document.querySelector('.tile.self') === selfTile && t !== oldTrack"
                    + " && t.readyState === 'live' && v.videoWidth > 0;")), 15))
                    .as("self tile kept, new camera track live; error: "
                            + chromium.eval("return document.getElementById('error').textContent;")).isTrue();
            for (String tab : tabs) {
                chromium.switchTo(tab);
                chromium.eval("document.getElementById('leave').click();");
            }
        } finally {
            chromium.switchTo(first);
        }
    }
}
