package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sfu.rtcp.TransportCcRecorder;
import dev.chorus.media.simulcast.LayerSelector;
import dev.chorus.media.simulcast.SimulcastOffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, the bandwidth loop wired into the SFU, in simulated time and without sockets: a publisher sends a
 * 3-layer simulcast camera (about 150 k / 500 k / 1.5 M) with transport-wide sequence numbers; the SFU forwards to
 * one subscriber over a simulated bottleneck (drop-tail queue of 100 ms, as {@code tc tbf}) whose receiver answers
 * with real transport-cc feedback ({@link TransportCcRecorder}) into the subscriber's RTCP. The feedback drives the
 * estimate, the estimate the allocator, the allocator the consumer's target layer: each link ends on the layer that
 * fits, probes (padding on the RTX stream, with transport-wide sequence numbers) come before up-switches, a link
 * below the lowest layer pauses the video and tells the subscriber, and a lifted link gets the top layer back.
 */
class SubscriberEstimateTest {
    static final int PUB_TWCC = 5;
    static final int SUB_TWCC = 3;
    static final int MID_EXT = 4;
    static final int RID_EXT = 10;
    static final long[] SSRC = {0xB0000001L, 0xB0000002L, 0xB0000003L};
    static final String[] RID = {"q", "h", "f"};
    /** Bytes per picture of each layer at 30 fps: about 150 k, 500 k and 1.5 Mbit/s. */
    static final int[] PICTURE_BYTES = {600, 2000, 6000};
    static final int[][] SIZE = {{320, 180}, {640, 360}, {1280, 720}};

    static final String OFFER = SimulcastForwardingTest.OFFER.replace("a=extmap:4 urn",
            "a=extmap:5 " + SectionExtensions.TWCC_URI + "\r\na=extmap:4 urn");
    static final String SUB_SECTION = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n"
            + "a=extmap:3 " + SectionExtensions.TWCC_URI + "\r\na=rtpmap:96 VP8/90000\r\n";

    /** Prints the loop's state each simulated second (for tuning). */
    static final boolean DEBUG = false;
    final long[] clock = {1_000_000_000L};
    Worker worker;
    RoomImpl room;
    ParticipantImpl pub;
    ParticipantImpl sub;
    Consumer consumer;
    Bottleneck link;
    final List<String> told = new ArrayList<>();
    final int[] seq = {1, 1, 1};
    final long[] ts = {0, 0, 0};
    final int[] pid = {1, 1, 1};
    /** Each layer as L1T3 (libwebrtc's 0-2-1-2 pattern and layer syncs) instead of one temporal layer. */
    boolean temporalLayers;
    final int[] pictures = {0, 0, 0};
    final int[] tl0 = {0, 0, 0};
    static final int[] TID_PATTERN = {0, 2, 1, 2};
    static final boolean[] SYNC_PATTERN = {false, true, true, false, false, false, false, false};
    /** Per forwarded media packet (payload type 96): its TID as the subscriber receives it. */
    final List<Integer> receivedTids = new ArrayList<>();

    /** The subscriber's downlink: a drop-tail bottleneck and the receiver's transport-cc recorder. */
    final class Bottleneck extends CapturingChannel {
        long capacityBps;
        long freeAtNanos;
        final TransportCcRecorder recorder = new TransportCcRecorder(4096);
        /** {arrival ns, twcc seq} in flight. */
        final ArrayDeque<long[]> flight = new ArrayDeque<>();
        int padding;
        /** RTX copies (probes re-send recent packets). */
        int rtx;
        int dropped;
        /** When each media packet (payload type 96) was handed to the link. */
        final List<Long> mediaSentAt = new ArrayList<>();

        Bottleneck(long capacityBps) {
            this.capacityBps = capacityBps;
        }

        @Override public boolean send(byte[] buf, int off, int len, boolean rtcp) {
            if (rtcp) return true;
            RtpPacket rtp = new RtpPacket();
            assertThat(rtp.wrap(buf, off, len)).isEqualTo(RtpStatus.OK);
            if (rtp.payloadLength() == 0) padding++;
            else if (rtp.payloadType() == 97) rtx++;
            else {
                mediaSentAt.add(clock[0]);
                receivedTids.add((buf[rtp.payloadOffset() + 5] & 0xC0) >>> 6);
            }
            int twcc = twccOf(buf, off, rtp);
            long now = clock[0];
            long start = Math.max(now, freeAtNanos);
            if (start - now > 100_000_000L) { // tbf's queue is full: dropped
                dropped++;
                return true;
            }
            freeAtNanos = start + (len + SubscriberEstimate.WIRE_OVERHEAD) * 8L * 1_000_000_000L / capacityBps;
            if (twcc >= 0) flight.add(new long[] {freeAtNanos + 20_000_000L, twcc});
            return true;
        }


        /** Delivers what has arrived by now into the recorder. */
        void deliver() {
            while (!flight.isEmpty() && flight.peek()[0] <= clock[0]) {
                long[] p = flight.poll();
                recorder.onPacket((int) p[1], p[0]);
            }
        }
    }

    static int twccOf(byte[] b, int off, RtpPacket rtp) {
        int p = rtp.extensionOffset();
        if (p < 0) return -1;
        int end = p + rtp.extensionLength();
        while (p < end) {
            int h = b[p] & 0xFF;
            if (h == 0) {
                p++;
                continue;
            }
            int id = h >>> 4;
            int len = (h & 0x0F) + 1;
            if (id == SUB_TWCC) return ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
            p += 1 + len;
        }
        return -1;
    }

    @BeforeEach
    void setUp() throws Exception {
        SfuConfig config = SfuConfig.defaults().withWorkers(1);
        Sfu sfu = new Sfu(config, null, () -> clock[0]);
        worker = sfu.workers()[0];
        room = new RoomImpl("r", worker, sfu);
        pub = new ParticipantImpl("pub", room, MediaRights.all(), ParticipantListener.NONE);
        sub = new ParticipantImpl("sub", room, MediaRights.all(), new ParticipantListener() {
            @Override public void onTrackPaused(TrackInfo track, boolean paused, String reason) {
                told.add(track.trackId() + (paused ? " paused " : " resumed ") + reason);
            }
        });
        room.participants.put(pub.id, pub);
        room.participants.put(sub.id, sub);
        link = new Bottleneck(50_000_000);
        WiredTrack wired = new WiredTrack(config, pub, sub, WiredTrack.plan(OFFER), new CapturingChannel(), link);
        assertThat(wired.track.extensions.idOf(SectionExtensions.TWCC_URI)).isEqualTo(PUB_TWCC);
        consumer = wired.consumer;
        consumer.answered = SectionExtensions.of(SdpParser.parse(SUB_SECTION).mediaByMid("0").orElseThrow());
        consumer.mapExtensions();
        consumer.rtxPayloadType = 97;
    }

    /** Runs {@code seconds} of a 30 fps publisher (a key frame on every layer each second), ticks and feedback. */
    void run(double seconds) {
        long end = clock[0] + (long) (seconds * 1e9);
        int frame = 0;
        while (clock[0] < end) {
            clock[0] += 1_000_000; // 1 ms
            long t = clock[0] / 1_000_000;
            if (t % 33 == 0) {
                boolean key = frame++ % 30 == 0;
                for (int l = 0; l < 3; l++) picture(l, key);
            }
            link.deliver();
            if (t % 50 == 0 && link.recorder.hasPending()) {
                byte[] fb = new byte[1500];
                int n = link.recorder.writeFeedback(fb, 0, 0x1234, consumer.ssrc);
                if (DEBUG && !new dev.chorus.media.bwe.TransportCcFeedbackReader().read(fb, 0, n, (a, b, c) -> { })) {
                    System.out.println("bad fb n=" + n + " " + java.util.HexFormat.of().formatHex(fb, 0, Math.min(n, 64)));
                }
                sub.subscribing.onRtcp(TestRtp.rtcp(java.util.Arrays.copyOf(fb, n)), clock[0]);
            }
            if (t % 10 == 0) room.tick(clock[0]);
            if (t % 1000 == 0 && DEBUG) {
                var e = sub.subscribing.estimate.estimator;
                System.out.println("t=" + t + " est=" + e.estimateBps() + " delay=" + e.delayBasedBps() + " loss=" + e.lossBasedBps()
                        + " fb=" + e.feedbacks() + " bad=" + e.malformedFeedback() + " probes=" + e.probesStarted() + "/" + e.probesSucceeded()
                        + " pad=" + link.padding + " drop=" + link.dropped + " target=" + target() + " cap=" + consumer.layers().bandwidthCap
                        + " rates=" + java.util.Arrays.toString(SubscriberEstimate.layerRates(consumer.track.simulcast, clock[0])));
            }
        }
    }

    void picture(int layer, boolean key) {
        picture(layer, key, PICTURE_BYTES[layer]);
    }

    void picture(int layer, boolean key, int bytes) {
        int remaining = bytes;
        boolean start = true;
        if (key) pictures[layer] = 0;
        int n = pictures[layer]++;
        int tid = temporalLayers && !key ? TID_PATTERN[n % 4] : 0;
        boolean sync = temporalLayers && !key && SYNC_PATTERN[n % 8];
        if (tid == 0) tl0[layer] = (tl0[layer] + 1) & 0xFF;
        while (remaining > 0) {
            int size = Math.min(1100, remaining);
            remaining -= size;
            byte[] p = packet(layer, seq[layer], ts[layer], pid[layer], start, key, size, tl0[layer], tid, sync);
            seq[layer] = (seq[layer] + 1) & 0xFFFF;
            start = false;
            RtpPacket rtp = new RtpPacket();
            assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
            pub.publishing.onRtp(rtp, clock[0]);
        }
        ts[layer] = (ts[layer] + 3000) & 0xFFFFFFFFL;
        pid[layer] = (pid[layer] + 1) & 0x7FFF;
    }

    /** A VP8 packet of {@code layer} with mid, rid and the publisher's transport-wide sequence number. */
    static byte[] packet(int layer, int seq, long ts, int pictureId, boolean start, boolean keyframe, int payload,
                         int tl0, int tid, boolean sync) {
        byte[] rid = RID[layer].getBytes(StandardCharsets.US_ASCII);
        byte[] ext = {(byte) (MID_EXT << 4), '0', (byte) ((RID_EXT << 4) | (rid.length - 1)), rid[0],
                (byte) ((PUB_TWCC << 4) | 1), (byte) (seq >>> 8), (byte) seq, 0};
        byte[] b = new byte[12 + 4 + ext.length + 6 + payload];
        b[0] = (byte) 0x90;
        b[1] = (byte) 96;
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        TestRtp.put32(b, 4, ts);
        TestRtp.put32(b, 8, SSRC[layer]);
        int p = 12;
        b[p++] = (byte) 0xBE; b[p++] = (byte) 0xDE; b[p++] = 0; b[p++] = (byte) (ext.length / 4);
        System.arraycopy(ext, 0, b, p, ext.length);
        p += ext.length;
        b[p++] = (byte) (0x80 | (start ? 0x10 : 0));
        b[p++] = (byte) 0xE0;
        b[p++] = (byte) (0x80 | (pictureId >>> 8));
        b[p++] = (byte) pictureId;
        b[p++] = (byte) tl0;
        b[p++] = (byte) ((tid << 6) | (sync ? 0x20 : 0));
        b[p] = (byte) (start && keyframe ? 0x00 : 0x01);
        if (start && keyframe) {
            b[p + 3] = (byte) 0x9d; b[p + 4] = 0x01; b[p + 5] = 0x2a;
            b[p + 6] = (byte) SIZE[layer][0]; b[p + 7] = (byte) (SIZE[layer][0] >>> 8);
            b[p + 8] = (byte) SIZE[layer][1]; b[p + 9] = (byte) (SIZE[layer][1] >>> 8);
        }
        return b;
    }

    int target() {
        return consumer.layers().selector.targetSpatial();
    }

    @Test
    void anUnlimitedLinkIsProbedUpToTheTopLayer() {
        run(15);
        assertThat(sub.subscribing.estimate.active()).as("feedback reached the estimator").isTrue();
        assertThat(target()).isEqualTo(2);
        assertThat(worker.counters.probesStarted()).isPositive();
        assertThat(worker.counters.probePacketsSent()).isPositive();
        assertThat(link.rtx).as("probes re-send recent packets as RTX, with transport-wide sequence numbers").isPositive();
        assertThat(worker.counters.targetChanges(SfuCounters.SwitchReason.BANDWIDTH)).isPositive();
        assertThat(sub.subscribing.downlinkEstimateBps()).isGreaterThan(1_500_000);
    }

    /**
     * The subscriber's answer (with transport-cc) puts a simulcast consumer on the lowest layer until the allocation
     * decides; a transport that connects after the answer (DTLS takes a moment) must not start on the top layer either:
     * on a 250 kbit/s link the loss of the top layer's key frame drops the estimate to its floor and pauses the video
     * for seconds (a real-Chromium run, session 10: the allocations before the transport connected found no active
     * consumer, took the subscriber for one without transport-cc and lifted every cap; the layer choice ran before
     * the next allocation).
     */
    @Test
    void aSubscriberWhoseTransportConnectsAfterTheAnswerStartsOnTheLowestLayer() {
        link.capacityBps = 250_000;
        sub.transports.subscribe.connected = false;
        consumer.layers().bandwidthCap = 0; // what SubscribeSide sets when the answer negotiated transport-cc
        run(1); // allocations while nothing may be sent
        sub.transports.subscribe.connected = true;
        // The layer choice may run before the next allocation (their timers are independent).
        sub.subscribing.layerChoice.soon(clock[0]);
        sub.subscribing.layerChoice.tick(clock[0]);
        int highest = target();
        for (int i = 0; i < 40; i++) {
            run(0.025);
            highest = Math.max(highest, target());
        }
        assertThat(highest).as("the highest target in the first second after connecting").isZero();
    }

    @Test
    void anEightHundredKilobitLinkGetsTheMiddleLayer() {
        link.capacityBps = 800_000;
        run(15);
        assertThat(target()).isEqualTo(1);
        assertThat(sub.subscribing.downlinkEstimateBps()).isBetween(500_000L, 900_000L);
    }

    @Test
    void aTwoHundredFiftyKilobitLinkGetsTheLowestLayerAndTheTopOneWithinTwentySecondsOfBeingLifted() {
        link.capacityBps = 250_000;
        run(15);
        assertThat(target()).isZero();
        link.capacityBps = 50_000_000;
        double waited = 0;
        while (target() != 2 && waited < 20) {
            run(0.5);
            waited += 0.5;
        }
        assertThat(target()).as("top layer %s s after the lift", waited).isEqualTo(2);
    }

    @Test
    void aKeyFrameBurstLeavesPacedAtAMultipleOfTheEstimateNotAtLineRate() {
        link.capacityBps = 250_000;
        run(10);
        assertThat(target()).isZero();
        long estimate = sub.subscribing.downlinkEstimateBps();
        int before = link.mediaSentAt.size();
        long start = clock[0];
        picture(0, false, 20 * 1100); // a 22 KB picture of the layer it receives, in one go
        run(1);
        List<Long> burst = link.mediaSentAt.subList(before, before + 20);
        long spanMillis = (burst.get(19) - burst.get(0)) / 1_000_000;
        // 22 KB at 2.5 × the estimate, less the pacer's 40 ms burst: well over 100 ms, where line rate is 0 ms.
        assertThat(sub.subscribing.pacer.queued).isPositive();
        assertThat(spanMillis).as("the 22 KB picture left over %s ms (estimate %s)", spanMillis, estimate)
                .isGreaterThanOrEqualTo(100);
        assertThat(burst.get(0)).isEqualTo(start);
    }

    @Test
    void aLinkBelowTheLowestLayerPausesTheVideoTellsTheSubscriberAndResumesWhenItFits() {
        link.capacityBps = 100_000;
        run(15);
        assertThat(target()).isEqualTo(LayerSelector.NONE);
        assertThat(told).containsExactly("0 paused bandwidth");
        assertThat(worker.counters.bandwidthPauses()).isEqualTo(1);
        link.capacityBps = 50_000_000;
        double waited = 0;
        while (target() == LayerSelector.NONE && waited < 30) {
            run(0.5);
            waited += 0.5;
        }
        assertThat(target()).isNotEqualTo(LayerSelector.NONE);
        assertThat(told).containsExactly("0 paused bandwidth", "0 resumed bandwidth");
    }

    @Test
    void onAFullLinkNacksAreAnsweredOnlyWithinWhatTheEstimateLeavesOverMedia() {
        link.capacityBps = 250_000;
        run(10);
        assertThat(target()).isZero();
        assertThat(sub.subscribing.estimate.estimator.limitSeen()).isTrue();
        long answeredBefore = worker.counters.nacksAnswered();
        long retransmittedBefore = worker.counters.bweRetransmissionBytes();
        // The subscriber asks for the last 34 packets at once (a burst lost in the bottleneck).
        int first = (consumer.lastSequence() - 33) & 0xFFFF;
        sub.subscribing.onRtcp(TestRtp.rtcp(TestRtp.nack(0x1234, consumer.ssrc, first, 2, 0xFFFF)), clock[0]);
        long answered = worker.counters.nacksAnswered() - answeredBefore;
        long overBandwidth = worker.counters.nacksOverBandwidth();
        long estimate = sub.subscribing.estimate.estimator.estimateBps();
        // Retransmissions get what the estimate leaves over the media sent in the last 500 ms, at least 10 % of it:
        // a few packets, not all 34 in one go into a full 250 kbit/s link.
        assertThat(answered).as("answered (estimate %d)", estimate).isPositive().isLessThan(34);
        assertThat(overBandwidth).isEqualTo(34 - answered - worker.counters.nacksMissed());
        assertThat(worker.counters.bweRetransmissionBytes() - retransmittedBefore).isPositive()
                .isLessThanOrEqualTo(estimate / 16 + 1500); // the estimate's worth of 500 ms, plus the packet that crossed it
    }

    /**
     * What the allocator is told a layer costs: the lowest its mean rate; a layer above its recent peak (decaying
     * over {@link SimulcastLayers#PEAK_DECAY_NANOS}) and at least twice the layer below. Session 8's loaded publisher
     * sent its top layer at 440-860 kbit/s from one second to the next; costed at the current second it was granted to
     * an 800 kbit/s subscriber at 440 k, queued at the next peak (freezes) and was switched back down.
     */
    @Test
    void aLayerAboveTheLowestCostsItsRecentPeakAndAtLeastTwiceTheLayerBelow() {
        SimulcastLayers sc = new SimulcastLayers(new SimulcastOffer(List.of("q", "h", "f"), 5, 0), 90000,
                SfuConfig.defaults().withWorkers(1));
        long now = 0;
        long[] bytes = new long[3];
        long[][] perSecond = {{150_000, 300_000, 860_000}, {140_000, 320_000, 440_000}};
        for (int l = 0; l < 3; l++) sc.rates[l].sample(0, now);
        for (long[] rates : perSecond) {
            now += BitrateSampler.INTERVAL_NANOS;
            for (int l = 0; l < 3; l++) {
                bytes[l] += rates[l] / 8;
                sc.rates[l].sample(bytes[l], now);
                sc.packets[l]++;
                sc.lastPacketNanos[l] = now;
            }
            SubscriberEstimate.layerRates(sc, now);
        }
        long[] costs = SubscriberEstimate.layerRates(sc, now);
        assertThat(costs[0]).as("the lowest layer: its mean").isEqualTo(140_000);
        assertThat(costs[1]).as("2 × the lowest (280 k) < its 320 k").isEqualTo(320_000);
        assertThat(costs[2]).as("the top layer: its peak of a second ago, barely decayed").isBetween(800_000L, 860_000L);
        // Ten seconds later at 440 k the peak has decayed to it.
        for (int i = 0; i < 10; i++) {
            now += BitrateSampler.INTERVAL_NANOS;
            for (int l = 0; l < 3; l++) {
                bytes[l] += perSecond[1][l] / 8;
                sc.rates[l].sample(bytes[l], now);
                sc.lastPacketNanos[l] = now;
            }
            costs = SubscriberEstimate.layerRates(sc, now);
        }
        assertThat(costs[2]).isBetween(640_000L, 660_000L).as("at least 2 × the middle layer's 320 k");
        // A layer that just started (its encoder ramping) never looks cheaper than twice the one below.
        assertThat(costs[1] * 2).isLessThanOrEqualTo(costs[2]);
    }

    /**
     * The lever for issue 12's 250 kbit/s subscriber: a publisher whose lowest layer (~155 kbit/s on the wire) has
     * three temporal layers, a link of 130 kbit/s that cannot carry it whole. The subscriber gets the lowest layer's
     * TL0 + TL1 (or TL0 alone) instead of a paused video or a lowest layer overrunning its link: it is never paused,
     * receives no TL2 picture once the estimate shows the limit, and the bottleneck's queue (100 ms, drop-tail)
     * overflows rarely.
     */
    @Test
    void aLinkThatCarriesTheLowestLayerOnlyAtAReducedFrameRateGetsItsLowerTemporalLayers() {
        temporalLayers = true;
        link.capacityBps = 130_000;
        run(10);
        assertThat(target()).isZero();
        int tl = consumer.layers().selector.targetTemporal();
        assertThat(tl).as("temporal target after 10 s").isLessThan(2);
        int droppedBefore = link.dropped;
        int from = receivedTids.size();
        run(10);
        assertThat(told).as("never paused").isEmpty();
        assertThat(target()).isZero();
        List<Integer> tids = receivedTids.subList(from, receivedTids.size());
        assertThat(tids).as("packets forwarded in the last 10 s (one per picture)").hasSizeGreaterThan(60);
        assertThat(tids.stream().filter(t -> t == 2).count()).as("TL2 packets forwarded").isLessThan(tids.size() / 10);
        assertThat(link.dropped - droppedBefore).as("packets the full queue dropped in 10 s (of %s sent)", tids.size())
                .isLessThanOrEqualTo(tids.size() / 10);
    }
}
