package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SFU reuses a subscriber's freed (inactive) section for the next track of the same kind. A subscriber that
 * cannot re-activate an inactive transceiver (GStreamer's webrtcbin 1.22: "transceiver direction changes are not
 * implemented"; issue 13, finding B) answers the reused section inactive: the SFU then retires that section and
 * offers the track in a fresh one, which the subscriber accepts and receives. A fresh section it declines is
 * respected (no offer loop). Real UDP/DTLS/SRTP.
 */
@ExtendWith(NettyLeakGuard.class)
class SubscriberSectionReuseTest {
    static final long FIRST_VIDEO = 0x55550001L;
    static final long SECOND_VIDEO = 0x44440001L;

    @RegisterExtension
    final SfuFixture fx = SfuFixture.perTest(SfuConfig.defaults().withWorkers(1));

    /** The subscriber's answer to {@code offer} with section {@code mid} declined (inactive), the others mirrored. */
    static String declining(SfuPeer sub, String offer, String mid) throws Exception {
        var answer = SdpParser.parse(sub.subscriber.answer(offer, true));
        answer.mediaByMid(mid).orElseThrow().direction(Sdp.Direction.INACTIVE);
        return dev.chorus.media.sdp.SdpWriter.write(answer);
    }

    private static Sdp.Direction direction(RecordingParticipantListener.Offer offer, String mid) throws Exception {
        return SdpParser.parse(offer.sdp()).mediaByMid(mid).map(MediaDescription::direction).orElseThrow();
    }

    private static List<Long> ssrcs(RecordingParticipantListener.Offer offer, String mid) throws Exception {
        return SdpParser.parse(offer.sdp()).mediaByMid(mid).orElseThrow().ssrcIds();
    }

    @Test
    void aDeclinedReusedSectionIsRetiredAndTheTrackOfferedInAFreshOne() throws Exception {
        SfuPeer first = fx.join("reuse", "first", MediaRights.all());
        first.publish(List.of(new TestTrack("video", "v", FIRST_VIDEO, -1)));
        SfuPeer sub = fx.join("reuse", "sub", MediaRights.all());
        assertThat(sub.acceptOffer(true).tracks()).extracting(SubscribedTrack::mid).containsExactly("0");

        first.participant.close("left").get(5, TimeUnit.SECONDS);
        RecordingParticipantListener.Offer inactive = sub.acceptOffer(true);
        assertThat(inactive.tracks()).isEmpty();
        assertThat(direction(inactive, "0")).isEqualTo(Sdp.Direction.INACTIVE);

        SfuPeer second = fx.join("reuse", "second", MediaRights.all());
        second.publish(List.of(new TestTrack("video", "v", SECOND_VIDEO, -1)));
        RecordingParticipantListener.Offer reused = sub.events.nextOffer(10_000);
        assertThat(reused.tracks()).extracting(SubscribedTrack::mid).as("the freed section is reused").containsExactly("0");
        sub.participant.answerSubscription(declining(sub, reused.sdp(), "0")).get(10, TimeUnit.SECONDS);

        RecordingParticipantListener.Offer fresh = sub.events.nextOffer(5_000);
        assertThat(fresh).as("the track offered again after the subscriber declined the reused section").isNotNull();
        assertThat(fresh.tracks()).extracting(SubscribedTrack::mid).containsExactly("1");
        assertThat(fresh.tracks()).extracting(t -> t.track().participantId()).containsExactly("second");
        assertThat(direction(fresh, "0")).as("the declined section stays inactive").isEqualTo(Sdp.Direction.INACTIVE);
        assertThat(direction(fresh, "1")).isEqualTo(Sdp.Direction.SENDONLY);
        assertThat(ssrcs(fresh, "1")).as("new SSRCs: a stack may keep the declined section's SSRC binding")
                .doesNotContainAnyElementsOf(ssrcs(reused, "0"));
        sub.participant.answerSubscription(sub.subscriber.answer(fresh.sdp(), true)).get(10, TimeUnit.SECONDS);

        byte[] got = null;
        for (int i = 1; i <= 50 && got == null; i++) {
            second.publisher.sendRtp(TestRtp.rtp(96, i, i * 3000L, SECOND_VIDEO, i, "v", 100));
            got = sub.subscriber.receiveRtp(200);
        }
        assertThat(got).as("the second publisher's packets arrive in the fresh section").isNotNull();
    }

    @Test
    void aDeclinedFreshSectionIsRespected() throws Exception {
        SfuPeer pub = fx.join("fresh", "pub", MediaRights.all());
        pub.publish(List.of(new TestTrack("video", "v", FIRST_VIDEO, -1)));
        SfuPeer sub = fx.join("fresh", "sub", MediaRights.all());
        sub.subscriber = new dev.chorus.media.transport.WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        RecordingParticipantListener.Offer offer = sub.events.nextOffer(10_000);
        sub.participant.answerSubscription(declining(sub, offer.sdp(), "0")).get(10, TimeUnit.SECONDS);
        assertThat(sub.events.nextOffer(500)).as("no new offer for a declined fresh section").isNull();
    }
}
