package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.simulcast.LayerDemand;
import dev.chorus.media.simulcast.Vp8Descriptor;
import dev.chorus.media.simulcast.ViewportLayers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, the SFU's simulcast path without sockets: a Chromium-style SSRC-less 3-layer offer is accepted, each
 * SSRC is bound to its layer by the first packet carrying mid + rid, a subscriber gets the layer its element needs
 * (switching only at a key frame of the target layer, which the SFU asks the publisher for), and sees one continuous
 * stream: one SSRC, sequence numbers without holes, picture ids continuing across switches; a NACK is answered with
 * the very packet it names, from the right layer.
 */
class SimulcastForwardingTest {
    static final int MID_EXT = 4;
    static final int RID_EXT = 10;
    static final int RRID_EXT = 11;
    static final long[] SSRC = {0xA0000001L, 0xA0000002L, 0xA0000003L};
    static final String[] RID = {"q", "h", "f"};
    static final int[][] SIZE = {{320, 180}, {640, 360}, {1280, 720}};

    /** The video section of Chromium's offer for sendEncodings [f, h, q] (no a=ssrc lines). */
    static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
            + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\n"
            + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
            + "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
            + "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
            + "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
            + "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
            + "a=rid:f send\r\na=rid:h send\r\na=rid:q send\r\na=simulcast:send f;h;q\r\n";

    Worker worker;
    ParticipantImpl pub;
    ParticipantImpl sub;
    Producer track;
    Consumer consumer;
    CapturingChannel pubLink = new CapturingChannel();
    CapturingChannel subLink = new CapturingChannel();
    final int[] seq = {100, 20000, 65500};
    final long[] ts = {1000, 50000, 900000};
    final int[] pid = {10, 2000, 32760};
    final boolean[] ridSent = new boolean[3];
    final List<Map<String, Boolean>> told = new ArrayList<>();

    @BeforeEach
    void setUp() {
        SfuConfig config = SfuConfig.defaults().withWorkers(1);
        Sfu sfu = new Sfu(config, null);
        worker = sfu.workers()[0];
        RoomImpl room = new RoomImpl("r", worker, sfu);
        pub = new ParticipantImpl("pub", room, MediaRights.all(), new ParticipantListener() {
            @Override public void onPublishLayers(String trackId, Map<String, Boolean> activeByRid) {
                told.add(activeByRid);
            }
        });
        sub = new ParticipantImpl("sub", room, MediaRights.all(), ParticipantListener.NONE);
        room.participants.put(pub.id, pub);
        room.participants.put(sub.id, sub);

        PublishNegotiation.Plan plan = WiredTrack.plan(OFFER);
        String answer = SdpWriter.write(plan.answer());
        assertThat(answer).contains("a=simulcast:recv f;h;q").contains("a=rid:q recv").contains("a=recvonly");
        assertThat(plan.tracks().getFirst().simulcast().ridsLowToHigh()).containsExactly("q", "h", "f");
        WiredTrack wired = new WiredTrack(config, pub, sub, plan, pubLink, subLink);
        track = wired.track;
        consumer = wired.consumer;
    }

    long now() {
        return worker.clock.getAsLong();
    }

    /** One picture of {@code layer} as {@code packets} packets; the first packets of an SSRC carry mid + rid. */
    void picture(int layer, boolean keyframe, int packets) {
        for (int i = 0; i < packets; i++) {
            boolean withRid = !ridSent[layer];
            byte[] p = packet(layer, seq[layer], ts[layer], pid[layer], i == 0, keyframe, withRid);
            seq[layer] = (seq[layer] + 1) & 0xFFFF;
            RtpPacket rtp = new RtpPacket();
            assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
            pub.publishing.onRtp(rtp, now());
        }
        ridSent[layer] = true;
        ts[layer] = (ts[layer] + 3000) & 0xFFFFFFFFL;
        pid[layer] = (pid[layer] + 1) & 0x7FFF;
    }

    static byte[] packet(int layer, int seq, long ts, int pictureId, boolean start, boolean keyframe, boolean withRid) {
        byte[] ext = new byte[0];
        if (withRid) {
            byte[] rid = RID[layer].getBytes(StandardCharsets.US_ASCII);
            ext = new byte[] {(byte) (MID_EXT << 4), '0', (byte) ((RID_EXT << 4) | (rid.length - 1)), rid[0]};
        }
        int extLen = ext.length == 0 ? 0 : 4 + ext.length;
        byte[] b = new byte[12 + extLen + 6 + 30];
        b[0] = (byte) (0x80 | (ext.length > 0 ? 0x10 : 0));
        b[1] = (byte) 96;
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        TestRtp.put32(b, 4, ts);
        TestRtp.put32(b, 8, SSRC[layer]);
        int p = 12;
        if (ext.length > 0) {
            b[p++] = (byte) 0xBE; b[p++] = (byte) 0xDE; b[p++] = 0; b[p++] = (byte) (ext.length / 4);
            System.arraycopy(ext, 0, b, p, ext.length);
            p += ext.length;
        }
        b[p++] = (byte) (0x80 | (start ? 0x10 : 0));
        b[p++] = (byte) 0xE0; // I, L, T
        b[p++] = (byte) (0x80 | (pictureId >>> 8));
        b[p++] = (byte) pictureId;
        b[p++] = (byte) layer; // TL0PICIDX: anything
        b[p++] = 0; // TID 0
        // VP8 payload header: P bit (0 = key frame), then for a key frame the start code and the frame size.
        b[p] = (byte) (start && keyframe ? 0x00 : 0x01);
        if (start && keyframe) {
            b[p + 3] = (byte) 0x9d; b[p + 4] = 0x01; b[p + 5] = 0x2a;
            b[p + 6] = (byte) SIZE[layer][0]; b[p + 7] = (byte) (SIZE[layer][0] >>> 8);
            b[p + 8] = (byte) SIZE[layer][1]; b[p + 9] = (byte) (SIZE[layer][1] >>> 8);
        }
        b[b.length - 1] = (byte) layer; // marks the layer in the payload for the assertions
        return b;
    }

    void allLayers(boolean keyframe) {
        for (int l = 0; l < 3; l++) picture(l, keyframe, 2);
    }

    int plisFor(long ssrc) {
        int n = 0;
        for (byte[] r : pubLink.rtcp) n += TestRtp.count(r, (c, i) -> c.isPli(i) && c.mediaSsrc(i) == ssrc);
        return n;
    }

    void tick() {
        sub.subscribing.layerChoice.tick(now() + SubscriberLayers.INTERVAL_NANOS);
    }

    @Test
    void transportCcFeedbackToASimulcastOnlyPublisherNamesOneOfItsLayersNotSsrcZero() {
        // Chromium's estimate fell to its 30 kbit/s floor (and it sent only q) while the feedback named SSRC 0.
        assertThat(track.ssrc).as("a simulcast-only track has no single-stream SSRC").isLessThanOrEqualTo(0);
        assertThat(pub.publishing.feedbackMediaSsrc()).as("before any layer is bound").isZero();
        picture(1, true, 2);
        assertThat(pub.publishing.feedbackMediaSsrc()).isEqualTo(SSRC[1]);
        allLayers(true);
        assertThat(pub.publishing.feedbackMediaSsrc()).isIn(SSRC[0], SSRC[1], SSRC[2]);
    }

    @Test
    void bindsSsrcLessLayersByRidAndGivesASmallElementTheLowestLayer() {
        allLayers(true);
        assertThat(track.simulcast.layerOfMediaSsrc(SSRC[0])).isEqualTo(0);
        assertThat(track.simulcast.layerOfMediaSsrc(SSRC[2])).isEqualTo(2);
        assertThat(track.simulcast.widths).containsExactly(320, 640, 1280);
        // Later packets carry no rid: found by SSRC alone.
        allLayers(false);
        assertThat(track.simulcast.packets).containsExactly(4, 4, 4);

        sub.subscribing.layerChoice.setPreference("pub", "0", 160, 90, true, null);
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).isEqualTo(0);
        assertThat(plisFor(SSRC[0])).isEqualTo(1);
        allLayers(false);
        assertThat(subLink.rtp).isEmpty(); // nothing before the key frame of the target layer
        assertThat(consumer.view().layer()).as("who-receives-whom: no layer yet")
                .isEqualTo(new RoomSnapshot.ForwardedLayer(-1, -1, null));
        allLayers(true);
        allLayers(false);
        assertThat(consumer.view().layer()).as("who-receives-whom: the lowest layer, by its rid")
                .isEqualTo(new RoomSnapshot.ForwardedLayer(0, -1, "q"));
        assertThat(subLink.rtp).hasSize(4).allSatisfy(p -> {
            assertThat(TestRtp.view(p).ssrc()).isEqualTo(consumer.ssrc);
            assertThat(p[p.length - 1]).isEqualTo((byte) 0);
        });
        assertContinuous(subLink.rtp);
    }

    @Test
    void aSubscriberCappedToALayerThePublisherDoesNotSendGetsItsLowestFlowingLayerRatherThanNothing() {
        // libwebrtc stops the lowest simulcast layer when CPU adaptation shrinks the camera's input: only h and f flow.
        picture(1, true, 2);
        picture(2, true, 2);
        consumer.layers.bandwidthCap = 0; // the bandwidth allocation grants the lowest layer
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).as("h, not a q that never comes").isEqualTo(1);
        picture(1, true, 2);
        assertThat(subLink.rtp).hasSize(2).allSatisfy(p -> assertThat(p[p.length - 1]).isEqualTo((byte) 1));
        // Never above what the element asks for: a 160x90 element waits for q.
        sub.subscribing.layerChoice.setPreference("pub", "0", 160, 90, true, null);
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).isZero();
    }

    @Test
    void switchesUpOnlyAtTheTargetsKeyFrameAndKeepsTheStreamContinuous() {
        allLayers(true);
        sub.subscribing.layerChoice.setPreference("pub", "0", 160, 90, true, null);
        tick();
        allLayers(true);
        allLayers(false);
        // The element grows: the top layer is the target, the low one flows until the top's key frame.
        sub.subscribing.layerChoice.setPreference("pub", "0", 1280, 720, true, null);
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).isEqualTo(2);
        assertThat(plisFor(SSRC[2])).isEqualTo(1);
        allLayers(false);
        allLayers(true);
        allLayers(false);
        List<Byte> layers = new ArrayList<>();
        for (byte[] p : subLink.rtp) layers.add(p[p.length - 1]);
        // Four pictures of q (the last one in the same round as f's key frame, which comes after it), then f.
        assertThat(layers).containsExactly((byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0,
                (byte) 0, (byte) 2, (byte) 2, (byte) 2, (byte) 2);
        assertContinuous(subLink.rtp);
        assertThat(worker.counters.layerSwitches()).isEqualTo(1);
        assertThat(consumer.view().layer()).isEqualTo(new RoomSnapshot.ForwardedLayer(2, -1, "f"));

        // A preferred quality caps it again; hidden pauses the video.
        sub.subscribing.layerChoice.setPreference("pub", "0", 1280, 720, true, ViewportLayers.Quality.MEDIUM);
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).isEqualTo(1);
        sub.subscribing.layerChoice.setPreference("pub", "0", 1280, 720, false, null);
        tick();
        assertThat(consumer.layers.selector.targetSpatial()).isEqualTo(-1);
        int before = subLink.rtp.size();
        allLayers(true);
        assertThat(subLink.rtp).hasSize(before);
    }

    @Test
    void aLayerWhoseSizeWasNeverSeenIsEstimatedSoALargeElementStillAsksForIt() {
        picture(0, true, 2); // only q's key frame: h and f were paused before sending one
        sub.subscribing.layerChoice.setPreference("pub", "0", 1280, 720, true, null);
        tick();
        assertThat(track.simulcast.estimatedWidths).containsExactly(320, 640, 1280);
        assertThat(consumer.layers.wanted).isEqualTo(2);
        assertThat(consumer.layers.selector.targetSpatial()).as("the highest layer that flows").isEqualTo(0);
    }

    @Test
    void aNackIsAnsweredWithThePacketItNamesFromItsLayer() {
        allLayers(true);
        tick(); // no report yet: the top layer
        allLayers(true);
        allLayers(false);
        assertThat(subLink.rtp).hasSize(4);
        byte[] missed = subLink.rtp.get(1);
        int missedSeq = TestRtp.view(missed).sequenceNumber();
        consumer.rtxPayloadType = -1; // plain retransmission: the copy must equal what was sent
        sub.subscribing.onRtcp(TestRtp.rtcp(TestRtp.nack(0x999, consumer.ssrc, missedSeq, 1, 0)), now());
        assertThat(subLink.rtp).hasSize(5);
        assertThat(subLink.rtp.get(4)).isEqualTo(missed);
    }

    static final long[] RTX_SSRC = {0xB0000001L, 0xB0000002L, 0xB0000003L};

    /** Chromium's RTX repair of {@code original} (RFC 4588: OSN + payload) on the layer's RTX SSRC, with mid + repaired-rid. */
    static byte[] rtx(int layer, int rtxSeq, byte[] original) {
        RtpPacket o = TestRtp.view(original);
        byte[] rid = RID[layer].getBytes(StandardCharsets.US_ASCII);
        byte[] ext = {(byte) (MID_EXT << 4), '0', (byte) ((RRID_EXT << 4) | (rid.length - 1)), rid[0]};
        byte[] payload = TestRtp.payload(original);
        byte[] b = new byte[12 + 4 + ext.length + 2 + payload.length];
        b[0] = (byte) 0x90;
        b[1] = (byte) 97;
        b[2] = (byte) (rtxSeq >>> 8);
        b[3] = (byte) rtxSeq;
        TestRtp.put32(b, 4, o.timestamp());
        TestRtp.put32(b, 8, RTX_SSRC[layer]);
        b[12] = (byte) 0xBE; b[13] = (byte) 0xDE; b[14] = 0; b[15] = (byte) (ext.length / 4);
        System.arraycopy(ext, 0, b, 16, ext.length);
        int p = 16 + ext.length;
        b[p] = (byte) (o.sequenceNumber() >>> 8);
        b[p + 1] = (byte) o.sequenceNumber();
        System.arraycopy(payload, 0, b, p + 2, payload.length);
        return b;
    }

    void receive(byte[] p) {
        RtpPacket rtp = new RtpPacket();
        assertThat(rtp.wrap(p, 0, p.length)).isEqualTo(RtpStatus.OK);
        pub.publishing.onRtp(rtp, now());
    }

    /** The NACKs the publisher received: media SSRC → sequence numbers asked for. */
    List<long[]> nacksToPublisher() {
        List<long[]> got = new ArrayList<>();
        for (byte[] r : pubLink.rtcp) {
            dev.chorus.media.rtp.RtcpCompound c = TestRtp.rtcp(r);
            for (int i = 0; i < c.packetCount(); i++) {
                if (!c.isNack(i)) continue;
                for (int k = 0; k < c.nackCount(i); k++) {
                    int pid = c.nackPid(i, k);
                    got.add(new long[] {c.mediaSsrc(i), pid});
                    for (int bit = 0; bit < 16; bit++) {
                        if ((c.nackBlp(i, k) & (1 << bit)) != 0) got.add(new long[] {c.mediaSsrc(i), (pid + bit + 1) & 0xFFFF});
                    }
                }
            }
        }
        return got;
    }

    @Test
    void aPacketLostOnTheSimulcastPublishersUplinkIsNackedUpstreamAndItsRtxRepairReachesTheSubscriberAtItsPlace() {
        allLayers(true);
        tick(); // no report yet: the top layer
        allLayers(true);
        assertThat(subLink.rtp).hasSize(2);
        int before = TestRtp.view(subLink.rtp.getLast()).sequenceNumber();
        // A picture of f in three packets; the middle one never reaches the SFU.
        byte[][] f = new byte[3][];
        for (int i = 0; i < 3; i++) {
            f[i] = packet(2, seq[2], ts[2], pid[2], i == 0, false, false);
            seq[2] = (seq[2] + 1) & 0xFFFF;
            if (i != 1) receive(f[i]);
        }
        ts[2] += 3000;
        pid[2]++;
        int lostSeq = TestRtp.view(f[1]).sequenceNumber();
        assertThat(subLink.rtp).hasSize(4);
        assertThat(TestRtp.view(subLink.rtp.getLast()).sequenceNumber()).as("the hole stays a hole").isEqualTo((before + 3) & 0xFFFF);

        // The subscriber's NACK for it cannot be answered (not cached) and is not forwarded: the SFU asks by itself.
        sub.subscribing.onRtcp(TestRtp.rtcp(TestRtp.nack(0x999, consumer.ssrc, (before + 2) & 0xFFFF, 1, 0)), now());
        assertThat(worker.counters.nacksMissed()).isEqualTo(1);
        assertThat(nacksToPublisher()).isEmpty();

        pub.publishing.tick(now());
        assertThat(nacksToPublisher()).as("one NACK naming f's SSRC and the lost sequence number")
                .singleElement().satisfies(n -> assertThat(n).containsExactly(SSRC[2], lostSeq));
        assertThat(worker.counters.nacksSentUpstream()).isEqualTo(1);
        assertThat(worker.counters.nacksRequested()).isEqualTo(1);

        // Chromium repairs on f's RTX stream (bound by repaired-rid); the original reaches the subscriber at its place.
        receive(rtx(2, 1, f[1]));
        assertThat(subLink.rtp).hasSize(5);
        byte[] repaired = subLink.rtp.getLast();
        assertThat(TestRtp.view(repaired).ssrc()).isEqualTo(consumer.ssrc);
        assertThat(TestRtp.view(repaired).sequenceNumber()).isEqualTo((before + 2) & 0xFFFF);
        assertThat(TestRtp.view(repaired).payloadType()).isEqualTo(96);
        assertThat(TestRtp.payload(repaired)).isEqualTo(TestRtp.payload(f[1]));
        assertThat(worker.counters.nacksRecovered()).isEqualTo(1);

        // It is cached now: the subscriber's next NACK is answered with exactly what it got.
        consumer.rtxPayloadType = -1;
        sub.subscribing.onRtcp(TestRtp.rtcp(TestRtp.nack(0x999, consumer.ssrc, (before + 2) & 0xFFFF, 1, 0)), now());
        assertThat(subLink.rtp).hasSize(6);
        assertThat(subLink.rtp.getLast()).isEqualTo(repaired);

        // Nothing is asked again, and a duplicate repair (a second RTX) is not forwarded twice.
        pub.publishing.tick(now() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
        assertThat(nacksToPublisher()).hasSize(1);
        receive(rtx(2, 2, f[1]));
        assertThat(subLink.rtp).hasSize(6);
    }

    @Test
    void refusesSimulcastItCannotForward() {
        String alternatives = OFFER.replace("a=simulcast:send f;h;q", "a=simulcast:send f,h;q");
        assertThatThrownBy(() -> PublishNegotiation.read(alternatives, Map.of()))
                .isInstanceOf(SfuException.class).hasMessageContaining("alternatives");
    }

    @Test
    void dynacastPausesUnwatchedLayersAfterTheDelayAndResumesAtOnce() {
        allLayers(true);
        sub.subscribing.layerChoice.setPreference("pub", "0", 160, 90, true, null);
        tick();
        long t0 = now();
        pub.publishing.tick(t0);
        assertThat(told).containsExactly(Map.of("q", true, "h", true, "f", true)); // the first word: all on
        pub.publishing.tick(t0 + LayerDemand.PAUSE_DELAY_NANOS / 2);
        assertThat(told).hasSize(1);
        pub.publishing.tick(t0 + LayerDemand.PAUSE_DELAY_NANOS);
        assertThat(told).last().isEqualTo(Map.of("q", true, "h", false, "f", false));
        sub.subscribing.layerChoice.setPreference("pub", "0", 1280, 720, true, null);
        tick();
        pub.publishing.tick(t0 + LayerDemand.PAUSE_DELAY_NANOS + 1);
        assertThat(told).last().isEqualTo(Map.of("q", true, "h", true, "f", true));
        assertThat(worker.counters.layerMasksSent()).isEqualTo(3);
    }

    /** One SSRC, sequence numbers +1 each, picture ids +1 per picture (2 packets each) across switches. */
    static void assertContinuous(List<byte[]> out) {
        Vp8Descriptor vp8 = new Vp8Descriptor();
        int prevSeq = -1;
        int prevPid = -1;
        for (byte[] p : out) {
            RtpPacket rtp = TestRtp.view(p);
            if (prevSeq >= 0) assertThat(rtp.sequenceNumber()).isEqualTo((prevSeq + 1) & 0xFFFF);
            prevSeq = rtp.sequenceNumber();
            assertThat(vp8.parse(p, rtp.payloadOffset(), rtp.payloadLength())).isTrue();
            if (vp8.startOfPicture() && prevPid >= 0) assertThat(vp8.pictureId()).isEqualTo((prevPid + 1) & 0x7FFF);
            if (vp8.startOfPicture()) prevPid = vp8.pictureId();
            else assertThat(vp8.pictureId()).isEqualTo(prevPid);
        }
    }
}
