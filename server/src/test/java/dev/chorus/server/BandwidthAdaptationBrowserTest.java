package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.sfu.RoomSnapshot;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.server.interop.NetworkNamespace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12's Must-show for send-side bandwidth estimation, in real Chromium against the real server: one publisher
 * (Chromium in the root namespace) sends a 1280×720 camera as three simulcast layers plus audio; three subscribers,
 * each a Chromium in a network namespace of its own, whose downlink (the host end's egress) the test shapes with
 * {@code tc tbf} (this kernel has no netem): unlimited, 800 kbit/s and 250 kbit/s. The SFU estimates each
 * subscriber's downlink from its transport-cc feedback and forwards the layer that fits: within 15 s each receives
 * its layer (frame size from its {@code getStats} inbound-rtp), the limited ones keep decoding (frames decoded rise;
 * freezes are bounded and printed), audio never stops (its packets keep rising); when the 250 kbit/s limit is lifted
 * that subscriber is back on the top layer within 20 s.
 *
 * <p>The server binds to the first namespace's host address; the other namespaces reach it through a default route
 * via their own host end (it is a local address of the root namespace), so each subscriber's media crosses only its
 * own shaped link.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class BandwidthAdaptationBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The SFU's id of the room: project "dev" (the dev bootstrap) / room "bwe". */
    static final String ROOM = "dev/bwe";

    static final String HELPERS = """
            if (!window.B) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.B = { clients: {}, paused: [] };
              B.token = async (key) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ room: 'bwe', identity: 'user-' + key }) });
                return (await r.json()).token;
              };
              B.publisher = async () => {
                const c = await Chorus.connect({ token: await B.token('pub'), room: 'bwe' });
                const stream = await navigator.mediaDevices.getUserMedia(
                    { video: { width: 1280, height: 720, frameRate: 30 }, audio: true });
                B.clients.pub = { c };
                await c.publish({ stream });
                return c.participantId;
              };
              B.subscriber = async (key) => {
                const c = await Chorus.connect({ token: await B.token(key), room: 'bwe' });
                const el = document.createElement('video');
                el.muted = true; el.autoplay = true; el.playsInline = true;
                el.style.cssText = 'position:fixed;top:0;left:0;width:1280px;height:720px';
                document.body.prepend(el);
                const rec = { c, el, events: [] };
                B.clients[key] = rec;
                c.on('track', d => {
                  if (d.kind !== 'video') return;
                  c.attachVideo(d, el);
                  el.play().catch(() => {});
                });
                c.on('trackPaused', e => rec.events.push('paused:' + e.reason));
                c.on('trackResumed', e => rec.events.push('resumed:' + e.reason));
                return c.participantId;
              };
              B.inbound = async (key) => {
                const rec = B.clients[key];
                const out = { frameWidth: 0, frameHeight: 0, framesDecoded: 0, freezeCount: 0, totalFreezesDuration: 0,
                              fps: 0, audioPackets: 0, events: rec.events.slice() };
                (await rec.c.subscriber.getStats()).forEach(s => {
                  if (s.type !== 'inbound-rtp') return;
                  if (s.kind === 'audio') out.audioPackets += s.packetsReceived || 0;
                  if (s.kind === 'video') {
                    out.frameWidth = s.frameWidth || 0; out.frameHeight = s.frameHeight || 0;
                    out.framesDecoded = s.framesDecoded || 0; out.freezeCount = s.freezeCount || 0;
                    out.totalFreezesDuration = s.totalFreezesDuration || 0; out.fps = s.framesPerSecond || 0;
                  }
                });
                return JSON.stringify(out);
              };
              B.outbound = async () => {
                const out = {};
                (await B.clients.pub.c.publisher.getStats()).forEach(s => {
                  if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid) out[s.rid] = {
                    bytesSent: s.bytesSent || 0, frameWidth: s.frameWidth || 0, scalabilityMode: s.scalabilityMode,
                    targetBitrate: s.targetBitrate || 0, limit: s.qualityLimitationReason };
                });
                return JSON.stringify(out);
              };
            }
            """;

    /** A subscriber: its namespace, its browser, its downlink limit (0: none). */
    record Sub(String key, NetworkNamespace ns, ChromiumHarness browser, long limitBps) { }

    static final List<NetworkNamespace> namespaces = new ArrayList<>();
    static final Map<String, Sub> subs = new LinkedHashMap<>();
    /** Participant id → subscriber key (the publisher is not listed). */
    static final Map<String, String> names = new LinkedHashMap<>();
    static BrowserCallFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        ChromiumHarness.require();
        NetworkNamespace.require();
        if (Boolean.getBoolean("chorus.bwe.trace")) { // each subscriber's estimate, 4 lines a second (to stderr)
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.chorus.media.sfu.SubscriberEstimate"))
                    .setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
        namespaces.clear(); // a surefire rerun starts from scratch
        subs.clear();
        names.clear();
        for (int i = 0; i < 3; i++) namespaces.add(NetworkNamespace.create());
        String serverAddress = namespaces.get(0).hostAddress;
        for (int i = 1; i < 3; i++) namespaces.get(i).routeViaHost();
        fixture = BrowserCallFixture.start("chorus-bwe-", Map.of(), HELPERS, serverAddress);
        assertThat(String.valueOf(fixture.chromium.async(HELPERS + "return await B.publisher();"))).startsWith("p_");
        String[] keys = {"unlimited", "800k", "250k"};
        long[] limits = {0, 800_000, 250_000};
        for (int i = 0; i < 3; i++) {
            NetworkNamespace ns = namespaces.get(i);
            if (limits[i] > 0) ns.rate(limits[i]);
            ChromiumHarness b = ChromiumHarness.browseIn(ns.exec(List.of()), ns.clientAddress, ns.hostAddress,
                    BrowserCallFixture.pageUrl(serverAddress, fixture.server));
            subs.put(keys[i], new Sub(keys[i], ns, b, limits[i]));
            String id = String.valueOf(b.async(HELPERS + "return await B.subscriber(args[0]);", keys[i]));
            assertThat(id).startsWith("p_");
            names.put(id, keys[i]);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Sub s : subs.values()) {
            try {
                s.browser().close();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        try {
            if (fixture != null) fixture.close();
        } finally {
            for (NetworkNamespace ns : namespaces) ns.close();
        }
    }

    static JsonNode inbound(String key) {
        try {
            return JSON.readTree(String.valueOf(subs.get(key).browser().async(HELPERS + "return await B.inbound(args[0]);", key)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode outbound() {
        try {
            return JSON.readTree(String.valueOf(fixture.chromium.async(HELPERS + "return await B.outbound();")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int width(String key) {
        return inbound(key).path("frameWidth").asInt();
    }

    /** The subscriber decodes frames {@code w} pixels wide and has decoded at least 60 frames. */
    static boolean settledOn(String key, int w) {
        JsonNode n = inbound(key);
        return n.path("frameWidth").asInt() == w && n.path("framesDecoded").asLong() >= 60;
    }

    /** The SFU's counters that explain the adaptation (for the test's output). */
    static String serverCounters() {
        dev.chorus.media.sfu.Sfu sfu = fixture.server.sfu();
        StringBuilder b = new StringBuilder("switches=").append(sfu.sum(c -> c.layerSwitches()))
                .append(" probes=").append(sfu.sum(c -> c.probesStarted()))
                .append(" probePackets=").append(sfu.sum(c -> c.probePacketsSent()))
                .append(" paused=").append(sfu.sum(c -> c.bandwidthPauses()));
        for (var r : dev.chorus.media.sfu.SfuCounters.SwitchReason.values()) {
            b.append(' ').append(r.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(sfu.sum(c -> c.targetChanges(r)));
        }
        return b.toString();
    }

    /** Each participant's estimate as the room snapshot (the media view API's source) reports it. */
    static String estimates() {
        StringBuilder b = new StringBuilder();
        RoomSnapshot snap;
        try {
            snap = fixture.server.sfu().room(ROOM).orElseThrow().snapshot().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(no snapshot: " + e + ")";
        }
        for (var p : snap.participants()) {
            String name = names.get(p.participantId());
            if (name != null) b.append(name).append('=').append(p.estimateBps() / 1000).append("k ");
        }
        return b.toString().trim();
    }

    /**
     * Polls about once a second until {@code done} or {@code seconds} of wall time have passed (a last poll at the
     * deadline), printing each subscriber's frame width, frames decoded and freezes and the SFU's estimates (the
     * adaptation's timeline, for the report). Bounded by time, not by a count of polls: on a loaded machine one poll
     * of three browsers' getStats takes seconds, and 16 polls stretched "15 s" to 30.
     */
    static boolean timeline(String phase, int seconds, java.util.function.BooleanSupplier done) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long pollStart = System.nanoTime();
            boolean last = pollStart - deadline >= 0;
            StringBuilder line = new StringBuilder("bwe " + phase + " t=" + (pollStart - start) / 1_000_000 + "ms");
            for (String k : subs.keySet()) {
                JsonNode n = inbound(k);
                line.append(' ').append(k).append('=').append(n.path("frameWidth").asInt()).append("px/")
                        .append(n.path("framesDecoded").asLong()).append("f/").append(n.path("freezeCount").asLong())
                        .append("fz/").append(n.path("fps").asInt()).append("fps");
            }
            System.out.println(line.append(" est ").append(estimates()));
            if (done.getAsBoolean()) return true;
            if (last) return false;
            long remaining = deadline - System.nanoTime();
            sleep(Math.max(0, Math.min(1_000, remaining / 1_000_000)));
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * History. Quiet machine (session 5, 01:33 UTC, load average 2 → 0.4): unlimited 1280×720 +125 frames in 5 s,
     * 0 freezes; 800 kbit/s 640×360 +127 frames, 0 freezes (its estimate 430-640 kbit/s, once briefly on 1280);
     * 250 kbit/s 320×180 but only +18 frames and paused/resumed twice (estimate 88-300 kbit/s); audio +313-315
     * packets each. Loaded (load average 18-30): the unlimited and 800 kbit/s subscribers settle on
     * 1280 and 640 within 2 s and keep decoding (+129 and +132 frames in 5 s, 1 and 0 freezes, audio +330 packets
     * each), but the 250 kbit/s one does not hold the lowest layer: its estimate falls from the 300 kbit/s start to
     * about 90 kbit/s within 1.5 s of joining (loss while the first key frame and the start rate overrun the link),
     * and then oscillates between about 90 and 280 kbit/s, so its video is paused and resumed every few seconds
     * (+20 frames decoded in 5 s, {@code trackPaused}/{@code trackResumed} alternating); the 800 kbit/s estimate
     * also swings between 340 and 760 kbit/s, which flips it between 320 and 640. To look at next: the loss-based
     * estimator's reaction to the start burst, and a lower start estimate for a subscriber whose link is unknown.
     * Session 6 (load 27): the same; the trace ({@code -Dchorus.bwe.trace=true}) shows the delay-based cut after
     * each resume's key frame (to 0.85 × an application-limited acknowledged rate) as the cause, see
     * docs/simulcast.md "Not done".
     * Session 7 (link capacity floor in AimdRateControl, retransmissions within the estimate, probe loss not counted):
     * 2 of 4 runs passed at load 1-13; the failures were a pause before any capacity was known that lasted until the
     * next probe, and one with its trace lost (docs/simulcast.md "Status").
     * Session 8 (pause hold with deficit probes, probe success only at the needed rate, layer costs from peaks; the
     * phases bounded by wall time; "settled" once each has decoded 60 frames): 4 of 8 runs passed at load 3-17
     * (settled in 3.6-5.4 s; the 5 s window: +104 to +147 frames each, 0-1 freezes where it passed, audio +303 to
     * +380 packets; lift → 1280 in 5.9-15.6 s); the failures: three times the 250 kbit/s subscriber froze 4-6 times
     * or once for 3.3 s (audio + the lowest layer fill 90-95 % of that link: 4-9 % loss, NACK answers refused for
     * bandwidth), once the unlimited one 3 times (CPU). Next: the lowest layer's temporal layers and pacing
     * (docs/simulcast.md "Status").
     * Session 9 (branch bwe250, 2026-12-06): before any change, 0 of 2 runs passed (10:50-10:54 UTC, load 0.3-12.8:
     * the 250 kbit/s subscriber froze 4 and 3 times in the window). Chromium's VP8 simulcast turned out to carry no
     * picture id and no TID (only the N bit on the frames nothing refers to), so the SFU now sends a subscriber whose
     * estimate does not cover the lowest layer whole only its reference frames (about 60 % of its rate at half the
     * frame rate: {@code PayloadDescriptor.effectiveTemporalId}, {@code BandwidthAllocator} temporal steps) and keeps a
     * 5-10 % headroom for retransmissions. With that, 3 of 4 runs passed (11:10-11:21 UTC, load 3.3-12.2; settled
     * in 5.8-6.6 s; the 250 kbit/s subscriber +58 to +99 frames and 0 freezes in the window at 10-12 fps; lift → 1280 in
     * 10.3-13.6 s); the failure: a 300 kbit/s probe measured 310 k on the 250 k link, the estimate then allowed
     * the lowest layer whole and it froze 5 times (docs/simulcast.md "Status", final4). The lead's runs after the
     * merge on an idle machine (11:33-11:38 UTC, load 0.9-4.0): 2 of 3 passed; the failure: the 250 kbit/s
     * subscriber frozen 3.3 s in the 5 s window (the passes: +67 frames, 2 freezes, 1.7 s frozen in all; lift → 1280
     * in 7.3 s). 6 of 8 in all this session: not yet reliable enough for the suite (a failure twice in a row would
     * fail the whole build), so the tag stays until the probe over-reading the link is fixed (docs/simulcast.md).
     * Session 10: a probe no longer moves a known link capacity (the 300 k probe through the 250 k tbf's bucket), no
     * increase while a probe's bytes are in the acknowledged rate, none past a known capacity's bound, and a probe
     * success refuted by a cut unless the link then delivered more than it had shown ({@code ProbeBackoff}); a
     * subscriber whose transport connects after its answer no longer starts on the top layer. 12 of 13 runs passed
     * (13:58-14:57 UTC, load 1.2-16.8; the failure: the unlimited subscriber's 3 freezes at load 10, CPU; the last
     * two untagged after all the changes: settled in 4.7 and 5.9 s, lift 9.5 and 11.2 s), the 250 k subscriber with
     * 0-1 freezes in the window (docs/simulcast.md "Status (session 10)"): back in the suite.
     */
    @Test
    void eachSubscriberGetsTheLayerItsLinkCarriesAndTheLimitedOneRecoversWhenLifted() throws Exception {
        // The publisher's layers: q = 320, h = 640, f = 1280 px wide (once its own estimate lets it send them all).
        boolean allLayers = ChromiumHarness.await(() -> outbound().path("f").path("frameWidth").asInt() == 1280
                && outbound().path("h").path("frameWidth").asInt() == 640, 20);
        System.out.println("bwe: publisher " + outbound() + (allLayers ? "" : " (NOT all three layers sent)"));
        assertThat(allLayers).as("the publisher sends all three layers: " + outbound()).isTrue();

        long t0 = System.nanoTime();
        // Settled: each on its layer and past its start (60 frames decoded: ~2 s), so the window below measures the
        // steady state, not a subscriber's first second (its first key frame and the first over-use of its link).
        boolean settled = timeline("settle", 15, () -> settledOn("unlimited", 1280) && settledOn("800k", 640)
                && settledOn("250k", 320));
        long settleMillis = (System.nanoTime() - t0) / 1_000_000;
        Map<String, JsonNode> first = new LinkedHashMap<>();
        for (String k : subs.keySet()) first.put(k, inbound(k));
        System.out.println("bwe: after " + settleMillis + " ms " + first + " estimates " + estimates() + " server "
                + serverCounters());
        assertThat(settled).as("unlimited → 1280, 800k → 640, 250k → 320 (each ≥ 60 frames decoded) within 15 s: " + first
                        + " " + serverCounters())
                .isTrue();

        // The limited ones keep decoding and audio keeps flowing for the next 5 s.
        timeline("window", 5, () -> false);
        for (String k : subs.keySet()) {
            JsonNode before = first.get(k);
            JsonNode now = inbound(k);
            System.out.println("bwe: " + k + " over 5 s: framesDecoded +" + (now.path("framesDecoded").asLong()
                    - before.path("framesDecoded").asLong()) + " freezeCount +" + (now.path("freezeCount").asLong()
                    - before.path("freezeCount").asLong()) + " audioPackets +" + (now.path("audioPackets").asLong()
                    - before.path("audioPackets").asLong()) + "; totals: frameWidth=" + now.path("frameWidth").asInt() + "x"
                    + now.path("frameHeight").asInt() + " framesDecoded=" + now.path("framesDecoded").asLong()
                    + " freezeCount=" + now.path("freezeCount").asLong() + " totalFreezesDuration="
                    + now.path("totalFreezesDuration").asDouble() + " s audioPackets=" + now.path("audioPackets").asLong()
                    + " events=" + now.path("events"));
            assertThat(now.path("framesDecoded").asLong()).as(k + " keeps decoding").isGreaterThan(
                    before.path("framesDecoded").asLong() + 25);
            assertThat(now.path("audioPackets").asLong()).as(k + " audio keeps arriving (50 packets/s)").isGreaterThan(
                    before.path("audioPackets").asLong() + 150);
            // Freezes within the window (the totals since joining include the start, when the other browsers
            // were still starting on this 2-core machine): bounded.
            assertThat(now.path("freezeCount").asLong() - before.path("freezeCount").asLong()).as(k + " freezes in 5 s")
                    .isLessThanOrEqualTo(2);
            assertThat(now.path("totalFreezesDuration").asDouble() - before.path("totalFreezesDuration").asDouble())
                    .as(k + " seconds frozen in 5 s").isLessThanOrEqualTo(1.5);
        }
        assertThat(width("800k")).as("800k never above the middle layer").isLessThanOrEqualTo(640);
        assertThat(width("250k")).as("250k never above the lowest layer").isLessThanOrEqualTo(320);

        // Lift the 250 kbit/s limit: back on the top layer within 20 s, decoding all along, audio all along.
        JsonNode beforeLift = inbound("250k");
        subs.get("250k").ns().clearRate();
        long lifted = System.nanoTime();
        boolean recovered = timeline("lifted", 20, () -> width("250k") == 1280);
        long recoverMillis = (System.nanoTime() - lifted) / 1_000_000;
        JsonNode after = inbound("250k");
        System.out.println("bwe: 250k lifted, top layer after " + recoverMillis + " ms: " + after + " estimates "
                + estimates() + " server " + serverCounters());
        assertThat(recovered).as("the lifted subscriber is back on 1280 within 20 s: " + after).isTrue();
        assertThat(after.path("framesDecoded").asLong()).isGreaterThan(beforeLift.path("framesDecoded").asLong());
        assertThat(after.path("audioPackets").asLong()).isGreaterThan(beforeLift.path("audioPackets").asLong());
    }
}
