package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rights enforced by the worker (SECURITY-CHECKLIST 20, 21, 22, 41) on real UDP/DTLS/SRTP. */
@ExtendWith(NettyLeakGuard.class)
class SfuRightsTest {
    static final long P_VIDEO = 0x22220001L;
    static final long Q_AUDIO = 0x33330001L;

    @RegisterExtension
    final SfuFixture fixture = SfuFixture.perTest(SfuConfig.defaults().withWorkers(1));

    SfuPeer join(String id, MediaRights rights) throws Exception {
        return fixture.join("room", id, rights);
    }

    static Throwable cause(Throwable t) {
        return t instanceof ExecutionException ? t.getCause() : t;
    }

    /** Receives RTP until {@code millis} pass without any; returns the packets. */
    static List<byte[]> drain(WebRtcTestClient c, long millis) throws InterruptedException {
        List<byte[]> got = new ArrayList<>();
        byte[] p;
        while ((p = c.receiveRtp(millis)) != null) got.add(p);
        return got;
    }

    void sendPaced(SfuPeer pub, long ssrc, int pt, String mid, int from, int count, WebRtcTestClient watch,
                   int watchExpectedBase) throws Exception {
        for (int i = from; i < from + count; i++) {
            pub.publisher.sendRtp(TestRtp.rtp(pt, i, i * 960L, ssrc, i, mid, 200));
            if (watch != null && (i - from) % 50 == 49) {
                int expected = watchExpectedBase + i - from + 1;
                SfuPeer.await(() -> watch.bufferedMedia() >= expected, "control subscriber got " + expected);
            }
        }
    }

    @Test
    void subscribersWithoutRightsOrDeniedByPolicyGetNoOfferAndNoPacketOfTheTrack() throws Exception {
        SfuPeer p = join("p", MediaRights.all());
        SfuPeer q = join("q", MediaRights.all());
        p.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        q.publish(List.of(new TestTrack("audio", "a", Q_AUDIO, -1)));

        SfuPeer allowed = join("allowed", MediaRights.all());
        SfuPeer noSubscribe = join("no-subscribe", MediaRights.all().withSubscribe(false, SubscribePolicy.ALL));
        // Peer policy: may receive q, never p.
        SfuPeer denied = join("denied", MediaRights.all().withSubscribe(true, t -> !t.participantId().equals("p")));

        RecordingParticipantListener.Offer offer = allowed.acceptOffer(true);
        assertThat(offer.tracks()).extracting(t -> t.track().participantId()).containsExactlyInAnyOrder("p", "q");
        RecordingParticipantListener.Offer deniedOffer = denied.acceptOffer(true);
        assertThat(deniedOffer.tracks()).extracting(t -> t.track().participantId()).containsExactly("q");
        assertThat(deniedOffer.sdp()).doesNotContain("m=video");
        assertThat(denied.events.published).extracting(TrackInfo::participantId).containsExactly("q");
        assertThat(noSubscribe.events.nextOffer(300)).isNull();
        assertThat(noSubscribe.events.published).isEmpty();

        sendPaced(p, P_VIDEO, 96, "v", 0, 1000, allowed.subscriber, 0);
        sendPaced(q, Q_AUDIO, 111, "a", 0, 50, null, 0);
        SfuPeer.await(() -> allowed.subscriber.bufferedMedia() >= 1050, "allowed got everything");

        List<byte[]> deniedGot = drain(denied.subscriber, 500);
        assertThat(deniedGot).hasSize(50).allSatisfy(b -> assertThat(TestRtp.view(b).payloadType()).isEqualTo(111));
        List<byte[]> allowedGot = drain(allowed.subscriber, 300);
        assertThat(allowedGot.stream().filter(b -> TestRtp.view(b).payloadType() == 96)).hasSize(1000);
    }

    @Test
    void updateRightsRemovingSubscribeStopsForwardingAndUnsubscribes() throws Exception {
        SfuPeer p = join("p", MediaRights.all());
        p.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        SfuPeer s = join("s", MediaRights.all());
        s.acceptOffer(true);

        sendPaced(p, P_VIDEO, 96, "v", 0, 200, s.subscriber, 0);
        assertThat(drain(s.subscriber, 300)).hasSize(200);

        s.participant.updateRights(MediaRights.all().withSubscribe(false, SubscribePolicy.NONE)).get(5, TimeUnit.SECONDS);
        assertThat(s.events.unpublished).containsExactly("p/v:SUBSCRIBE_RIGHTS_REVOKED");
        RecordingParticipantListener.Offer renegotiation = s.events.nextOffer(5000);
        assertThat(renegotiation.tracks()).isEmpty();
        assertThat(renegotiation.sdp()).contains("a=inactive");

        sendPaced(p, P_VIDEO, 96, "v", 200, 1000, null, 0);
        SfuPeer.await(() -> fixture.sfu.sum(SfuCounters::packetsIn) >= 1200, "worker saw all packets");
        assertThat(drain(s.subscriber, 500)).isEmpty();

        // Granting it back offers the track again.
        s.participant.answerSubscription(s.subscriber.answer(renegotiation.sdp(), true)).get(5, TimeUnit.SECONDS);
        s.participant.updateRights(MediaRights.all()).get(5, TimeUnit.SECONDS);
        RecordingParticipantListener.Offer again = s.events.nextOffer(5000);
        assertThat(again.tracks()).extracting(t -> t.track().trackId()).containsExactly("v");
    }

    @Test
    void publishingAKindThatIsNotGrantedIsRefusedWithoutCreatingState() throws Exception {
        SfuPeer cameraless = join("c", MediaRights.all().withPublish(true, false, false));
        WebRtcTestClient client = new WebRtcTestClient(fixture.media.localAddress());
        fixture.closeLater(client);
        int before = fixture.media.openTransports();
        assertThatThrownBy(() -> cameraless.participant.publish(
                client.publishOffer(List.of(new TestTrack("video", "v", P_VIDEO, -1)))).get(5, TimeUnit.SECONDS))
                .satisfies(t -> assertThat(((SfuException) cause(t)).code()).isEqualTo(SfuException.Code.PUBLISH_NOT_ALLOWED));
        // Screen share without the screen right (a video section declared as screen), audio-only is fine.
        assertThatThrownBy(() -> cameraless.participant.publish(
                client.publishOffer(List.of(new TestTrack("video", "s", P_VIDEO, -1))),
                java.util.Map.of("s", TrackKind.SCREEN)).get(5, TimeUnit.SECONDS))
                .satisfies(t -> assertThat(((SfuException) cause(t)).code()).isEqualTo(SfuException.Code.PUBLISH_NOT_ALLOWED));
        assertThat(fixture.media.openTransports()).isEqualTo(before);
        assertThat(cameraless.events.published).isEmpty();

        String answer = cameraless.participant.publish(
                client.publishOffer(List.of(new TestTrack("audio", "a", Q_AUDIO, -1)))).get(5, TimeUnit.SECONDS);
        assertThat(answer).contains("a=recvonly");
        assertThat(cameraless.events.published).extracting(TrackInfo::kind).containsExactly(TrackKind.AUDIO);
    }

    @Test
    void tooManyTracksAreRefusedAndTheBitrateCapIsAnnouncedAndPoliced() throws Exception {
        SfuPeer capped = join("c", MediaRights.all().withLimits(1, 100));
        WebRtcTestClient client = new WebRtcTestClient(fixture.media.localAddress());
        fixture.closeLater(client);
        assertThatThrownBy(() -> capped.participant.publish(client.publishOffer(List.of(
                new TestTrack("audio", "a", Q_AUDIO, -1), new TestTrack("video", "v", P_VIDEO, -1)))).get(5, TimeUnit.SECONDS))
                .satisfies(t -> assertThat(((SfuException) cause(t)).code()).isEqualTo(SfuException.Code.TOO_MANY_TRACKS));

        capped.publisher = client;
        String answer = capped.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        assertThat(answer).contains("b=AS:100").contains("b=TIAS:100000");
        SfuPeer s = join("s", MediaRights.all());
        s.acceptOffer(true);
        // 100 kbit/s × 1.5 tolerance ≈ 18.75 KB/s burst: 200 packets of ~1.2 KB at once exceed it.
        for (int i = 0; i < 200; i++) client.sendRtp(TestRtp.rtp(96, i, i * 3000L, P_VIDEO, i, "v", 1200));
        SfuPeer.await(() -> fixture.sfu.sum(SfuCounters::packetsIn) >= 200, "worker saw all packets");
        long overBitrate = fixture.sfu.sum(c -> c.drops(SfuDropReason.OVER_BITRATE));
        assertThat(overBitrate).isGreaterThan(150);
        assertThat(drain(s.subscriber, 300)).hasSize((int) (200 - overBitrate));
    }
}
