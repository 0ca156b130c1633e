package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Header extensions are negotiated per m-section and forwarded under the subscriber's ids (issue 11; issue 13
 * defect 4): a publisher that uses one id for abs-send-time on video and audio-level on audio in one BUNDLE (as
 * aiortc does) has each forwarded under the right id, and an extension the SFU does not know, negotiated by both
 * sides, arrives byte-equal. Real UDP/DTLS/SRTP.
 */
@ExtendWith(NettyLeakGuard.class)
class SfuHeaderExtensionTest {
    static final long AUDIO = 0x44440001L;
    static final long VIDEO = 0x44440002L;
    static final String UNKNOWN_URI = "urn:example:chorus-test:opaque";

    @RegisterExtension
    final SfuFixture fx = SfuFixture.perTest(SfuConfig.defaults().withWorkers(1));

    /** Id 2 is audio-level on audio and abs-send-time on video; id 7 an unknown extension on video. */
    static String aiortcStyle(String offer) {
        String s = offer.replace("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
        return s.replace("a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n",
                "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\na=extmap:7 " + UNKNOWN_URI + "\r\n");
    }

    static int idIn(SessionDescription sd, String mid, String uri) {
        MediaDescription m = sd.mediaByMid(mid).orElseThrow();
        return m.extmaps().stream().filter(e -> e.uri().equals(uri)).mapToInt(Sdp.Extmap::id).findFirst().orElse(0);
    }

    @Test
    void oneIdForDifferentExtensionsPerSectionAndAnUnknownOneAreForwardedUnderTheSubscribersIds() throws Exception {
        SfuPeer pub = fx.join("x", "pub", MediaRights.all());
        pub.publisher = new dev.chorus.media.transport.WebRtcTestClient(fx.sfu.media().candidates().getFirst());
        String offer = aiortcStyle(pub.publisher.publishOffer(List.of(new TestTrack("audio", "a", AUDIO, -1),
                new TestTrack("video", "v", VIDEO, -1))));
        String answer = pub.participant.publish(offer).get(10, TimeUnit.SECONDS);
        assertThat(idIn(SdpParser.parse(answer), "v", UNKNOWN_URI)).as("the unknown extension accepted").isEqualTo(7);
        pub.publisher.connect(answer);
        SfuPeer.await(() -> pub.events.connected.contains(TransportRole.PUBLISH), "publish transport connected");

        SfuPeer sub = fx.join("x", "sub", MediaRights.all());
        RecordingParticipantListener.Offer subOffer = sub.acceptOffer(true);
        SessionDescription so = SdpParser.parse(subOffer.sdp());
        String audioMid = subOffer.tracks().stream().filter(t -> t.track().trackId().equals("a")).findFirst().orElseThrow().mid();
        String videoMid = subOffer.tracks().stream().filter(t -> t.track().trackId().equals("v")).findFirst().orElseThrow().mid();
        int subAudioLevel = idIn(so, audioMid, SectionExtensions.AUDIO_LEVEL_URI);
        int subAbsSendTime = idIn(so, videoMid, SectionExtensions.ABS_SEND_TIME_URI);
        int subUnknown = idIn(so, videoMid, UNKNOWN_URI);
        assertThat(subAudioLevel).isPositive();
        assertThat(subAbsSendTime).isPositive().isNotEqualTo(subAudioLevel);
        assertThat(subUnknown).as("the unknown extension offered to the subscriber").isPositive()
                .isNotIn(subAudioLevel, subAbsSendTime);

        byte[] level = {(byte) 0x85};
        byte[] sendTime = {0x12, 0x34, 0x56};
        byte[] opaque = {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 0x01};
        byte[] audio = null;
        byte[] video = null;
        for (int i = 1; i <= 60 && (audio == null || video == null); i++) {
            // audio: id 2 = audio-level (1 byte); video: id 2 = abs-send-time (3 bytes), id 7 = unknown (5 bytes)
            pub.publisher.sendRtp(TestRtp.rtpWithExtensions(111, i, i * 960L, AUDIO,
                    new byte[] {0x20, level[0]}, 40));
            pub.publisher.sendRtp(TestRtp.rtpWithExtensions(96, i, i * 3000L, VIDEO, new byte[] {
                    0x22, sendTime[0], sendTime[1], sendTime[2],
                    0x74, opaque[0], opaque[1], opaque[2], opaque[3], opaque[4]}, 100));
            for (byte[] got; (got = sub.subscriber.receiveRtp(100)) != null; ) {
                if (TestRtp.view(got).payloadType() == 111) audio = got;
                else video = got;
            }
        }
        assertThat(audio).as("audio forwarded").isNotNull();
        assertThat(video).as("video forwarded").isNotNull();
        assertThat(TestRtp.extension(audio, subAudioLevel)).as("audio-level under the subscriber's id").isEqualTo(level);
        assertThat(TestRtp.extension(audio, subAbsSendTime)).as("no abs-send-time invented on audio").isNull();
        assertThat(TestRtp.extension(video, subAbsSendTime)).as("abs-send-time under the subscriber's id").isEqualTo(sendTime);
        assertThat(TestRtp.extension(video, subUnknown)).as("the unknown extension, byte-equal").isEqualTo(opaque);
        if (subAudioLevel != subAbsSendTime) {
            assertThat(TestRtp.extension(video, subAudioLevel)).as("no audio-level on video").isNull();
        }
    }
}
