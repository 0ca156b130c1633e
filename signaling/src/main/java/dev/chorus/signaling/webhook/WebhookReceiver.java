package dev.chorus.signaling.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * What a receiving backend runs on each request (the reference for docs/webhooks.md, usable by Java backends as
 * is): verify the signature and timestamp, then refuse an event id already accepted inside the tolerance window
 * (a replay of a captured request). The id is read from the signed body, never from an unsigned header. Remembers at most {@code maxRemembered} ids; an id older than the window needs
 * no memory because its timestamp is refused as stale. Not thread-safe: one per receiving thread or synchronise.
 */
public final class WebhookReceiver {
    /** The verdict on one request. */
    public enum Verdict { ACCEPTED, MALFORMED, STALE, BAD_SIGNATURE, REPLAYED }

    private record Seen(String eventId, Instant at) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final Duration tolerance;
    private final int maxRemembered;
    private final Deque<Seen> order = new ArrayDeque<>();
    private final Set<String> seen = new HashSet<>();

    public WebhookReceiver(byte[] secret, Duration tolerance, int maxRemembered) {
        this.secret = secret.clone();
        this.tolerance = tolerance;
        this.maxRemembered = maxRemembered;
    }

    /** Checks one request: its {@value WebhookSignature#HEADER} header and its body. */
    public Verdict check(String signatureHeader, String body, Instant now) {
        WebhookSignature.Verdict v = WebhookSignature.verify(secret, signatureHeader, body, now, tolerance);
        switch (v) {
            case MALFORMED -> { return Verdict.MALFORMED; }
            case STALE -> { return Verdict.STALE; }
            case BAD_SIGNATURE -> { return Verdict.BAD_SIGNATURE; }
            case VALID -> { }
        }
        String eventId = eventId(body);
        if (eventId == null) {
            return Verdict.MALFORMED;
        }
        forgetOlderThan(now.minus(tolerance));
        if (!seen.add(eventId)) {
            return Verdict.REPLAYED;
        }
        order.addLast(new Seen(eventId, now));
        while (order.size() > maxRemembered) {
            seen.remove(order.removeFirst().eventId());
        }
        return Verdict.ACCEPTED;
    }

    /** The {@code id} of a signed body, or null when there is none (a sender bug, so malformed). */
    private static String eventId(String body) {
        try {
            JsonNode id = JSON.readTree(body).get("id");
            return id != null && id.isTextual() && !id.asText().isEmpty() && id.asText().length() <= 128
                    ? id.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void forgetOlderThan(Instant cutoff) {
        while (!order.isEmpty() && order.peekFirst().at().isBefore(cutoff)) {
            seen.remove(order.removeFirst().eventId());
        }
    }
}
