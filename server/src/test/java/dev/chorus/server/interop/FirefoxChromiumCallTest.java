package dev.chorus.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirefoxChromiumCallTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HELPERS = resource("/interop/browser-helpers.js");

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
        String ff = join(firefox, room, "firefox-user", policy);
        String cr = join(chromium, room, "chromium-user", policy);
        try {
            assertDecodes(firefox, cr);
            assertDecodes(chromium, ff);
        } finally {
            firefox.async("I.leave(); window.I = undefined; return 'ok';");
            chromium.async("I.leave(); window.I = undefined; return 'ok';");
        }
    }

    static String join(Browser browser, String room, String identity, String policy) {
        Object id = browser.async(HELPERS + "return await I.join(args[0], args[1], true, args[2]);", room, identity, policy);
        assertThat(String.valueOf(id)).as(browser.name() + " joins").startsWith("p_");
        return (String) id;
    }

    static JsonNode received(Browser browser) throws IOException {
        return JSON.readTree(String.valueOf(browser.async("return await I.received();")));
    }

    /** {@code browser} announces the remote participant's audio and video tracks and decodes both, growing. */
    static void assertDecodes(Browser browser, String fromParticipant) throws Exception {
        JsonNode[] last = new JsonNode[1];
        boolean decoding = ChromiumHarness.await(() -> {
            try {
                last[0] = received(browser);
                return last[0].path("framesDecoded").asLong() > 0 && last[0].path("audioSamples").asLong() > 0;
            } catch (IOException e) {
                return false;
            }
        }, 30);
        assertThat(decoding).as(browser.name() + " decodes video and audio: " + last[0]).isTrue();
        assertThat(last[0].path("events").toString())
                .contains("track " + fromParticipant + " video", "track " + fromParticipant + " audio");
        JsonNode before = last[0];
        boolean growing = ChromiumHarness.await(() -> {
            try {
                last[0] = received(browser);
                return last[0].path("framesDecoded").asLong() > before.path("framesDecoded").asLong() + 10
                        && last[0].path("audioSamples").asLong() > before.path("audioSamples").asLong();
            } catch (IOException e) {
                return false;
            }
        }, 15);
        assertThat(growing).as(browser.name() + ": decoded frames and audio samples keep growing: " + before + " -> " + last[0])
                .isTrue();
    }

    static String resource(String path) {
        try (InputStream in = FirefoxChromiumCallTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + path, e);
        }
    }
}
