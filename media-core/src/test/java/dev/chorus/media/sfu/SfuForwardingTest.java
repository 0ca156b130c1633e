package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SFU on real UDP (127.0.0.1) with real ICE, DTLS and SRTP: one publisher, twenty subscribers, exact
 * accounting of every packet after decryption and re-encryption.
 */
@ExtendWith(NettyLeakGuard.class)
class SfuForwardingTest {
    static final long PUB_VIDEO = 0x11110001L;
    static final long PUB_RTX = 0x11110002L;

    @RegisterExtension
    final SfuFixture fixture = SfuFixture.perTest(SfuConfig.defaults().withWorkers(2));

    SfuPeer join(String room, String id, MediaRights rights) throws Exception {
        return fixture.join(room, id, rights);
    }

    @Test
    void onePublisherTwentySubscribersReceiveEveryPacketInOrderWithStableRewrittenStreams() throws Exception {
        SfuPeer pub = join("r1", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", PUB_VIDEO, PUB_RTX)));
        assertThat(pub.events.published).extracting(TrackInfo::trackId).containsExactly("v");

        int subscribers = 20;
        List<SfuPeer> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            SfuPeer s = join("r1", "sub" + i, MediaRights.all());
            RecordingParticipantListener.Offer offer = s.acceptOffer(true);
            assertThat(offer.tracks()).singleElement().satisfies(t -> {
                assertThat(t.track().participantId()).isEqualTo("pub");
                assertThat(t.track().kind()).isEqualTo(TrackKind.VIDEO);
            });
            subs.add(s);
        }
        // Listener callbacks run on the room's worker thread.
        assertThat(subs.getFirst().events.threads).allSatisfy(t -> assertThat(t.getName()).startsWith("chorus-sfu-worker-"));

        int packets = 300;
        long ts0 = 1_000_000;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < packets; i++) {
            int seq = (65_500 + i) & 0xFFFF; // crosses the 16-bit wrap
            byte[] p = TestRtp.rtp(96, seq, ts0 + 3000L * i, PUB_VIDEO, i, "v", 400);
            sent.add(p);
            pub.publisher.sendRtp(p);
            if (i % 25 == 24) {
                int expected = i + 1;
                // Pace the sender on what the subscribers' sockets have taken in (no loss on loopback).
                SfuPeer.await(() -> subs.stream().allMatch(s -> s.subscriber.bufferedMedia() >= expected),
                        "subscribers received " + expected);
            }
        }
        for (SfuPeer s : subs) {
            long ssrc = -1;
            int firstSeq = -1;
            long firstTs = -1;
            for (int i = 0; i < packets; i++) {
                byte[] got = s.subscriber.receiveRtp(5000);
                assertThat(got).as("%s packet %d", s.id, i).isNotNull();
                RtpPacket v = TestRtp.view(got);
                if (i == 0) {
                    ssrc = v.ssrc();
                    firstSeq = v.sequenceNumber();
                    firstTs = v.timestamp();
                    assertThat(ssrc).isNotEqualTo(PUB_VIDEO);
                }
                assertThat(v.ssrc()).isEqualTo(ssrc);
                assertThat(v.payloadType()).isEqualTo(96);
                assertThat(v.sequenceNumber()).as("%s seq of %d", s.id, i).isEqualTo((firstSeq + i) & 0xFFFF);
                assertThat(v.timestamp()).isEqualTo((firstTs + 3000L * i) & 0xFFFFFFFFL);
                assertThat(TestRtp.payload(got)).as("%s payload %d", s.id, i).isEqualTo(TestRtp.payload(sent.get(i)));
                // mid is the publisher's section: stripped; transport-cc renumbered for the subscriber's transport.
                assertThat(v.findExtension(4)).isEqualTo(-1);
                assertThat(v.findExtension(3)).isNotEqualTo(-1);
            }
            assertThat(s.subscriber.srtpStats().authFailures).isZero();
        }
        long forwarded = fixture.sfu.sum(SfuCounters::packetsForwarded);
        assertThat(forwarded).isEqualTo((long) packets * subscribers);
        assertThat(fixture.sfu.sum(c -> c.drops(SfuDropReason.QUEUE_FULL))).isZero();
    }

    @Test
    void unannouncedSsrcIsDropped() throws Exception {
        SfuPeer pub = join("r2", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", PUB_VIDEO, PUB_RTX)));
        SfuPeer sub = join("r2", "sub", MediaRights.all());
        sub.acceptOffer(true);
        for (int i = 0; i < 20; i++) pub.publisher.sendRtp(TestRtp.rtp(96, i, i * 3000L, 0x0BADL, i, "v", 100));
        pub.publisher.sendRtp(TestRtp.rtp(96, 100, 0, PUB_VIDEO, 20, "v", 100));
        byte[] got = sub.subscriber.receiveRtp(5000);
        assertThat(got).isNotNull();
        assertThat(TestRtp.payload(got)).isEqualTo(TestRtp.payload(TestRtp.rtp(96, 100, 0, PUB_VIDEO, 20, "v", 100)));
        SfuPeer.await(() -> fixture.sfu.sum(c -> c.drops(SfuDropReason.UNKNOWN_SSRC)) == 20, "20 unknown-SSRC drops");
        assertThat(sub.subscriber.receiveRtp(300)).isNull();
    }

    @Test
    void malformedRtpAfterDecryptionIsDroppedAndTheStreamGoesOn() throws Exception {
        SfuPeer pub = join("r3", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", PUB_VIDEO, PUB_RTX)));
        SfuPeer sub = join("r3", "sub", MediaRights.all());
        sub.acceptOffer(true);
        // Padding longer than the packet (checklist 40): authenticates fine, fails the header check after decryption.
        byte[] bad = TestRtp.rtp(96, 1, 0, PUB_VIDEO, 1, "v", 16);
        bad[0] = (byte) 0xB0;
        bad[bad.length - 1] = (byte) 250;
        pub.publisher.sendRtp(bad);
        byte[] good = TestRtp.rtp(96, 2, 3000, PUB_VIDEO, 2, "v", 100);
        pub.publisher.sendRtp(good);
        byte[] got = sub.subscriber.receiveRtp(5000);
        assertThat(got).isNotNull();
        assertThat(TestRtp.payload(got)).isEqualTo(TestRtp.payload(good));
        assertThat(fixture.sfu.sum(c -> c.drops(SfuDropReason.MALFORMED))).isEqualTo(1);
    }
}
