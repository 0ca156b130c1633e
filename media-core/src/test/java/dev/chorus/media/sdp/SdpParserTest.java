package dev.chorus.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing real Chromium offers, round-tripping them, and refusing hostile SDP with a line number. */
class SdpParserTest {

    @Test
    void parsesRealChromiumOffer() throws Exception {
        SessionDescription s = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        assertThat(s.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("0", "1"));
        assertThat(s.extmapAllowMixed()).isTrue();
        assertThat(s.iceLite()).isFalse();
        assertThat(s.media()).hasSize(2);

        MediaDescription audio = s.media().get(0);
        assertThat(audio.media()).isEqualTo("audio");
        assertThat(audio.protocol()).isEqualTo("UDP/TLS/RTP/SAVPF");
        assertThat(audio.mid()).isEqualTo("0");
        assertThat(audio.rtcpMux()).isTrue();
        assertThat(audio.effectiveDirection()).isEqualTo(Sdp.Direction.SENDRECV);
        assertThat(s.iceUfrag(audio)).hasSizeGreaterThanOrEqualTo(4);
        assertThat(s.icePwd(audio)).hasSizeGreaterThanOrEqualTo(22);
        assertThat(s.setup(audio)).isEqualTo(Sdp.Setup.ACTPASS);
        assertThat(s.fingerprints(audio)).singleElement().satisfies(f -> {
            assertThat(f.hashFunction()).isEqualTo("sha-256");
            assertThat(f.value()).hasSize(32 * 3 - 1);
        });
        assertThat(audio.iceOptions()).contains("trickle");
        assertThat(audio.rtpMap(111)).hasValue(new Sdp.RtpMap(111, "opus", 48000, 2));
        assertThat(audio.fmtp(111).orElseThrow().parameters()).contains("useinbandfec=1");
        assertThat(audio.rtcpFbs(111)).extracting(Sdp.RtcpFb::type).contains("transport-cc");
        assertThat(audio.extmaps()).extracting(Sdp.Extmap::uri).contains("urn:ietf:params:rtp-hdrext:sdes:mid");
        assertThat(audio.msids()).hasSize(1);
        assertThat(audio.ssrcIds()).hasSize(1);
        assertThat(audio.candidates()).isNotEmpty();
        assertThat(audio.candidates()).anySatisfy(c -> {
            assertThat(c.address()).isEqualTo("127.0.0.1");
            assertThat(c.type()).isEqualTo("host");
            assertThat(c.transport()).isEqualTo("udp");
            assertThat(c.component()).isEqualTo(1);
            assertThat(c.priority()).isPositive();
        });

        MediaDescription video = s.media().get(1);
        assertThat(video.mid()).isEqualTo("1");
        assertThat(video.rtpMaps()).extracting(Sdp.RtpMap::encoding).contains("VP8", "rtx");
        assertThat(video.rtcpFbs(96)).extracting(fb -> fb.type() + (fb.parameters() == null ? "" : " " + fb.parameters()))
                .contains("nack", "nack pli", "ccm fir", "goog-remb", "transport-cc");
        assertThat(video.ssrcGroups()).singleElement().satisfies(g -> {
            assertThat(g.semantics()).isEqualTo("FID");
            assertThat(g.ssrcs()).hasSize(2);
        });
    }

    @Test
    void parsesSimulcastOffer() throws Exception {
        SessionDescription s = SdpParser.parse(SdpFixtures.chromiumSimulcastOffer());
        assertThat(s.media()).hasSize(3);
        MediaDescription sim = s.media().get(2);
        assertThat(sim.effectiveDirection()).isEqualTo(Sdp.Direction.SENDONLY);
        assertThat(sim.rids()).extracting(Sdp.Rid::id).containsExactly("q", "h", "f");
        assertThat(sim.rids()).extracting(Sdp.Rid::direction).containsOnly("send");
        assertThat(sim.simulcast().send()).containsExactly(List.of("q"), List.of("h"), List.of("f"));
        assertThat(sim.simulcast().recv()).isEmpty();
    }

    @Test
    void writtenOfferParsesToTheSameModel() throws Exception {
        for (String offer : List.of(SdpFixtures.chromiumAudioVideoOffer(), SdpFixtures.chromiumSimulcastOffer())) {
            SessionDescription a = SdpParser.parse(offer);
            String once = SdpWriter.write(a);
            String twice = SdpWriter.write(SdpParser.parse(once));
            assertThat(twice).isEqualTo(once);
            // Nothing the browser said is lost: same number of a= lines (duplicates kept).
            assertThat(once.lines().filter(l -> l.startsWith("a=")).count())
                    .isEqualTo(offer.lines().filter(l -> l.startsWith("a=")).count());
        }
    }

    @Test
    void lfLineEndingsAreAccepted() throws Exception {
        String lf = SdpFixtures.chromiumAudioVideoOffer().replace("\r\n", "\n");
        assertThat(SdpParser.parse(lf).media()).hasSize(2);
    }

    @Test
    void toStringDoesNotLeakThePassword() throws Exception {
        SessionDescription s = SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer());
        assertThat(s.toString()).doesNotContain(s.icePwd(s.media().get(0)));
    }

    // --- hostile and malformed input ---------------------------------------------------------------------------

    private static final String HEAD = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    private static SdpParseException refuse(String sdp) {
        try {
            SdpParser.parse(sdp);
        } catch (SdpParseException e) {
            return e;
        }
        throw new AssertionError("accepted: " + sdp.substring(0, Math.min(200, sdp.length())));
    }

    /**
     * Fuzzing finding: {@code 111 111} on an m-line was accepted, and the answer then repeated the rtpmap/fmtp
     * lines of 111, which this parser itself refuses. The offer is refused at the m-line instead.
     */
    @Test
    void aPayloadTypeListedTwiceOnTheMLineIsRefused() throws Exception {
        String offer = SdpFixtures.chromiumAudioVideoOffer()
                .replace("m=audio 41386 UDP/TLS/RTP/SAVPF 111 63 9", "m=audio 41386 UDP/TLS/RTP/SAVPF 111 111 63 9");
        assertThat(offer).contains("SAVPF 111 111 63");
        SdpParseException e = refuse(offer);
        assertThat(e.getMessage()).contains("111").contains("twice");
        assertThat(e.line()).isEqualTo(8);
        // listed once, the same offer parses
        assertThat(SdpParser.parse(SdpFixtures.chromiumAudioVideoOffer()).media().getFirst().formats())
                .containsOnlyOnce("111");
    }

    @Test
    void thousandsOfMediaSectionsAreRefused() {
        StringBuilder b = new StringBuilder(HEAD);
        for (int i = 0; i < 5000; i++) {
            b.append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
        }
        SdpParseException e = refuse(b.toString());
        assertThat(e.line()).isEqualTo(4 + SdpLimits.DEFAULT.maxMediaSections() + 1);
        assertThat(e.getMessage()).contains("media sections");
    }

    @Test
    void thousandsOfCandidatesAreRefused() {
        StringBuilder b = new StringBuilder(HEAD).append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
        for (int i = 0; i < 3000; i++) {
            b.append("a=candidate:1 1 udp 2122194687 127.0.0.1 ").append(1000 + i).append(" typ host\r\n");
        }
        assertThat(refuse(b.toString()).getMessage()).contains("candidates");
    }

    @Test
    void oversizedInputLinesAndLineCountsAreRefused() {
        assertThat(refuse("v=0\r\n" + "a=x\r\n".repeat(60_000)).line()).isZero(); // > maxBytes
        SdpLimits small = new SdpLimits(1 << 20, 100, 4096, 128, 128, 128, 16);
        assertThatThrownBy(() -> SdpParser.parse(HEAD + "a=x\r\n".repeat(200), small))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("lines");
        assertThat(refuse(HEAD + "a=tool:" + "x".repeat(10_000) + "\r\n").getMessage()).contains("longer");
    }

    @Test
    void hugeAndOutOfRangeNumbersAreRefused() {
        String m = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        assertThat(refuse(HEAD + "m=audio 99999999999999999999 UDP/TLS/RTP/SAVPF 111\r\n").line()).isEqualTo(5);
        assertThat(refuse(HEAD + "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n").line()).isEqualTo(5);
        assertThat(refuse(HEAD + "m=audio 9 UDP/TLS/RTP/SAVPF 128\r\n").line()).isEqualTo(5);
        assertThat(refuse(HEAD + m + "a=rtpmap:111 opus/99999999999/2\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=ssrc:4294967296 cname:x\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=extmap:0 urn:x\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=extmap:256 urn:x\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=candidate:1 1 udp 4294967296 127.0.0.1 1 typ host\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=candidate:1 1 udp -5 127.0.0.1 1 typ host\r\n").line()).isEqualTo(6);
        assertThat(refuse("v=0\r\no=- 123456789012345678901234 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n").line()).isEqualTo(2);
    }

    @Test
    void malformedLinesAreRefusedWithTheirLineNumber() {
        String m = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        assertThat(refuse("o=- 1 2 IN IP4 127.0.0.1\r\n").line()).isEqualTo(1); // no v=
        assertThat(refuse("v=1\r\n").line()).isEqualTo(1);
        assertThat(refuse(HEAD + "garbage\r\n").line()).isEqualTo(5);
        assertThat(refuse(HEAD + "\r\n" + m).line()).isEqualTo(5);
        assertThat(refuse(HEAD + m + "a=fingerprint:sha-256 ZZ:00\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=setup:sideways\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=ice-ufrag:a b\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=ice-pwd:short\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=candidate:1 1 udp 1 127.0.0.1 1 typ bogus\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=candidate:1 1 udp 1 127.0.0.1\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=candidate:1 1 udp 1 127.0.0.1 1 typ host raddr\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=candidate:1 1 udp 1 evil/host 1 typ host\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=rid:q sideways\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=simulcast:send q;h send f\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=ssrc-group:FID " + "1 ".repeat(40) + "1\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=mid:\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=rtpmap:111 opus\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=x\u0000y\r\n").line()).isEqualTo(6);
        assertThat(refuse(HEAD + m + "a=bad name\r\n").line()).isEqualTo(6);
        assertThat(refuse("v=0\r\ns=-\r\nt=0 0\r\n").line()).isZero(); // no o=
        assertThat(refuse(HEAD + m + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:111 opus/48000/2\r\n").line()).isEqualTo(7);
        assertThat(refuse(HEAD + m + "a=fmtp:111 a=1\r\na=fmtp:111 a=2\r\n").line()).isEqualTo(7);
        assertThat(refuse(HEAD + m + "a=extmap:1 urn:a\r\na=extmap:1 urn:b\r\n").line()).isEqualTo(7);
        assertThat(refuse(HEAD + m + "a=mid:0\r\na=mid:1\r\n").line()).isEqualTo(7);
        assertThat(refuse(HEAD + m + "a=mid:0\r\n" + m + "a=mid:0\r\n").getMessage()).contains("duplicate mid");
    }

    @Test
    void emptyInputIsRefused() {
        assertThatThrownBy(() -> SdpParser.parse("")).isInstanceOf(SdpParseException.class);
        assertThatThrownBy(() -> SdpParser.parse(null)).isInstanceOf(SdpParseException.class);
    }
}
