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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first real call: the real server as {@code chorus start} wires it (dev bootstrap into a temp dir, HTTPS + WS +
 * media UDP + TURN on ephemeral loopback ports) and real headless Chromium running the real SDK
 * ({@code /sdk/chorus.js}) in the real demo page's origin. Each participant is one SDK client (its own WebSocket and
 * two RTCPeerConnections) in one shared Chromium; each test uses its own room. Media flow is proven with the
 * browser's own {@code getStats()} counters.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static BrowserCallFixture fixture;
    static ChorusServer server;
    static ChromiumHarness chromium;

    /** Helpers in the page: join with a dev token, record events, read stats per remote participant. */
    static final String HELPERS = """
            if (!window.T) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.T = { clients: {}, Chorus };
              T.token = async (room, identity, scopes) => {
                const body = { room, identity };
                if (scopes) body.scopes = scopes;
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify(body) });
                if (!r.ok) throw new Error('dev token: ' + r.status);
                return (await r.json()).token;
              };
              T.join = async (name, room, scopes, publish, policy) => {
                const token = await T.token(room, name, scopes);
                const rec = { events: [], subscribedAt: {}, firstFrame: {}, removedAt: {} };
                T.clients[name] = rec;
                const c = await Chorus.connect({ token, room, iceTransportPolicy: policy || 'all',
                                                  getToken: () => T.token(room, name, scopes) });
                rec.c = c;
                c.on('track', d => rec.events.push('track ' + d.participantId + ' ' + d.kind));
                c.on('trackRemoved', d => { rec.events.push('trackRemoved ' + d.participantId + ' ' + d.kind);
                                            rec.removedAt[d.participantId + '/' + d.trackId] = performance.now(); });
                c.on('participantLeft', d => rec.events.push('participantLeft ' + d.participantId));
                c.on('trackUpdated', d => rec.events.push('trackUpdated ' + d.track.participantId + ' ' + d.track.kind
                                                          + ' ' + (d.track.muted ? 'muted' : 'unmuted')));
                c.on('error', e => rec.events.push('error ' + e.code));
                c.on('closed', () => clearInterval(rec.poll));
                for (const type of ['reconnecting', 'reconnected', 'disconnected']) c.on(type, () => rec.events.push(type));
                c.on('iceRestart', d => rec.events.push('iceRestart ' + d.role));
                // a video paused / resumed for bandwidth, with ms since the page loaded (tells a late first frame's cause)
                for (const type of ['trackPaused', 'trackResumed']) {
                  c.on(type, d => rec.events.push(type + ' ' + d.track.participantId + ' ' + d.reason + ' @'
                                                  + Math.round(performance.now())));
                }
                c.on('subscribed', d => { for (const mid of d.mids) if (!(mid in rec.subscribedAt)) rec.subscribedAt[mid] = d.at; });
                // time from the subscriber answer being applied to the first decoded frame, per video mid
                rec.poll = setInterval(async () => {
                  if (!c.subscriber) return;
                  const report = await c.subscriber.getStats();
                  const now = performance.now();
                  report.forEach(s => {
                    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0
                        && !(s.mid in rec.firstFrame) && s.mid in rec.subscribedAt) {
                      rec.firstFrame[s.mid] = now - rec.subscribedAt[s.mid];
                    }
                  });
                }, 10);
                if (publish) await c.publish({ audio: true, video: true });
                return c.participantId;
              };
              T.stats = async (name) => {
                const st = await T.clients[name].c.stats();
                const by = {};
                for (const s of st.inbound) {
                  const p = s.participantId || ('mid:' + s.mid);
                  by[p] = by[p] || { video: 0, frames: 0, audio: 0 };
                  if (s.kind === 'video') { by[p].video += s.bytesReceived; by[p].frames += s.framesDecoded; }
                  else by[p].audio += s.bytesReceived;
                }
                return JSON.stringify({ total: st, by });
              };
            }
            """;

    /** Our TURN relay on ephemeral loopback ports, relaying to loopback peers (the server's media port). */
    static final Map<String, String> LOOPBACK_TURN = Map.of(
            "CHORUS_TURN_ENABLED", "true",
            "CHORUS_TURN_BIND_ADDRESS", "127.0.0.1",
            "CHORUS_TURN_UDP_PORT", "0",
            "CHORUS_TURN_TCP_PORT", "0",
            "CHORUS_TURN_ALLOW_LOOPBACK_PEERS", "true");

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-call-", LOOPBACK_TURN, HELPERS);
        server = fixture.server;
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static String join(String name, String room, List<String> scopes, boolean publish) {
        return join(name, room, scopes, publish, "all");
    }

    static String join(String name, String room, List<String> scopes, boolean publish, String policy) {
        Object id = chromium.async(HELPERS + "return await T.join(args[0], args[1], args[2], args[3], args[4]);",
                name, room, scopes, publish, policy);
        assertThat(String.valueOf(id)).as("join of " + name).startsWith("p_");
        return (String) id;
    }

    static JsonNode stats(String name) throws Exception {
        return JSON.readTree((String) chromium.async("return await T.stats(args[0]);", name));
    }

    /** Received from {@code from}: {video bytes, frames decoded, audio bytes}. */
    static long[] received(String name, String fromParticipant) throws Exception {
        JsonNode p = stats(name).path("by").path(fromParticipant);
        return new long[] {p.path("video").asLong(), p.path("frames").asLong(), p.path("audio").asLong()};
    }

    @SuppressWarnings("unchecked")
    static List<String> events(String name) {
        return new ArrayList<>((List<String>) chromium.eval("return T.clients[arguments[0]].events.slice();", name));
    }

    /** Waits until {@code name} decodes video and receives audio from {@code from}, and both keep growing. */
    static void assertReceives(String name, String from) throws Exception {
        boolean flowing = ChromiumHarness.await(() -> {
            try {
                long[] r = received(name, from);
                return r[1] > 0 && r[2] > 0;
            } catch (Exception e) {
                return false;
            }
        }, 25);
        assertThat(flowing).as(name + " decodes video and receives audio from " + from + "; events " + events(name)
                + " stats " + stats(name) + " connection " + chromium.eval(
                "const c = T.clients[arguments[0]].c; return c.subscriber.connectionState + ' ' + c.subscriber.iceConnectionState"
                + " + ' ' + c.subscriber.signalingState + ' pub ' + (c.publisher && c.publisher.connectionState);", name)).isTrue();
        long[] a = received(name, from);
        assertThat(ChromiumHarness.await(() -> {
            try {
                long[] b = received(name, from);
                return b[1] > a[1] && b[2] > a[2];
            } catch (Exception e) {
                return false;
            }
        }, 10)).as(name + ": frames decoded and audio bytes from " + from + " keep growing").isTrue();
    }

    static final List<String> ALL = List.of("room:join", "media:publish:audio", "media:publish:video", "media:subscribe");

    static void leave(String name) {
        chromium.eval("T.clients[arguments[0]].c.leave();", name);
    }

    // ---- tests --------------------------------------------------------------------------------------------------

    /** Must-show 1: two participants publish fake camera + microphone and each receives the other's. */
    @Test
    void twoParticipantsReceiveEachOthersVideoAndAudio() throws Exception {
        String a = join("alice", "call-two", ALL, true);
        String b = join("bob", "call-two", ALL, true);
        assertReceives("alice", b);
        assertReceives("bob", a);
        leave("alice");
        leave("bob");
    }

    /**
     * Must-show 2: three participants, one whose token lacks {@code media:subscribe}: it receives nothing (no track,
     * no inbound RTP), the other two receive both remote videos.
     */
    @Test
    void aParticipantWithoutSubscribeReceivesNothingWhileTheOthersReceiveBoth() throws Exception {
        String a = join("ann", "call-three", ALL, true);
        String b = join("ben", "call-three", ALL, true);
        String c = join("cid", "call-three", List.of("room:join", "media:publish:audio", "media:publish:video"), true);
        assertReceives("ann", b);
        assertReceives("ann", c);
        assertReceives("ben", a);
        assertReceives("ben", c);
        JsonNode cs = stats("cid").path("total");
        assertThat(cs.path("framesDecoded").asLong()).isZero();
        assertThat(cs.path("audioBytesReceived").asLong()).isZero();
        assertThat(cs.path("videoBytesReceived").asLong()).isZero();
        assertThat(events("cid")).noneMatch(e -> e.startsWith("track "));
        for (String n : List.of("ann", "ben", "cid")) leave(n);
    }

    /** Must-show 3: a participant leaves; the others get the track removal and stop receiving from it. */
    @Test
    void whenAParticipantLeavesTheOthersGetTrackRemovalAndStopReceiving() throws Exception {
        String a = join("amy", "call-leave", ALL, true);
        String b = join("bob2", "call-leave", ALL, true);
        String c = join("cat", "call-leave", ALL, true);
        assertReceives("bob2", a);
        assertReceives("cat", a);
        leave("amy");
        for (String n : List.of("bob2", "cat")) {
            assertThat(ChromiumHarness.await(() -> events(n).containsAll(List.of(
                    "trackRemoved " + a + " video", "trackRemoved " + a + " audio", "participantLeft " + a)), 10))
                    .as(n + " events " + events(n)).isTrue();
        }
        // allow in-flight packets to land, then nothing more arrives from amy
        Thread.sleep(500); // settling time after the removal; the assertion below polls no condition
        long[] before = received("bob2", a);
        Thread.sleep(1500); // a window in which a still-forwarded 30 fps stream would add dozens of frames
        long[] after = received("bob2", a);
        assertThat(after[1]).as("frames from amy after she left").isEqualTo(before[1]);
        assertThat(after[2]).as("audio bytes from amy after she left").isEqualTo(before[2]);
        assertReceives("bob2", c); // the others are unaffected
        leave("bob2");
        leave("cat");
    }

    /**
     * Must-show 4: a late joiner decodes its first remote frame within 1 s of subscribing (the SFU asks the
     * publisher for a keyframe). Measured in the page: from the subscriber answer being applied to the first
     * {@code framesDecoded > 0}, per remote video.
     */
    @Test
    void aLateJoinerDecodesItsFirstFrameWithinOneSecondOfSubscribing() throws Exception {
        String a = join("early1", "call-late", ALL, true);
        String b = join("early2", "call-late", ALL, true);
        assertReceives("early1", b);
        assertReceives("early2", a);
        Thread.sleep(1500); // let the publishers' last keyframe age, so a late joiner needs a fresh one
        join("late", "call-late", List.of("room:join", "media:subscribe"), false);
        assertThat(ChromiumHarness.await(() -> {
            Object n = chromium.eval("return Object.keys(T.clients.late.firstFrame).length;");
            return ((Number) n).intValue() >= 2;
        }, 10)).as("late joiner decoded both videos; events " + events("late") + "; first frames "
                + chromium.eval("return T.clients.late.firstFrame;") + "; video inbound " + chromium.async("""
                    const out = [];
                    (await T.clients.late.c.subscriber.getStats()).forEach(s => {
                      if (s.type === 'inbound-rtp' && s.kind === 'video') out.push({ mid: s.mid, bytes: s.bytesReceived,
                          packets: s.packetsReceived, lost: s.packetsLost, frames: s.framesDecoded,
                          keyFrames: s.keyFramesDecoded, width: s.frameWidth, plis: s.pliCount, nacks: s.nackCount });
                    });
                    return JSON.stringify(out);""")).isTrue();
        @SuppressWarnings("unchecked")
        Map<String, Number> first = (Map<String, Number>) chromium.eval("return T.clients.late.firstFrame;");
        System.out.println("late joiner: ms from subscriber answer to first decoded frame, per mid: " + first
                + "; subscribed at " + chromium.eval("return T.clients.late.subscribedAt;") + "; events " + events("late"));
        for (Map.Entry<String, Number> e : first.entrySet()) {
            assertThat(e.getValue().doubleValue()).as("first frame of mid " + e.getKey() + " (ms)").isLessThanOrEqualTo(1000);
        }
        for (String n : List.of("early1", "early2", "late")) leave(n);
    }

    /**
     * Must-show 5: a participant restricted to relay candidates ({@code iceTransportPolicy: 'relay'}) joins through
     * our TURN relay (loopback peers allowed by the test config) and receives the other participant's video.
     */
    @Test
    void aRelayOnlyParticipantReceivesVideoThroughOurTurnRelay() throws Exception {
        String a = join("pub", "call-relay", ALL, true);
        join("relayed", "call-relay", List.of("room:join", "media:subscribe"), false, "relay");
        JsonNode ice = JSON.readTree((String) chromium.eval(
                "return JSON.stringify(T.clients.relayed.c.iceServers);"));
        assertThat(ice.get(0).path("urls").get(0).asText()).startsWith("turn:127.0.0.1:" + server.turnAddress().getPort());
        assertReceives("relayed", a);
        // the selected candidate pair of the subscriber connection is a relay candidate
        Object local = chromium.async("""
                const report = await T.clients.relayed.c.subscriber.getStats();
                let pair = null;
                report.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId); });
                return pair ? report.get(pair.localCandidateId).candidateType : 'none';""");
        assertThat(local).isEqualTo("relay");
        String audit = Files.readString(server.dataDir().resolve("audit.log"));
        assertThat(audit).contains("\"turn_credential_issued\"");
        String password = (String) chromium.eval("return T.clients.relayed.c.iceServers[0].credential;");
        assertThat(audit).doesNotContain(password);
        leave("pub");
        leave("relayed");
    }

    /**
     * The demo page as a user sees it: two tabs on {@code /}, "Get a dev token" and "Join" in each; each tab then
     * shows the other participant's playing video. A screenshot is kept in target/ for people to look at.
     */
    @Test
    void theDemoPageInTwoTabsIsAWorkingCall() throws Exception {
        String first = chromium.tab();
        String url = "https://127.0.0.1:" + server.port() + "/";
        List<String> tabs = List.of(chromium.newTab(url), chromium.newTab(url));
        try {
            for (String tab : tabs) {
                chromium.switchTo(tab);
                assertThat(ChromiumHarness.await(() -> Boolean.TRUE.equals(
                        chromium.eval("return !document.getElementById('devToken').hidden;")), 10))
                        .as("dev token button shown in dev mode").isTrue();
                chromium.eval("document.getElementById('room').value = 'demo-tabs';"
                        + "document.getElementById('devToken').click();");
                assertThat(ChromiumHarness.await(() -> String.valueOf(
                        chromium.eval("return document.getElementById('token').value;")).startsWith("eyJ"), 10)).isTrue();
                chromium.eval("document.getElementById('joinButton').click();");
            }
            for (String tab : tabs) {
                chromium.switchTo(tab);
                // a remote tile (not "self") whose video is playing frames
                boolean playing = ChromiumHarness.await(() -> Boolean.TRUE.equals(chromium.eval("""
                        return [...document.querySelectorAll('.tile')].some(t => !t.classList.contains('self')
                            && t.querySelector('video').videoWidth > 0 && t.querySelector('video').currentTime > 0);""")), 25);
                assertThat(playing).as("remote video playing in tab; page says: "
                        + chromium.eval("return document.body.innerText;")).isTrue();
            }
            chromium.switchTo(tabs.get(0));
            chromium.eval("document.getElementById('muteAudio').click();");
            chromium.switchTo(tabs.get(1));
            assertThat(ChromiumHarness.await(() -> Boolean.TRUE.equals(
                    chromium.eval("return document.querySelector('.tile .badge.audio') !== null;")), 10))
                    .as("the other tab shows the mute").isTrue();
            Thread.sleep(500); // let a few more frames paint before the screenshot (for humans; nothing asserted)
            Files.write(Path.of("target", "demo-page.png"), chromium.screenshot());
            for (String tab : tabs) {
                chromium.switchTo(tab);
                chromium.eval("document.getElementById('leave').click();");
            }
        } finally {
            chromium.switchTo(first);
        }
    }

    /**
     * Mute through the SDK: the SFU stops forwarding the muted video (the other side's frame counter stops) and
     * everyone is told (trackUpdated); unmute resumes. Also: a refused publish rejects with a typed error, and
     * refreshToken swaps the token mid-call.
     */
    @Test
    void muteStopsForwardingRefreshWorksAndRefusalsAreTypedErrors() throws Exception {
        String a = join("mia", "call-mute", ALL, true);
        join("max", "call-mute", ALL, true);
        assertReceives("max", a);
        chromium.eval("T.clients.mia.c.mute('video', true);");
        assertThat(ChromiumHarness.await(() -> events("max").contains("trackUpdated " + a + " video muted"), 5))
                .as("max told about the mute; events " + events("max")).isTrue();
        Thread.sleep(500); // frames already in flight land
        long framesBefore = received("max", a)[1];
        Thread.sleep(1500); // a 30 fps stream would add ~45 frames in this window if still forwarded
        assertThat(received("max", a)[1]).as("no video frames from mia while muted").isEqualTo(framesBefore);
        chromium.eval("T.clients.mia.c.unmute('video');");
        assertThat(ChromiumHarness.await(() -> {
            try {
                return received("max", a)[1] > framesBefore;
            } catch (Exception e) {
                return false;
            }
        }, 10)).as("video resumes after unmute").isTrue();

        Object refreshed = chromium.async("""
                const c = T.clients.max.c;
                await c.refreshToken(await T.token('call-mute', 'max', null));
                return 'ok ' + c.rights.includes('media:subscribe');""");
        assertThat(refreshed).isEqualTo("ok true");
        Object refused = chromium.async("""
                const c = T.clients.max.c;
                try {
                  await c.refreshToken(await T.token('call-mute', 'someone-else', null));
                  return 'accepted';
                } catch (e) { return e.name + ' ' + e.code; }""");
        assertThat(refused).isEqualTo("ChorusError refresh_refused");

        join("ada", "call-mute", List.of("room:join", "media:publish:audio", "media:subscribe"), false);
        Object publish = chromium.async("""
                try { await T.clients.ada.c.publish({ audio: true, video: true }); return 'published'; }
                catch (e) { return e.name + ' ' + e.code; }""");
        assertThat(publish).isEqualTo("ChorusError publish_not_allowed");
        Object audioOnly = chromium.async("""
                await T.clients.ada.c.publish({ audio: true, video: false });
                return T.clients.ada.c.localStream.getTracks().map(t => t.kind).join(',');""");
        assertThat(audioOnly).as("after a refused publish, an allowed one works").isEqualTo("audio");
        for (String n : List.of("mia", "max", "ada")) leave(n);
    }
}
