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
 * Subscriber offer versions on the real SFU (real UDP, ICE, DTLS, SRTP): the race the 30-minute soak found. The
 * subscribe transport closes while an offer is outstanding; the SFU withdraws that offer and sends the next one at
 * once; the client's answer to the withdrawn offer, already on its way, arrives after it. Checked against the new
 * offer it was refused ({@code answer lacks mid 2}) and withdrew that one too; with the version it names it is
 * ignored, and the answer to the new offer settles the call in one round.
 */
@ExtendWith(NettyLeakGuard.class)
class StaleSubscriberAnswerTest {
    static final long A_VIDEO = 0x5A1E0001L;
    static final long B_VIDEO = 0x5A1E0002L;
    static final long C_VIDEO = 0x5A1E0003L;

    @RegisterExtension
    final SfuFixture fx = SfuFixture.perTest(SfuConfig.defaults().withWorkers(1));
    SfuPeer b;
    SfuPeer c;
    /** Sequence numbers go on across calls of {@link #receives} (SRTP never protects the same index twice). */
    int seq = 1;

    private SfuPeer publisher(String room, String id, long ssrc) throws Exception {
        SfuPeer p = fx.join(room, id, MediaRights.all());
        p.publish(List.of(new TestTrack("video", "v", ssrc, -1)));
        return p;
    }

    private void receives(SfuPeer pub, long ssrc, WebRtcTestClient sub) throws Exception {
        byte[] got = null;
        for (int i = 0; i < 50 && got == null; i++, seq++) {
            pub.publisher.sendRtp(TestRtp.rtp(96, seq, seq * 3000L, ssrc, seq, "v", 100));
            got = sub.receiveRtp(200);
        }
        assertThat(got).as("a packet of %08x forwarded", ssrc).isNotNull();
    }

    /** An offer of {@code sub} is outstanding (two tracks), and a third track waits for its answer. */
    private RecordingParticipantListener.Offer outstandingOfferWithAChangeWaiting(String room, SfuPeer sub)
            throws Exception {
        b = publisher(room, "b", B_VIDEO);
        RecordingParticipantListener.Offer second = sub.events.nextOffer(10_000);
        assertThat(second.tracks()).hasSize(2);
        c = publisher(room, "c", C_VIDEO);
        assertThat(sub.events.nextOffer(300)).as("one offer outstanding at a time").isNull();
        return second;
    }

    @Test
    void anAnswerToAnOfferWithdrawnWhenTheTransportClosedIsIgnoredAndTheNextOfferSettlesTheCall() throws Exception {
        SfuPeer a = publisher("race", "a", A_VIDEO);
        SfuPeer sub = fx.join("race", "sub", MediaRights.all());
        RecordingParticipantListener.Offer first = sub.acceptOffer(true);
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.sdp()).as("the version is the SDP's session version").containsPattern("(?m)^o=- \\d+ 1 ");
        receives(a, A_VIDEO, sub.subscriber);

        RecordingParticipantListener.Offer second = outstandingOfferWithAChangeWaiting("race", sub);
        assertThat(second.version()).isEqualTo(2);
        String answerToSecond = sub.subscriber.answer(second.sdp(), true); // on its way while…
        sub.subscriber.closeDtls(); // …the subscribe transport closes
        SfuPeer.await(() -> sub.events.transportClosed.contains("SUBSCRIBE:DTLS_CLOSED"), "subscribe transport closed");
        RecordingParticipantListener.Offer third = sub.events.nextOffer(10_000);
        assertThat(third.version()).isEqualTo(3);
        assertThat(third.tracks()).as("the re-offer has the waiting track too").hasSize(3);

        assertThat(sub.participant.answerSubscription(answerToSecond, second.version()).get(10, TimeUnit.SECONDS))
                .isEqualTo(SubscriberAnswerOutcome.IGNORED_STALE);
        assertThat(fx.sfu.sum(SfuCounters::staleSubscriberAnswers)).isEqualTo(1);
        assertThat(sub.events.nextOffer(300)).as("the stale answer withdrew nothing").isNull();

        sub.subscriber.close();
        sub.subscriber = new WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        assertThat(sub.participant.answerSubscription(sub.subscriber.answer(third.sdp(), true), third.version())
                .get(10, TimeUnit.SECONDS)).isEqualTo(SubscriberAnswerOutcome.APPLIED);
        sub.subscriber.connect(third.sdp());
        SfuPeer.await(() -> sub.events.connected.stream().filter(TransportRole.SUBSCRIBE::equals).count() == 2,
                "the new subscribe transport connected");
        receives(a, A_VIDEO, sub.subscriber);
        receives(b, B_VIDEO, sub.subscriber);
        receives(c, C_VIDEO, sub.subscriber);
        assertThat(sub.events.nextOffer(300)).as("settled: no further offer").isNull();
    }

    /** A version never sent is refused and withdraws nothing: the right answer to the outstanding offer still applies. */
    @Test
    void anAnswerNamingAVersionNeverSentIsRefusedAndTheOutstandingOfferStays() throws Exception {
        SfuPeer a = publisher("future", "a", A_VIDEO);
        SfuPeer sub = fx.join("future", "sub", MediaRights.all());
        RecordingParticipantListener.Offer first = sub.events.nextOffer(10_000);
        sub.subscriber = new WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        String answer = sub.subscriber.answer(first.sdp(), true);
        assertThat(sub.participant.answerSubscription(answer, first.version() + 1)).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOfSatisfying(SfuException.class, e -> {
                    assertThat(e.code()).isEqualTo(SfuException.Code.UNKNOWN_OFFER_VERSION);
                    assertThat(e.getMessage()).contains("version 2, which was never sent (the last one is 1)");
                });
        assertThat(sub.events.nextOffer(300)).as("nothing withdrawn, nothing re-offered").isNull();
        assertThat(sub.participant.answerSubscription(answer, first.version()).get(10, TimeUnit.SECONDS))
                .isEqualTo(SubscriberAnswerOutcome.APPLIED);
        sub.subscriber.connect(first.sdp());
        SfuPeer.await(() -> sub.events.connected.contains(TransportRole.SUBSCRIBE), "subscribe transport connected");
        receives(a, A_VIDEO, sub.subscriber);
    }

    /**
     * A client that sends no version (older SDKs) keeps today's behaviour: its answer is checked against whatever
     * offer is outstanding, so in the race its answer to the withdrawn offer is refused and the offer withdrawn.
     */
    @Test
    void anUnversionedAnswerIsCheckedAgainstTheOutstandingOfferAsBefore() throws Exception {
        publisher("old", "a", A_VIDEO);
        SfuPeer sub = fx.join("old", "sub", MediaRights.all());
        sub.acceptOffer(true);
        RecordingParticipantListener.Offer second = outstandingOfferWithAChangeWaiting("old", sub);
        String answerToSecond = sub.subscriber.answer(second.sdp(), true);
        sub.subscriber.closeDtls();
        RecordingParticipantListener.Offer third = sub.events.nextOffer(10_000);
        assertThat(third.tracks()).hasSize(3);
        assertThat(sub.participant.answerSubscription(answerToSecond)).failsWithin(10, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOfSatisfying(SfuException.class, e -> {
                    assertThat(e.code()).isEqualTo(SfuException.Code.NEGOTIATION_FAILED);
                    assertThat(e.getMessage()).isEqualTo("answer lacks mid 2");
                });
        assertThat(sub.events.nextOffer(10_000).version()).as("withdrawn and offered again").isEqualTo(4);
        assertThat(fx.sfu.sum(SfuCounters::staleSubscriberAnswers)).isZero();
    }
}
