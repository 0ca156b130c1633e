package dev.chorus.signaling.webhook;

/**
 * Who caused an event (Twilio Sync's model): a backend key, a participant (by identity), the operator, or the
 * server itself (an expiry, a timeout). Receivers get it with every event so they can attribute actions.
 *
 * @param kind {@code backend}, {@code participant}, {@code operator} or {@code system}
 * @param id the key id, the participant identity, or null for {@code system}
 */
public record WebhookActor(String kind, String id) {
    public static final WebhookActor SYSTEM = new WebhookActor("system", null);

    public static WebhookActor backend(String keyId) {
        return new WebhookActor("backend", keyId);
    }

    public static WebhookActor participant(String identity) {
        return new WebhookActor("participant", identity);
    }

    public static WebhookActor operator() {
        return new WebhookActor("operator", null);
    }
}
