package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who receives whom ({@link Room#snapshot}) on real UDP/DTLS/SRTP: the snapshot lists the participants, each one's
 * tracks and every track's receivers; the rates come from what was forwarded; the loss and jitter are the
 * subscriber's receiver report; the round trip is measured from our sender report to the report that echoes it,
 * minus the delay the subscriber says it held it (DLSR). The SFU's clock is the real one plus a test-moved offset.
 */
@ExtendWith(NettyLeakGuard.class)
class SfuSnapshotTest {
    static final long P_VIDEO = 0x55550001L;
    static final long P_RTX = 0x55550002L;
    static final long P_AUDIO = 0x55550003L;

    final AtomicLong offset = new AtomicLong();
    @RegisterExtension
    final SfuFixture fx = SfuFixture.perTest(SfuConfig.defaults().withWorkers(1).withRtcpIntervalMillis(1000, 50),
                () -> System.nanoTime() + offset.get());

    SfuPeer join(String id, MediaRights rights) throws Exception {
        return fx.join("room", id, rights);
    }

    RoomSnapshot snapshot() throws Exception {
        return fx.sfu.room("room").orElseThrow().snapshot().get(5, TimeUnit.SECONDS);
    }

    @Test
    void snapshotListsParticipantsTracksAndReceiversWithRateLossJitterAndRoundTrip() throws Exception {
        SfuPeer pub = join("pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, P_RTX), new TestTrack("audio", "a", P_AUDIO, -1)));
        SfuPeer s1 = join("s1", MediaRights.all());
        s1.acceptOffer(true);
        // s2 may receive audio only: it is a receiver of "a", not of "v"
        SfuPeer s2 = join("s2", MediaRights.all().withSubscribe(true, track -> track.kind() == TrackKind.AUDIO));
        s2.acceptOffer(true);
        SfuPeer.await(() -> {
            try {
                RoomSnapshot s = snapshot();
                return s.participants().stream().mapToInt(RoomSnapshot.ParticipantView::receiving).sum() == 3;
            } catch (Exception e) {
                return false;
            }
        }, "three consumers active");

        // the publisher keeps sending (50 packets/s), so every one-second rate interval sees traffic
        Thread sender = Thread.ofPlatform().daemon().start(() -> {
            for (int i = 0; i < 3_000 && !Thread.currentThread().isInterrupted(); i++) {
                try {
                    pub.publisher.sendRtp(TestRtp.rtp(96, i, 3000L * i, P_VIDEO, 100 + i, "v", 500));
                    Thread.sleep(20); // the pace of a real encoder
                } catch (Exception e) {
                    return;
                }
            }
        });
        try {
            check(pub, s1, s2);
        } finally {
            sender.interrupt();
            sender.join(2_000);
        }
    }

    void check(SfuPeer pub, SfuPeer s1, SfuPeer s2) throws Exception {
        SfuPeer.await(() -> fx.sfu.sum(SfuCounters::packetsForwarded) >= 50, "video forwarded");
        SfuPeer.await(() -> {
            try {
                RoomSnapshot.TrackView v = track(snapshot(), "pub", "v");
                return v.bitrateBps() > 0 && receiver(v, "s1").bitrateBps() > 0;
            } catch (Exception e) {
                return false;
            }
        }, "rates sampled");

        // s1 answers the SFU's latest sender report: 25 % loss, jitter 900 units (10 ms at 90 kHz), held 100 ms
        long s1Ssrc = SfuRtcpTest.subscriberSsrcs(s1.lastOffer.sdp())[0];
        long lsr = lastSenderReportCompactNtp(s1, s1Ssrc);
        advance(300);
        s1.subscriber.sendRtcp(receiverReport(0x5151, s1Ssrc, 64, 7, 900, lsr, 65536 / 10));
        SfuPeer.await(() -> {
            try {
                return receiver(track(snapshot(), "pub", "v"), "s1").rttMs() >= 0;
            } catch (Exception e) {
                return false;
            }
        }, "round trip measured");

        RoomSnapshot snap = snapshot();
        assertThat(snap.roomId()).isEqualTo("room");
        assertThat(snap.participants()).extracting(RoomSnapshot.ParticipantView::participantId)
                .containsExactly("pub", "s1", "s2");
        RoomSnapshot.ParticipantView p = snap.participants().getFirst();
        assertThat(p.publishing()).extracting(RoomSnapshot.TrackView::trackId).containsExactly("v", "a");
        RoomSnapshot.TrackView video = track(snap, "pub", "v");
        assertThat(video.kind()).isEqualTo(TrackKind.VIDEO);
        assertThat(video.packets()).isGreaterThanOrEqualTo(50);
        assertThat(video.bitrateBps()).isPositive();
        assertThat(video.receivers()).extracting(RoomSnapshot.ReceiverView::participantId).containsExactly("s1");
        assertThat(track(snap, "pub", "a").receivers()).extracting(RoomSnapshot.ReceiverView::participantId)
                .containsExactlyInAnyOrder("s1", "s2");

        RoomSnapshot.ReceiverView r = receiver(video, "s1");
        assertThat(r.active()).isTrue();
        assertThat(r.layer()).as("a single-stream track has no layers").isNull();
        assertThat(r.packets()).isGreaterThanOrEqualTo(50).isLessThanOrEqualTo(video.packets());
        assertThat(r.bitrateBps()).as("at most what was sent: 500 payload bytes 50 times a second").isPositive().isLessThan(400_000);
        assertThat(r.fractionLost()).isEqualTo(0.25);
        assertThat(r.packetsLost()).isEqualTo(7);
        assertThat(r.jitterMs()).isEqualTo(10.0);
        // 300 ms of the SFU's clock passed between the report and the answer, 100 ms of it held by the subscriber
        assertThat(r.rttMs()).isBetween(200.0, 200.0 + 3_000.0);
        // nothing reported yet on the audio stream nobody sent
        RoomSnapshot.ReceiverView silent = receiver(track(snap, "pub", "a"), "s2");
        assertThat(silent.fractionLost()).isEqualTo(-1);
        assertThat(silent.rttMs()).isEqualTo(-1);
        assertThat(snap.participants().get(1).receiving()).isEqualTo(2);
        assertThat(snap.participants().get(2).receiving()).isEqualTo(1);
        assertThat(snap.participants().get(1).estimateBps()).as("no REMB yet").isEqualTo(-1);

        // a receiver that leaves is gone from the next snapshot
        s2.participant.close("left").get(5, TimeUnit.SECONDS);
        assertThat(track(snapshot(), "pub", "a").receivers()).extracting(RoomSnapshot.ReceiverView::participantId)
                .containsExactly("s1");
    }

    void advance(long millis) {
        offset.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    static RoomSnapshot.TrackView track(RoomSnapshot s, String participant, String trackId) {
        return s.participants().stream().filter(p -> p.participantId().equals(participant)).findFirst().orElseThrow()
                .publishing().stream().filter(t -> t.trackId().equals(trackId)).findFirst().orElseThrow();
    }

    static RoomSnapshot.ReceiverView receiver(RoomSnapshot.TrackView t, String participant) {
        return t.receivers().stream().filter(r -> r.participantId().equals(participant)).findFirst().orElseThrow();
    }

    /**
     * The middle 32 bits of the NTP time of the freshest sender report the subscriber got for {@code ssrc}: the
     * queue is drained first (an old report may have waited there), then the next one is awaited if none was queued.
     */
    static long lastSenderReportCompactNtp(SfuPeer sub, long ssrc) throws Exception {
        long latest = -1;
        byte[] queued;
        while ((queued = sub.subscriber.receiveRtcp(1)) != null) {
            long v = senderReportNtp(queued, ssrc);
            if (v >= 0) latest = v;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (latest < 0 && System.nanoTime() < deadline) {
            byte[] rtcp = sub.subscriber.receiveRtcp(500);
            if (rtcp != null) latest = senderReportNtp(rtcp, ssrc);
        }
        if (latest < 0) throw new AssertionError("no sender report for " + Long.toHexString(ssrc));
        return latest;
    }

    private static long senderReportNtp(byte[] rtcp, long ssrc) {
        RtcpCompound c = TestRtp.rtcp(rtcp);
        for (int i = 0; i < c.packetCount(); i++) {
            if (c.packetType(i) == RtcpCompound.SR && c.senderSsrc(i) == ssrc) return (c.srNtpTimestamp(i) >>> 16) & 0xFFFFFFFFL;
        }
        return -1;
    }

    /** RFC 3550 receiver report with one block. */
    static byte[] receiverReport(long sender, long media, int fraction, int lost, long jitter, long lsr, long dlsr) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.put((byte) 0x81).put((byte) RtcpCompound.RR).putShort((short) 7).putInt((int) sender);
        b.putInt((int) media).put((byte) fraction).put((byte) (lost >>> 16)).putShort((short) lost);
        b.putInt(1234).putInt((int) jitter).putInt((int) lsr).putInt((int) dlsr);
        return b.array();
    }
}
