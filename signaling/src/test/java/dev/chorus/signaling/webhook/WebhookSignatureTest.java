package dev.chorus.signaling.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signature a receiver checks, and the receiver-side checks: tampering, staleness, replay. */
class WebhookSignatureTest {
    private static final byte[] SECRET = "whsec-test-secret-32-bytes-long!".getBytes(StandardCharsets.US_ASCII);
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration TOL = WebhookSignature.DEFAULT_TOLERANCE;

    private static String body(String id) {
        return new WebhookEvent(id, WebhookEventType.PARTICIPANT_JOINED, T0, "acme", WebhookActor.participant("u1"),
                Map.of("room", "r1", "participantId", "p_1")).toJson();
    }

    @Test
    void aSignedBodyVerifiesWithTheSameSecretAndClock() {
        String b = body("evt_1");
        String header = WebhookSignature.sign(SECRET, T0, b);
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        assertThat(WebhookSignature.verify(SECRET, header, b, T0.plusSeconds(3), TOL))
                .isEqualTo(WebhookSignature.Verdict.VALID);
    }

    @Test
    void aTamperedBodyOrAnotherSecretDoesNotVerify() {
        String b = body("evt_1");
        String header = WebhookSignature.sign(SECRET, T0, b);
        assertThat(WebhookSignature.verify(SECRET, header, b.replace("r1", "r2"), T0, TOL))
                .isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
        assertThat(WebhookSignature.verify("another-secret".getBytes(StandardCharsets.US_ASCII), header, b, T0, TOL))
                .isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
        // the timestamp is inside the MAC: moving it to look fresh breaks the signature
        String moved = header.replace("t=" + T0.getEpochSecond(), "t=" + (T0.getEpochSecond() + 1));
        assertThat(WebhookSignature.verify(SECRET, moved, b, T0, TOL))
                .isEqualTo(WebhookSignature.Verdict.BAD_SIGNATURE);
    }

    @Test
    void anOldOrFutureTimestampIsStale() {
        String b = body("evt_1");
        String header = WebhookSignature.sign(SECRET, T0, b);
        assertThat(WebhookSignature.verify(SECRET, header, b, T0.plus(TOL).plusSeconds(1), TOL))
                .isEqualTo(WebhookSignature.Verdict.STALE);
        assertThat(WebhookSignature.verify(SECRET, header, b, T0.minus(TOL).minusSeconds(1), TOL))
                .isEqualTo(WebhookSignature.Verdict.STALE);
    }

    @Test
    void malformedHeadersAreRefusedWithoutThrowing() {
        String b = body("evt_1");
        for (String h : new String[] {null, "", "t=", "v1=00", "t=abc,v1=" + "0".repeat(64), "t=1,v1=zz",
                "t=1", "=1,v1=" + "0".repeat(64), "t=1,v1=" + "0".repeat(63), "x".repeat(600)}) {
            assertThat(WebhookSignature.verify(SECRET, h, b, T0, TOL)).as(String.valueOf(h))
                    .isEqualTo(WebhookSignature.Verdict.MALFORMED);
        }
    }

    @Test
    void theReceiverRefusesAReplayInsideTheWindowAndTakesTheIdFromTheSignedBody() {
        WebhookReceiver receiver = new WebhookReceiver(SECRET, TOL, 100);
        String b = body("evt_42");
        String header = WebhookSignature.sign(SECRET, T0, b);
        assertThat(receiver.check(header, b, T0)).isEqualTo(WebhookReceiver.Verdict.ACCEPTED);
        assertThat(receiver.check(header, b, T0.plusSeconds(10))).isEqualTo(WebhookReceiver.Verdict.REPLAYED);
        // after the window, the same request is refused as stale rather than remembered forever
        assertThat(receiver.check(header, b, T0.plus(TOL).plusSeconds(1))).isEqualTo(WebhookReceiver.Verdict.STALE);
        // a signed body without an id is a sender bug
        String noId = "{\"type\":\"room.started\"}";
        assertThat(receiver.check(WebhookSignature.sign(SECRET, T0, noId), noId, T0))
                .isEqualTo(WebhookReceiver.Verdict.MALFORMED);
    }
}
