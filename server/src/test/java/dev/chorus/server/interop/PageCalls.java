package dev.chorus.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A browser participant in an interop call: joins through the real SDK with the page helpers
 * ({@code interop/browser-helpers.js}), publishes its fake camera and microphone, and proves what it decoded.
 */
final class PageCalls {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HELPERS = resource("/interop/browser-helpers.js");

    private PageCalls() {}

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
        try (InputStream in = PageCalls.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + path, e);
        }
    }

    static void leave(Browser browser) {
        browser.async("if (window.I) { I.leave(); window.I = undefined; } return 'ok';");
    }
}
