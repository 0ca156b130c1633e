package dev.chorus.server.interop;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * aiortc (Python, Debian's python3-aiortc, DTLS through pyOpenSSL, SRTP AES_CM_128_HMAC_SHA1_80 only) as a Chorus
 * participant inside a network namespace, paired with real Chromium: aiortc re-encodes the recorded VP8 + Opus with
 * its own encoders and Chromium decodes it; Chromium publishes its fake camera and microphone and aiortc DECODES
 * them (frames out of its VP8 and Opus decoders). ECDSA (aiortc's default) and RSA certificates.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AiortcInteropTest extends NamespacedStackTest {
    @BeforeAll
    static void requireStack() {
        Stacks.requirePythonModules("python3-aiortc python3-websockets", "aiortc", "websockets");
    }

    @ParameterizedTest(name = "cert={0}")
    @ValueSource(strings = {"ecdsa", "rsa"})
    void aiortcAndChromiumDecodeEachOtherOverUdp(String cert) throws Exception {
        exchange("aiortc", "aiortc-udp-" + cert, "all", client(cert));
    }

    /** Relay-only through Chorus's TURN, whose media address is a private one (issue 13 defect 3: the relay must permit it). */
    @Test
    void aiortcAndChromiumDecodeEachOtherThroughTheTurnRelay() throws Exception {
        exchange("aiortc", "aiortc-relay", "relay", client("ecdsa"));
    }

    /**
     * aiortc ↔ aiortc: aiortc maps extension id 2 to abs-send-time on video and to ssrc-audio-level on audio in the
     * same BUNDLE. Issue 13 defect 4: header-extension ids were mapped per publisher, not per m-section, and the
     * receiving aiortc got extension bytes that did not match the id and closed its transport.
     */
    @Test
    void twoAiortcParticipantsDecodeEachOther() throws Exception {
        List<String> base = List.of("--base", server.pageUrl(), "--room", "aiortc-pair", "--seconds", "80");
        try (StackClient a = start("aiortc-a", base); StackClient b = start("aiortc-b", base)) {
            String aId = a.awaitJoined(45), bId = b.awaitJoined(45);
            StackPairs.assertStackReceives(a, bId);
            StackPairs.assertStackReceives(b, aId);
        }
    }

    private static StackClient start(String identity, List<String> base) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(client("ecdsa"));
        command.addAll(base);
        command.addAll(List.of("--identity", identity));
        return StackClient.start(identity, netns.exec(command), java.util.Map.of());
    }

    private static List<String> client(String cert) {
        return List.of(Stacks.PYTHON.toString(), "-u", "aiortc-client.py", "--cert", cert);
    }

    /** The stack stays while its only publisher leaves and a new one joins, and receives the new one. */
    @Test
    void aiortcKeepsReceivingAfterItsOnlyPublisherLeftAndANewOneJoined() throws Exception {
        rejoin("aiortc", "aiortc-rejoin", client("ecdsa"));
    }

}
