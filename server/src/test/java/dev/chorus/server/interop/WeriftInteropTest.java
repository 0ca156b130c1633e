package dev.chorus.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.transport.ChromiumHarness;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * werift (pure TypeScript, npm) as a Chorus participant on loopback, paired with real Chromium in one room: werift
 * publishes recorded VP8 + Opus and Chromium decodes it; Chromium publishes its fake camera and microphone and werift
 * receives well-formed VP8 frames and Opus packets. Over host candidates and relay-only through Chorus's TURN, with
 * an ECDSA or an RSA DTLS certificate (werift signs CertificateVerify with ecdsa_secp256r1_sha256 / rsa_pkcs1_sha256).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WeriftInteropTest {
    static InteropServer server;
    static Browser chromium;

    @BeforeAll
    static void start() throws Exception {
        Stacks.requireNodePackage("werift");
        ChromiumHarness.require();
        server = InteropServer.start("127.0.0.1", Map.of());
        chromium = Browser.of(ChromiumHarness.browse(server.pageUrl()));
    }

    @AfterAll
    static void stop() {
        try (AutoCloseable s = server; AutoCloseable c = chromium) {
            // both closed
        } catch (Exception ignored) {
            // teardown
        }
    }

    /**
     * Issue 14: werift's own SCTP opens the SDK's data channels and exchanges messages with Chromium ({@link DataPairs}).
     * Not met yet: in three runs werift's publish connection reached {@code connected} (ICE and DTLS up) but its
     * reliable channel never changed state within 30 s: werift's SCTP association with ours over DTLS does not
     * establish (not diagnosed further; werift-sctp alone interoperates with the core, WeriftSctpInteropTest, and
     * libdatachannel's channels work end to end, LibdatachannelDataInteropTest).
     * Runnable with {@code -Dchorus.test.excludedGroups=none -Dgroups=awaiting-fix}.
     */
    @Tag("awaiting-fix")
    @Test
    void weriftAndChromiumExchangeDataMessagesThroughChorus() throws Exception {
        DataPairs.exchange(chromium, server.pageUrl(), "werift", "werift-data",
                List.of(Stacks.NODE.toString(), "werift-data-client.mjs"));
    }

    @ParameterizedTest(name = "policy={0} cert={1} bundle={2}")
    @CsvSource({"all, ecdsa, max-bundle", "relay, ecdsa, max-bundle", "all, rsa, max-bundle", "relay, rsa, max-bundle"})
    void weriftAndChromiumReceiveEachOther(String policy, String cert, String bundle) throws Exception {
        exchange(policy, cert, bundle);
    }

    /**
     * werift without BUNDLE (bundlePolicy "disable": one ICE/DTLS transport per m-line) is refused with
     * {@code negotiation_failed} and the reason, instead of being answered as if bundled (then the audio m-line's own
     * transport never connected, Chromium got werift's video but never its audio, and nothing said why: issue 13,
     * finding A). Chorus runs one transport per connection; docs/interop.md says why it refuses rather than opening
     * one per section. Nothing of werift's is published, and its answer to Chromium's tracks (also unbundled) is
     * refused the same way.
     */
    @Test
    void weriftWithoutBundleIsRefusedWithTheReason() throws Exception {
        String room = "werift-no-bundle";
        PageCalls.join(chromium, room, "chromium-user", "all");
        try (StackClient werift = StackClient.start("werift", List.of(Stacks.NODE.toString(), "werift-client.mjs",
                "--base", server.pageUrl(), "--room", room, "--identity", "werift-user", "--policy", "all",
                "--cert", "ecdsa", "--bundle", "disable", "--seconds", "40"), Map.of())) {
            werift.awaitJoined(45);
            String refusal = werift.awaitLine(20, "\"event\":\"error\"", "\"code\":\"negotiation_failed\"",
                    "the offer puts media sections");
            assertThat(refusal).as("werift's publish offer without BUNDLE is refused with the reason:\n" + werift.output())
                    .contains("on separate transports (no BUNDLE group)")
                    .contains("bundlePolicy");
            assertThat(werift.output()).doesNotContain("publish-state");
            // werift answers Chromium's tracks without BUNDLE too: refused the same way (the subscriber side)
            assertThat(werift.awaitLine(20, "\"code\":\"negotiation_failed\"", "the answer puts media sections"))
                    .as("werift's subscriber answer without BUNDLE is refused with the reason:\n" + werift.output())
                    .contains("on separate transports (no BUNDLE group)");
        } finally {
            PageCalls.leave(chromium);
        }
    }

    private static void exchange(String policy, String cert, String bundle) throws Exception {
        String room = "werift-" + policy + "-" + cert + "-" + bundle;
        String browserId = PageCalls.join(chromium, room, "chromium-user", policy);
        try (StackClient werift = StackClient.start("werift", List.of(Stacks.NODE.toString(), "werift-client.mjs",
                "--base", server.pageUrl(), "--room", room, "--identity", "werift-user", "--policy", policy,
                "--cert", cert, "--bundle", bundle, "--seconds", "80"), Map.of())) {
            StackPairs.assertExchange(chromium, werift, browserId);
        } finally {
            PageCalls.leave(chromium);
        }
    }
}
