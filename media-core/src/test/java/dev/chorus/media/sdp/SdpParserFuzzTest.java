package dev.chorus.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.media.ice.IceCredentials;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz harness of the SDP parser, the answer builder and the writer (offers come from any client). Contract: the
 * parser returns a model or throws {@link SdpParseException}; what we write from a model parses again to the same
 * text; the answer builder answers or throws {@link SdpNegotiationException}, and every answer we build parses with
 * our own parser (an offer must not make us write what we would refuse). No other exception, bounded work.
 */
class SdpParserFuzzTest {
    private static final IceCredentials CREDS = IceCredentials.generate();
    private static final Sdp.Fingerprint FP = new Sdp.Fingerprint("sha-256", "AB:CD");

    @FuzzTest
    void parseWriteAnswer(byte[] data) {
        check(new String(data, StandardCharsets.UTF_8));
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(byte[] data) {
        check(new String(data, StandardCharsets.UTF_8));
    }

    /** Checks one offer text; returns true when it parsed and was answered. */
    static boolean check(String text) {
        SessionDescription sd;
        try {
            sd = SdpParser.parse(text);
        } catch (SdpParseException e) {
            assertThat(e.line()).isBetween(0, text.length());
            return false;
        }
        String written = SdpWriter.write(sd);
        try {
            assertThat(SdpWriter.write(SdpParser.parse(written)).lines().toList())
                    .as("re-written output").containsExactlyElementsOf(written.lines().toList());
        } catch (SdpParseException e) {
            throw new AssertionError("our own output does not parse: " + e.getMessage(), e);
        }
        SessionDescription answer;
        try {
            answer = new SdpAnswerBuilder(sd, CREDS, FP).candidate(new InetSocketAddress("127.0.0.1", 9999))
                    .codecs("opus", "VP8").build();
        } catch (SdpNegotiationException expected) {
            return false; // nothing acceptable, lite offerer, wrong setup, missing credentials
        }
        try {
            SdpParser.parse(SdpWriter.write(answer));
        } catch (SdpParseException e) {
            throw new AssertionError("our answer does not parse: " + e.getMessage(), e);
        }
        return true;
    }
}
