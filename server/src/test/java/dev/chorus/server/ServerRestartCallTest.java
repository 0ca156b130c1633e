package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16: the server restarts in the middle of a call (graceful drain, then a new process on the same data dir and
 * port). Both real Chromium pages rejoin on their own (the SDK's `reconnecting` → `reconnected`, fresh tokens from
 * the page's callback) and decode each other again within 15 s, and the audit chain still verifies.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServerRestartCallTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void bothPagesAreBackInTheCallWithin15SecondsOfARestartAndTheAuditChainVerifies() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (BrowserCallFixture f = BrowserCallFixture.start("chorus-restart-", Map.of(
                "CHORUS_HTTP_PORT", Integer.toString(port),
                "CHORUS_WS_DRAIN_TIMEOUT", "1s"), CallBrowserTest.HELPERS)) {
            List<String> scopes = List.of("room:join", "media:publish:audio", "media:publish:video", "media:subscribe");
            for (String name : List.of("a", "b")) {
                Object pid = f.chromium.async(CallBrowserTest.HELPERS
                        + "return await T.join(args[0], args[1], args[2], true);", name, "restart", scopes);
                assertThat(String.valueOf(pid)).startsWith("p_");
            }
            assertThat(ChromiumHarness.await(() -> decodesPeer(f, "a") && decodesPeer(f, "b"), 40)).isTrue();

            long restartedAt = System.nanoTime();
            f.restartServer();
            boolean back = ChromiumHarness.await(() -> reconnected(f, "a") && reconnected(f, "b")
                    && decodesPeer(f, "a") && decodesPeer(f, "b"), 30);
            double seconds = (System.nanoTime() - restartedAt) / 1e9;
            System.out.printf("server restart: both pages decoding each other again %.2f s after the restart began;"
                    + " events a=%s%n", seconds, f.chromium.async("return JSON.stringify(T.clients.a.events);"));
            assertThat(back).as("both pages back in the call").isTrue();
            assertThat(seconds).as("seconds until both decode again").isLessThanOrEqualTo(15.0);

            CliTest.Result verify = CliTest.run("audit", "verify", "--data-dir", f.tmp.resolve("data").toString());
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        }
    }

    /** True once the page's client rejoined and decodes a participant it did not decode before the restart. */
    private static boolean reconnected(BrowserCallFixture f, String name) {
        Object events = f.chromium.async("return JSON.stringify(T.clients[args[0]].events);", name);
        return String.valueOf(events).contains("reconnected");
    }

    /** True if {@code name} currently decodes video from someone (the other page's current participant). */
    private static boolean decodesPeer(BrowserCallFixture f, String name) {
        try {
            JsonNode by = JSON.readTree((String) f.chromium.async("return await T.stats(args[0]);", name)).path("by");
            for (JsonNode p : by) {
                if (p.path("frames").asLong() > 0) return true;
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
