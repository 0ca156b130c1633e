package dev.chorus.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.media.ice.IceCredentials;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers to real Chromium offers: ICE-lite, passive DTLS, our credentials, matching mids and codecs; they round-trip. */
class SdpAnswerBuilderTest {
    private static final Sdp.Fingerprint FP = new Sdp.Fingerprint("sha-256",
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
    private final IceCredentials creds = IceCredentials.generate();
    private final InetSocketAddress candidate = new InetSocketAddress("127.0.0.1", 40123);

    @Test
    void answersRealChromiumOffer() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        SessionDescription answer = new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8").build();
        String text = SdpWriter.write(answer);
        SessionDescription parsed = SdpParser.parse(text);
        assertThat(SdpWriter.write(parsed)).isEqualTo(text);

        assertThat(parsed.iceLite()).isTrue();
        assertThat(parsed.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("0", "1"));
        assertThat(parsed.media()).extracting(MediaDescription::mid).containsExactly("0", "1");
        for (MediaDescription m : parsed.media()) {
            assertThat(parsed.setup(m)).isEqualTo(Sdp.Setup.PASSIVE);
            assertThat(parsed.iceUfrag(m)).isEqualTo(creds.ufrag());
            assertThat(parsed.icePwd(m)).isEqualTo(creds.pwd());
            assertThat(parsed.fingerprints(m)).containsExactly(FP);
            assertThat(m.rtcpMux()).isTrue();
            assertThat(m.port()).isEqualTo(40123);
            assertThat(m.candidates()).singleElement().satisfies(c -> {
                assertThat(c.address()).isEqualTo("127.0.0.1");
                assertThat(c.port()).isEqualTo(40123);
                assertThat(c.type()).isEqualTo("host");
                assertThat(c.foundation()).isEqualTo("1");
                assertThat(c.priority()).isEqualTo(Sdp.Candidate.hostPriority(65535));
            });
            assertThat(m.direction()).isEqualTo(Sdp.Direction.SENDRECV);
        }
        MediaDescription audio = parsed.media().get(0);
        assertThat(audio.rtpMaps()).extracting(Sdp.RtpMap::encoding).containsExactly("opus");
        assertThat(audio.formats()).containsExactly("111");
        MediaDescription video = parsed.media().get(1);
        assertThat(video.rtpMaps()).extracting(Sdp.RtpMap::encoding).containsExactly("VP8", "rtx");
        int vp8 = video.rtpMaps().get(0).payloadType();
        int rtx = video.rtpMaps().get(1).payloadType();
        // The payload types are the offer's own numbers.
        MediaDescription offeredVideo = offer.media().get(1);
        assertThat(offeredVideo.rtpMap(vp8).orElseThrow().encoding()).isEqualTo("VP8");
        assertThat(video.fmtp(rtx).orElseThrow().parameters()).isEqualTo("apt=" + vp8);
        assertThat(video.rtcpFbs(vp8)).isNotEmpty();
        assertThat(video.extmaps()).extracting(Sdp.Extmap::uri)
                .contains("urn:ietf:params:rtp-hdrext:sdes:mid")
                .doesNotContain("urn:3gpp:video-orientation");
        // Extension ids are the offer's.
        for (Sdp.Extmap e : video.extmaps()) {
            assertThat(offeredVideo.extmaps()).anyMatch(o -> o.id() == e.id() && o.uri().equals(e.uri()));
        }
    }

    @Test
    void answersSimulcastWithRecvRids() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumSimulcastOffer());
        SessionDescription answer = SdpParser.parse(SdpWriter.write(
                new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8").build()));
        MediaDescription sim = answer.media().get(2);
        assertThat(sim.direction()).isEqualTo(Sdp.Direction.RECVONLY);
        assertThat(sim.rids()).extracting(Sdp.Rid::id).containsExactly("q", "h", "f");
        assertThat(sim.rids()).extracting(Sdp.Rid::direction).containsOnly("recv");
        assertThat(sim.simulcast().recv()).containsExactly(List.of("q"), List.of("h"), List.of("f"));
        assertThat(answer.media()).extracting(MediaDescription::mid).containsExactly("0", "1", "2");
    }

    @Test
    void sectionWithoutAcceptedCodecIsRejectedAndLeavesTheBundle() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        SessionDescription answer = new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus").build();
        assertThat(answer.media().get(1).port()).isZero();
        assertThat(answer.media().get(1).isRejected()).isTrue();
        assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0");
        SdpParser.parse(SdpWriter.write(answer));
    }

    @Test
    void sendStreamsAreAnnounced() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        SessionDescription answer = new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8")
                .sendStream("1", new SdpAnswerBuilder.SendStream(1111, 2222, "sfu", "s1", "t1")).build();
        MediaDescription v = SdpParser.parse(SdpWriter.write(answer)).media().get(1);
        assertThat(v.ssrcIds()).containsExactly(1111L, 2222L);
        assertThat(v.ssrcGroups()).containsExactly(new Sdp.SsrcGroup("FID", List.of(1111L, 2222L)));
        assertThat(v.msids()).containsExactly(new Sdp.Msid("s1", "t1"));
    }

    @Test
    void nothingAcceptableIsANegotiationError() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        assertThatThrownBy(() -> new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("AV1X").build())
                .isInstanceOf(SdpNegotiationException.class);
    }

    @Test
    void passiveOfferIsANegotiationError() throws Exception {
        String passive = SdpFixtures.chromiumAudioVideoOffer().replace("a=setup:actpass", "a=setup:passive");
        SessionDescription offer = SdpParser.parse(passive);
        assertThatThrownBy(() -> new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus").build())
                .isInstanceOf(SdpNegotiationException.class);
    }

    @Test
    void liteOffererIsANegotiationError() throws Exception {
        String lite = SdpFixtures.chromiumAudioVideoOffer().replace("a=extmap-allow-mixed\r\n", "a=extmap-allow-mixed\r\na=ice-lite\r\n");
        SessionDescription offer = SdpParser.parse(lite);
        assertThat(offer.iceLite()).isTrue();
        assertThatThrownBy(() -> new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus").build())
                .isInstanceOf(SdpNegotiationException.class);
    }

    /**
     * An offer without BUNDLE (bundlePolicy "disable": one transport per section) is refused with the reason: Chorus
     * runs one transport per connection, so answering it as if bundled would leave every section but one waiting
     * for a transport that never comes (issue 13, finding A: werift without BUNDLE).
     */
    @Test
    void offerWithSectionsOnSeparateTransportsIsRefusedWithTheReason() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer().replace("a=group:BUNDLE 0 1\r\n", ""));
        assertThatThrownBy(() -> new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8").build())
                .isInstanceOf(SdpNegotiationException.class)
                .hasMessage("the offer puts media sections 0, 1 on separate transports (no BUNDLE group); Chorus needs "
                        + "every section in one BUNDLE group (RTCPeerConnection bundlePolicy \"max-bundle\" or \"balanced\")");
        SessionDescription partly = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer().replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0"));
        assertThatThrownBy(() -> new SdpAnswerBuilder(partly, creds, FP).candidate(candidate).codecs("opus", "VP8").build())
                .isInstanceOf(SdpNegotiationException.class).hasMessageContaining("not bundled: 1");
    }

    /** One used section needs no BUNDLE group: it has the connection's only transport to itself. */
    @Test
    void oneUsedSectionWithoutBundleIsAnswered() throws Exception {
        SessionDescription offer = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer().replace("a=group:BUNDLE 0 1\r\n", ""));
        SessionDescription answer = new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus").build();
        assertThat(answer.media().get(0).isRejected()).isFalse();
        assertThat(answer.media().get(1).isRejected()).isTrue();
        assertThat(answer.bundleGroup()).isEmpty();
    }
}
