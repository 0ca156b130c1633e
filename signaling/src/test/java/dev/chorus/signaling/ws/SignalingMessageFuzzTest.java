package dev.chorus.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.metrics.ChorusMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Fuzz harness of the participant WebSocket's message handling, the server side of docs/protocol.md: a session's
 * frames (text, fragmented text, any bytes as UTF-8 or not) go through the real frame guard, aggregator and
 * session handler on an embedded channel, first in the join phase, then (after a valid join) as call messages and
 * refreshes. Contract: no exception escapes the pipeline; everything the server sends is either a JSON object with
 * a {@code type} or a close frame with a documented code (1000-1011, 4000-4999).
 */
class SignalingMessageFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GOOD = "good-token";
    private static final ChorusMetrics METRICS = new ChorusMetrics(false);
    private static final WsSettings SETTINGS = new WsSettings("/v1/ws", Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofSeconds(5), 4096, 16384, 1000, 1000, 20, 32, 4096)
            .withTokenExpiry(Duration.ofSeconds(60), Duration.ofSeconds(30));

    @FuzzTest
    void message(FuzzedDataProvider data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        check(data);
    }

    static void check(FuzzedDataProvider data) {
        JoinGate gate = (token, room, ip) -> GOOD.equals(token) && "r1".equals(room)
                ? new JoinOutcome.Admitted(AdmissionGate.newParticipantId(), "proj", "r1", "user-1",
                        List.of("room:join", "media:subscribe"), "kid1", "jti-1", Instant.now(),
                        Instant.now().plusSeconds(600))
                : new JoinOutcome.Refused("bad_signature");
        WsAudit audit = new WsAudit() {
            @Override public void joinRefused(String ip, String reason) { }
            @Override public void sessionClosed(ParticipantSession s, String reason) { }
        };
        WsSessionHandler session = new WsSessionHandler(SETTINGS, gate, audit, new ParticipantRegistry(),
                new SignalingProtocol(), METRICS, Runnable::run, Clock.systemUTC(), "203.0.113.5", () -> { },
                SessionLifecycle.NONE, new ResumeCredentials(Clock.systemUTC(), SETTINGS.resumeGrace()));
        EmbeddedChannel ch = new EmbeddedChannel(new FrameGuard(SETTINGS, System::nanoTime),
                new WebSocketFrameAggregator(SETTINGS.maxMessageBytes()), session);
        try {
            if (data.consumeBoolean()) {
                ch.writeInbound(new TextWebSocketFrame("{\"type\":\"join\",\"room\":\"r1\",\"token\":\"" + GOOD + "\"}"));
            }
            for (int i = 0; i < 8 && data.remainingBytes() > 0 && ch.isActive(); i++) {
                byte[] payload = data.consumeBytes(data.consumeInt(0, 2048));
                switch (data.consumeInt(0, 2)) {
                    case 0 -> ch.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
                    case 1 -> {
                        int cut = payload.length / 2;
                        ch.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer(payload, 0, cut)));
                        ch.writeInbound(new ContinuationWebSocketFrame(true, 0,
                                Unpooled.copiedBuffer(payload, cut, payload.length - cut)));
                    }
                    default -> ch.writeInbound(new TextWebSocketFrame(new String(payload,
                            java.nio.charset.StandardCharsets.UTF_8)));
                }
                ch.runPendingTasks();
                ch.checkException();
            }
            ch.runPendingTasks();
            ch.checkException();
            for (Object out; (out = ch.readOutbound()) != null; ) {
                checkOutbound(out);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static void checkOutbound(Object out) {
        try {
            if (out instanceof CloseWebSocketFrame close) {
                int code = close.statusCode();
                assertThat(code >= 1000 && code <= 1011 || code >= 4000 && code <= 4999).as("close code " + code)
                        .isTrue();
            } else if (out instanceof TextWebSocketFrame text) {
                JsonNode n = JSON.readTree(text.text());
                assertThat(n.isObject() && n.path("type").isTextual()).as(text.text()).isTrue();
            } else {
                assertThat(out).as("only text and close frames").isNotInstanceOf(WebSocketFrame.class);
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("server sent text that is not JSON", e);
        } finally {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }
}
