package dev.chorus.server.interop;

import dev.chorus.media.transport.ChromiumHarness;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, must-show: a Firefox ↔ Chromium call through Chorus. Real headless Firefox ESR (Marionette) and real
 * headless Chromium (Selenium), each on the real server's page origin running the real SDK, publish their fake
 * camera and microphone in one room; each must decode the other's video and audio (the browsers' own getStats():
 * frames decoded and audio samples decoded for playout, both growing), over host candidates and relay-only through
 * Chorus's TURN.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirefoxChromiumCallTest {
    static InteropServer server;
    static Browser firefox;
    static Browser chromium;

    @BeforeAll
    static void start() throws Exception {
        ChromiumHarness.require();
        FirefoxHarness.require();
        server = InteropServer.start("127.0.0.1", Map.of());
        chromium = Browser.of(ChromiumHarness.browse(server.pageUrl()));
        firefox = FirefoxHarness.browse(server.pageUrl());
    }

    @AfterAll
    static void stop() {
        try (AutoCloseable s = server; AutoCloseable f = firefox; AutoCloseable c = chromium) {
            // closes all three, whatever fails
        } catch (Exception ignored) {
            // teardown
        }
    }

    @Test
    void firefoxAndChromiumDecodeEachOthersVideoAndAudio() throws Exception {
        call("ff-cr-host", "all");
    }

    @Test
    void firefoxAndChromiumDecodeEachOthersVideoAndAudioThroughTheTurnRelay() throws Exception {
        call("ff-cr-relay", "relay");
    }

    private static void call(String room, String policy) throws Exception {
        String ff = PageCalls.join(firefox, room, "firefox-user", policy);
        String cr = PageCalls.join(chromium, room, "chromium-user", policy);
        try {
            PageCalls.assertDecodes(firefox, cr);
            PageCalls.assertDecodes(chromium, ff);
        } finally {
            PageCalls.leave(firefox);
            PageCalls.leave(chromium);
        }
    }
}
