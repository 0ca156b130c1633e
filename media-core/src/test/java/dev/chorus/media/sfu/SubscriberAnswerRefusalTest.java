package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13 defect 2: a refused subscriber answer withdraws the offer it answered, so later changes are offered
 * again (a refused answer used to leave the offer outstanding, and no offer ever came again). Real UDP/DTLS/SRTP.
 */
@ExtendWith(NettyLeakGuard.class)
class SubscriberAnswerRefusalTest {
    static final long P1_VIDEO = 0x66660001L;
    static final long P2_VIDEO = 0x77770001L;

    @RegisterExtension
    final SfuFixture fx = SfuFixture.perTest(SfuConfig.defaults().withWorkers(1));

    /** Every m-line at port 0: the answer rejects every section (as libdatachannel answered an all-inactive offer). */
    static String rejectingEverySection(String answer) {
        return answer.replaceAll("(?m)^m=(\\w+) \\d+ ", "m=$1 0 ");
    }

    private static void refuse(SfuPeer sub, String answer) {
        assertThat(sub.participant.answerSubscription(answer)).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOfSatisfying(SfuException.class,
                        e -> assertThat(e.code()).isIn(SfuException.Code.NEGOTIATION_FAILED, SfuException.Code.BAD_SDP));
    }

    /** Answers {@code offer} properly, connects the subscribe transport, and checks a packet of {@code ssrc}'s flows. */
    private static void acceptAndReceive(SfuPeer pub, long ssrc, SfuPeer sub, RecordingParticipantListener.Offer offer)
            throws Exception {
        boolean first = !sub.events.connected.contains(TransportRole.SUBSCRIBE);
                sub.participant.answerSubscription(sub.subscriber.answer(offer.sdp(), true)).get(10, TimeUnit.SECONDS);
        if (first) {
            sub.subscriber.connect(offer.sdp());
            SfuPeer.await(() -> sub.events.connected.contains(TransportRole.SUBSCRIBE), "subscribe transport connected");
        }
        byte[] got = null;
        for (int i = 1; i <= 50 && got == null; i++) {
            pub.publisher.sendRtp(TestRtp.rtp(96, i, i * 3000L, ssrc, i, "v", 100));
            got = sub.subscriber.receiveRtp(200);
        }
        assertThat(got).as("a forwarded packet after the new offer was accepted").isNotNull();
    }

    @Test
    void aRefusedOfferWithTracksIsOfferedAgainAtOnce() throws Exception {
        SfuPeer pub = fx.join("r", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", P1_VIDEO, -1)));
        SfuPeer sub = fx.join("r", "sub", MediaRights.all());
        RecordingParticipantListener.Offer first = sub.events.nextOffer(10_000);
        assertThat(first.tracks()).hasSize(1);
        sub.subscriber = new WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        refuse(sub, rejectingEverySection(sub.subscriber.answer(first.sdp(), true)));

        RecordingParticipantListener.Offer again = sub.events.nextOffer(5_000);
        assertThat(again).as("a new offer after the refusal").isNotNull();
        assertThat(again.tracks()).extracting(t -> t.track().trackId()).containsExactly("v");
        acceptAndReceive(pub, P1_VIDEO, sub, again);
    }

    @Test
    void anUnparsableAnswerAlsoWithdrawsTheOffer() throws Exception {
        SfuPeer pub = fx.join("u", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", P1_VIDEO, -1)));
        SfuPeer sub = fx.join("u", "sub", MediaRights.all());
        assertThat(sub.events.nextOffer(10_000)).isNotNull();
        sub.subscriber = new WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        refuse(sub, "v=0\r\nnot sdp\r\n");
        RecordingParticipantListener.Offer again = sub.events.nextOffer(5_000);
        assertThat(again).as("a new offer after the refusal").isNotNull();
        acceptAndReceive(pub, P1_VIDEO, sub, again);
    }

    @Test
    void aRefusedAllInactiveOfferIsNotRepeatedButTheNextPublisherIsOffered() throws Exception {
        SfuPeer first = fx.join("i", "first", MediaRights.all());
        first.publish(List.of(new TestTrack("video", "v", P1_VIDEO, -1)));
        SfuPeer sub = fx.join("i", "sub", MediaRights.all());
        sub.acceptOffer(true);

        first.participant.close("left").get(5, TimeUnit.SECONDS);
        RecordingParticipantListener.Offer inactive = sub.events.nextOffer(10_000);
        assertThat(inactive.tracks()).isEmpty();
        refuse(sub, rejectingEverySection(sub.subscriber.answer(inactive.sdp(), true)));
        assertThat(sub.events.nextOffer(500)).as("no offer/refusal loop for an offer without tracks").isNull();

        SfuPeer second = fx.join("i", "second", MediaRights.all());
        second.publish(List.of(new TestTrack("video", "v", P2_VIDEO, -1)));
        RecordingParticipantListener.Offer next = sub.events.nextOffer(10_000);
        assertThat(next).as("the next publisher is offered after the refusal").isNotNull();
        assertThat(next.tracks()).extracting(t -> t.track().participantId()).containsExactly("second");
        acceptAndReceive(second, P2_VIDEO, sub, next);
    }

    /**
     * An answer that does not bundle the sections it accepts (a subscriber with bundlePolicy "disable") would need a
     * transport per section; Chorus runs one, so the answer is refused with that reason, and offered again (issue 13,
     * finding A). The bundled answer to the new offer then receives media.
     */
    @Test
    void anAnswerWithoutBundleIsRefusedWithTheReasonAndOfferedAgain() throws Exception {
        SfuPeer pub = fx.join("b", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("audio", "a", P1_VIDEO + 1, -1), new TestTrack("video", "v", P1_VIDEO, -1)));
        SfuPeer sub = fx.join("b", "sub", MediaRights.all());
        RecordingParticipantListener.Offer first = sub.events.nextOffer(10_000);
        assertThat(first.tracks()).hasSize(2);
        sub.subscriber = new WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        String unbundled = sub.subscriber.answer(first.sdp(), true).replaceAll("(?m)^a=group:BUNDLE[^\r\n]*\r?\n", "");
        assertThat(sub.participant.answerSubscription(unbundled)).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOfSatisfying(SfuException.class, e -> {
                    assertThat(e.code()).isEqualTo(SfuException.Code.NEGOTIATION_FAILED);
                    assertThat(e.getMessage()).startsWith("the answer puts media sections ")
                            .contains("on separate transports (no BUNDLE group)");
                });
        RecordingParticipantListener.Offer again = sub.events.nextOffer(5_000);
        assertThat(again).as("a new offer after the refusal").isNotNull();
        acceptAndReceive(pub, P1_VIDEO, sub, again);
    }
}
