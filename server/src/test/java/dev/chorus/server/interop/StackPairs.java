package dev.chorus.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.transport.ChromiumHarness;

/** The assertions of one interop pair: a stack and a browser in one room, each receiving the other's media. */
final class StackPairs {
    private StackPairs() {}

    /**
     * The stack received, from {@code fromParticipant}, a growing number of well-formed VP8 frames (at least one
     * keyframe, none malformed) and Opus packets, as its own script checked them after SRTP decryption.
     */
    static void assertStackReceives(StackClient stack, String fromParticipant) throws InterruptedException {
        boolean ok = ChromiumHarness.await(() -> {
            JsonNode r = stack.receivedFrom(fromParticipant);
            return r.path("video").path("frames").asLong() >= 60 && r.path("video").path("keyframes").asLong() >= 1
                    && r.path("audio").path("packets").asLong() >= 100;
        }, 30);
        JsonNode r = stack.receivedFrom(fromParticipant);
        assertThat(ok).as(stack.name + " receives VP8 frames and Opus packets from " + fromParticipant + ":\n"
                + stack.output()).isTrue();
        assertThat(r.path("video").path("invalid").asLong()).as(stack.name + " malformed VP8 frames:\n" + stack.output())
                .isZero();
        assertThat(r.path("audio").path("invalid").asLong()).as(stack.name + " malformed Opus packets").isZero();
    }

    /** Browser ↔ stack in {@code room}: the browser decodes the stack's video and audio, the stack receives the browser's. */
    static void assertExchange(Browser browser, StackClient stack, String browserParticipant) throws Exception {
        String stackParticipant = stack.awaitJoined(45);
        try {
            PageCalls.assertDecodes(browser, stackParticipant);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + stack.name + " output:\n" + stack.output(), e);
        }
        assertStackReceives(stack, browserParticipant);
    }
}
