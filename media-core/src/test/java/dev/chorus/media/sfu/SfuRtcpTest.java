package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RTCP on real UDP/DTLS/SRTP: keyframe requests (new subscriber, PLI dedup and rate limit: checklist 42), NACKs
 * answered from the retransmission cache (RTX and plain; huge ranges within budget), transport-cc feedback and
 * receiver reports to the publisher, sender reports to subscribers. The SFU's clock is the real one plus an offset
 * the test moves forward, so rate windows are decided by the test, not by the machine's speed.
 */
@ExtendWith(NettyLeakGuard.class)
class SfuRtcpTest {
    static final long P_VIDEO = 0x44440001L;
    static final long P_RTX = 0x44440002L;
    static final long KEYFRAME_INTERVAL_MS = 60_000;

    final AtomicLong offset = new AtomicLong();
    MediaTransportServer media;
    Sfu sfu;
    final List<AutoCloseable> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        media = new MediaTransportServer(MediaTransportConfig.loopback(), DtlsCertificate.generate("sfu-test")).start();
        SfuConfig config = SfuConfig.defaults().withWorkers(1).withKeyframeMinIntervalMillis(KEYFRAME_INTERVAL_MS)
                .withNackBudget(500, 32).withRtcpIntervalMillis(200, 50);
        sfu = new Sfu(config, media, () -> System.nanoTime() + offset.get()).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable p : peers) p.close();
        sfu.stop();
        media.stop();
    }

    SfuPeer join(String id) throws Exception {
        SfuPeer p = SfuPeer.join(sfu, "room", id, MediaRights.all());
        peers.add(p);
        return p;
    }

    void advance(long millis) {
        offset.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** PLIs for {@code ssrc} in the RTCP the publisher receives within {@code millis}. */
    static int plisWithin(WebRtcTestClient publisher, long ssrc, long millis) throws InterruptedException {
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            byte[] rtcp = publisher.receiveRtcp(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (rtcp == null) break;
            n += TestRtp.count(rtcp, (c, i) -> c.isPli(i) && c.mediaSsrc(i) == ssrc);
        }
        publisher.clearRtpBacklog();
        return n;
    }

    /** Waits until the publisher got {@code expected} PLIs (or 10 s). */
    static int awaitPlis(WebRtcTestClient publisher, long ssrc, int expected) throws InterruptedException {
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (n < expected && System.nanoTime() < deadline) {
            byte[] rtcp = publisher.receiveRtcp(200);
            if (rtcp != null) n += TestRtp.count(rtcp, (c, i) -> c.isPli(i) && c.mediaSsrc(i) == ssrc);
        }
        return n;
    }

    /** The SSRC the SFU sends a track with to a subscriber (first a=ssrc of the section). */
    static long[] subscriberSsrcs(String offerSdp) throws Exception {
        MediaDescription m = SdpParser.parse(offerSdp).media().stream().filter(x -> x.media().equals("video")).findFirst().orElseThrow();
        Sdp.SsrcGroup fid = m.ssrcGroups().getFirst();
        return new long[] {fid.ssrcs().get(0), fid.ssrcs().get(1)};
    }

    @Test
    void newSubscriberTriggersAPliAndSubscriberPlisAreDeduplicatedAndRateLimited() throws Exception {
        SfuPeer pub = join("pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, P_RTX)));
        SfuPeer s1 = join("s1");
        s1.acceptOffer(true);
        // A new video subscriber starts receiving: the publisher is asked for a keyframe.
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).isEqualTo(1);

        SfuPeer s2 = join("s2");
        s2.acceptOffer(true);
        // Inside the interval: coalesced, sent when the interval ends.
        assertThat(plisWithin(pub.publisher, P_VIDEO, 500)).isZero();
        advance(KEYFRAME_INTERVAL_MS + 1000);
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).isEqualTo(1);

        advance(KEYFRAME_INTERVAL_MS + 1000);
        long s1Ssrc = subscriberSsrcs(s1.lastOffer.sdp())[0];
        long s2Ssrc = subscriberSsrcs(s2.lastOffer.sdp())[0];
        // Two subscribers (and a flood from one) within the window → one PLI to the publisher now ...
        s1.subscriber.sendRtcp(TestRtp.pli(0x51, s1Ssrc));
        s2.subscriber.sendRtcp(TestRtp.pli(0x52, s2Ssrc));
        for (int i = 0; i < 20; i++) s1.subscriber.sendRtcp(TestRtp.pli(0x51, s1Ssrc));
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).isEqualTo(1);
        SfuPeer.await(() -> sfu.sum(SfuCounters::keyframeRequestsReceived) >= 22, "PLIs reached the worker");
        assertThat(plisWithin(pub.publisher, P_VIDEO, 500)).isZero();
        // ... and the rest coalesced into exactly one more when the interval ends.
        advance(KEYFRAME_INTERVAL_MS + 1000);
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).isEqualTo(1);
        assertThat(plisWithin(pub.publisher, P_VIDEO, 500)).isZero();
        assertThat(sfu.sum(SfuCounters::plisSent)).isEqualTo(4);

        // FIR is a keyframe request too: same budget.
        advance(KEYFRAME_INTERVAL_MS + 1000);
        for (int i = 0; i < 10; i++) s2.subscriber.sendRtcp(TestRtp.fir(0x52, s2Ssrc, i));
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).isEqualTo(1);
        assertThat(plisWithin(pub.publisher, P_VIDEO, 500)).isZero();
    }

    /**
     * A subscriber whose RTCP stops for longer than {@link SubscriberRtcp#SILENCE_NANOS} lost its path (a
     * blackout): what was forwarded meanwhile is gone and its decoder needs a key frame, so the publisher is asked for
     * one as soon as the subscriber is heard again, without waiting for the subscriber's own PLI. RTCP at the usual
     * pace asks for nothing.
     */
    @Test
    void aSubscriberHeardAgainAfterASilenceGetsAKeyFrameAskedOfThePublisher() throws Exception {
        SfuPeer pub = join("pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, P_RTX)));
        SfuPeer s1 = join("s1");
        s1.acceptOffer(true);
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).as("the new subscriber's key frame").isEqualTo(1);
        advance(KEYFRAME_INTERVAL_MS + 1000);

        long rtcp = sfu.sum(SfuCounters::rtcpIn);
        for (int i = 0; i < 3; i++) {
            s1.subscriber.sendRtcp(TestRtp.rr(0x51));
            long expected = rtcp + i + 1;
            SfuPeer.await(() -> sfu.sum(SfuCounters::rtcpIn) >= expected, "receiver report reached the worker");
            advance(1000); // a receiver report a second, as Chromium sends them
        }
        assertThat(plisWithin(pub.publisher, P_VIDEO, 500)).as("regular RTCP asks for nothing").isZero();

        advance(TimeUnit.NANOSECONDS.toMillis(SubscriberRtcp.SILENCE_NANOS)); // the subscriber's path is cut
        s1.subscriber.sendRtcp(TestRtp.rr(0x51));
        assertThat(awaitPlis(pub.publisher, P_VIDEO, 1)).as("key frame asked when the subscriber is back").isEqualTo(1);
        assertThat(plisWithin(pub.publisher, P_VIDEO, 500)).isZero();
    }

    @Test
    void nacksAreAnsweredFromTheCacheAsRtxOrPlainAndHugeRangesStayWithinBudget() throws Exception {
        SfuPeer pub = join("pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, P_RTX)));
        SfuPeer rtx = join("rtx");
        rtx.acceptOffer(true);
        SfuPeer plain = join("plain");
        plain.acceptOffer(false);

        int packets = 200;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < packets; i++) {
            byte[] p = TestRtp.rtp(96, 1000 + i, 90_000L + 3000L * i, P_VIDEO, i, "v", 300);
            sent.add(p);
            pub.publisher.sendRtp(p);
            if (i % 50 == 49) {
                int expected = i + 1;
                SfuPeer.await(() -> rtx.subscriber.bufferedMedia() >= expected && plain.subscriber.bufferedMedia() >= expected, "forwarded");
            }
        }
        List<byte[]> rtxGot = new ArrayList<>();
        List<byte[]> plainGot = new ArrayList<>();
        for (int i = 0; i < packets; i++) {
            rtxGot.add(rtx.subscriber.receiveRtp(5000));
            if (i == 190) {
                assertThat(plain.subscriber.loseNextRtp(5000)).isTrue(); // lost on the way to the plain subscriber
                plainGot.add(null);
            } else {
                plainGot.add(plain.subscriber.receiveRtp(5000));
            }
        }
        long[] rtxSsrcs = subscriberSsrcs(rtx.lastOffer.sdp());
        long[] plainSsrcs = subscriberSsrcs(plain.lastOffer.sdp());

        // RTX subscriber: NACK for its packet #10 → RTX (PT 97, RTX SSRC, OSN + original payload).
        int seq10 = TestRtp.view(rtxGot.get(10)).sequenceNumber();
        rtx.subscriber.sendRtcp(TestRtp.nack(0x61, rtxSsrcs[0], seq10, 1, 0));
        byte[] repaired = rtx.subscriber.receiveRtp(5000);
        assertThat(repaired).isNotNull();
        RtpPacket r = TestRtp.view(repaired);
        assertThat(r.ssrc()).isEqualTo(rtxSsrcs[1]);
        assertThat(r.payloadType()).isEqualTo(97);
        byte[] rtxPayload = TestRtp.payload(repaired);
        assertThat(((rtxPayload[0] & 0xFF) << 8) | (rtxPayload[1] & 0xFF)).isEqualTo(seq10);
        assertThat(java.util.Arrays.copyOfRange(rtxPayload, 2, rtxPayload.length)).isEqualTo(TestRtp.payload(sent.get(10)));
        assertThat(r.timestamp()).isEqualTo(TestRtp.view(rtxGot.get(10)).timestamp());

        // Plain subscriber (no RTX negotiated): its lost packet #190 again, same SSRC and sequence number.
        int pseq = (TestRtp.view(plainGot.get(189)).sequenceNumber() + 1) & 0xFFFF;
        plain.subscriber.sendRtcp(TestRtp.nack(0x62, plainSsrcs[0], pseq, 1, 0));
        byte[] again = plain.subscriber.receiveRtp(5000);
        assertThat(again).as("answered %d missed %d over %d, client replays %d, send failures %d",
                sfu.sum(SfuCounters::nacksAnswered), sfu.sum(SfuCounters::nacksMissed), sfu.sum(SfuCounters::nacksOverBudget),
                plain.subscriber.srtpStats().replays, sfu.sum(SfuCounters::sendFailures)).isNotNull();
        assertThat(TestRtp.view(again).ssrc()).isEqualTo(plainSsrcs[0]);
        assertThat(TestRtp.view(again).sequenceNumber()).isEqualTo(pseq);
        assertThat(TestRtp.payload(again)).isEqualTo(TestRtp.payload(sent.get(190)));

        // A NACK naming 100 × 17 = 1,700 packets: at most nackMaxPerRequest (32) retransmissions.
        int first = TestRtp.view(rtxGot.getFirst()).sequenceNumber();
        long overBefore = sfu.sum(SfuCounters::nacksOverBudget);
        rtx.subscriber.sendRtcp(TestRtp.nack(0x61, rtxSsrcs[0], first, 100, 0xFFFF));
        int retransmitted = 0;
        byte[] p;
        while ((p = rtx.subscriber.receiveRtp(500)) != null) {
            if (TestRtp.view(p).ssrc() == rtxSsrcs[1]) retransmitted++;
        }
        assertThat(retransmitted).isEqualTo(32);
        assertThat(sfu.sum(SfuCounters::nacksOverBudget) - overBefore).isGreaterThanOrEqualTo(1700 - 32 - 200);
        assertThat(sfu.sum(SfuCounters::nacksAnswered)).isEqualTo(2 + 32);
    }

    @Test
    void aPacketLostOnTheWayInIsNackedToThePublisherByTheSfuItselfAndItsRtxRepairReachesTheSubscriber() throws Exception {
        SfuPeer pub = join("pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, P_RTX)));
        SfuPeer sub = join("sub");
        sub.acceptOffer(true);
        // Packet 5 is "lost" between publisher and SFU: never sent.
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] p = TestRtp.rtp(96, 500 + i, 3000L * i, P_VIDEO, i, "v", 200);
            sent.add(p);
            if (i != 5) pub.publisher.sendRtp(p);
        }
        int s4 = 0;
        for (int i = 0; i < 9; i++) {
            byte[] got = sub.subscriber.receiveRtp(5000);
            if (i == 4) s4 = TestRtp.view(got).sequenceNumber();
        }
        long[] ssrcs = subscriberSsrcs(sub.lastOffer.sdp());
        // No subscriber NACK is needed: the SFU saw the hole (504 → 506) and asks by itself.
        int nackedSeq = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (nackedSeq < 0 && System.nanoTime() < deadline) {
            byte[] rtcp = pub.publisher.receiveRtcp(500);
            if (rtcp == null) continue;
            RtcpCompound c = TestRtp.rtcp(rtcp);
            for (int i = 0; i < c.packetCount(); i++) {
                if (c.isNack(i) && c.mediaSsrc(i) == P_VIDEO) nackedSeq = c.nackPid(i, 0);
            }
        }
        pub.publisher.clearRtpBacklog();
        assertThat(nackedSeq).as("NACK to the publisher, in its own sequence numbers").isEqualTo(505);
        // The publisher repairs with RTX (OSN 505); the SFU forwards the original to the subscriber.
        byte[] original = sent.get(5);
        byte[] rtx = new byte[original.length + 2];
        System.arraycopy(original, 0, rtx, 0, 24);
        rtx[24] = (byte) (505 >> 8);
        rtx[25] = (byte) 505;
        System.arraycopy(original, 24, rtx, 26, original.length - 24);
        rtx[1] = 97;
        rtx[2] = 0; rtx[3] = 1; // RTX sequence number
        TestRtp.put32(rtx, 8, P_RTX);
        pub.publisher.sendRtp(rtx);
        byte[] repaired = sub.subscriber.receiveRtp(5000);
        assertThat(repaired).isNotNull();
        assertThat(TestRtp.view(repaired).sequenceNumber()).isEqualTo((s4 + 1) & 0xFFFF);
        assertThat(TestRtp.view(repaired).ssrc()).isEqualTo(ssrcs[0]);
        assertThat(TestRtp.payload(repaired)).isEqualTo(TestRtp.payload(original));
        SfuPeer.await(() -> sfu.sum(SfuCounters::nacksRecovered) == 1, "the repair counted as recovered");
        assertThat(sfu.sum(SfuCounters::nacksSentUpstream)).isPositive();
    }

    @Test
    void publisherGetsTransportCcFeedbackAndReceiverReportsAndSubscribersGetSenderReports() throws Exception {
        SfuPeer pub = join("pub");
        String answer = pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, P_RTX)));
        assertThat(answer).contains("transport-wide-cc").contains("a=rtcp-fb:96 transport-cc");
        SfuPeer sub = join("sub");
        sub.acceptOffer(true);

        for (int i = 0; i < 50; i++) pub.publisher.sendRtp(TestRtp.rtp(96, i, 3000L * i, P_VIDEO, 7000 + i, "v", 200));
        int statuses = 0;
        int firstBase = -1;
        boolean receiverReport = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((statuses < 50 || !receiverReport) && System.nanoTime() < deadline) {
            byte[] rtcp = pub.publisher.receiveRtcp(500);
            if (rtcp == null) continue;
            RtcpCompound c = TestRtp.rtcp(rtcp);
            for (int i = 0; i < c.packetCount(); i++) {
                if (c.isTransportCc(i)) {
                    if (firstBase < 0) firstBase = c.transportCcBaseSequence(i);
                    statuses += c.transportCcStatusCount(i);
                }
                if (c.packetType(i) == RtcpCompound.RR && c.reportBlockCount(i) > 0) {
                    assertThat(c.blockSsrc(i, 0)).isEqualTo(P_VIDEO);
                    receiverReport = true;
                }
            }
        }
        pub.publisher.clearRtpBacklog();
        assertThat(firstBase).isEqualTo(7000);
        assertThat(statuses).isEqualTo(50);
        assertThat(receiverReport).isTrue();
        assertThat(sfu.sum(SfuCounters::transportCcFeedbacksSent)).isPositive();

        long subSsrc = subscriberSsrcs(sub.lastOffer.sdp())[0];
        boolean senderReport = false;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!senderReport && System.nanoTime() < deadline) {
            byte[] rtcp = sub.subscriber.receiveRtcp(500);
            if (rtcp == null) continue;
            RtcpCompound c = TestRtp.rtcp(rtcp);
            for (int i = 0; i < c.packetCount(); i++) {
                // Reports sent while packets were still arriving count fewer; the latest counts all 50.
                if (c.packetType(i) == RtcpCompound.SR && c.senderSsrc(i) == subSsrc && c.srPacketCount(i) == 50) {
                    senderReport = true;
                }
            }
        }
        assertThat(senderReport).isTrue();
    }
}
