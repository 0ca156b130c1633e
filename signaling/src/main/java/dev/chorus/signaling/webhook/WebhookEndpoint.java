package dev.chorus.signaling.webhook;

import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * A project's receiver: where its events go and the secret their signatures use.
 *
 * @param events the event types it receives; empty means all
 */
public record WebhookEndpoint(String id, String projectId, URI url, byte[] secret, Set<WebhookEventType> events,
                              Instant createdAt) {
    public WebhookEndpoint {
        secret = secret.clone();
        events = events.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(events));
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    public boolean wants(WebhookEventType type) {
        return events.isEmpty() || events.contains(type);
    }

    @Override
    public String toString() { // never the secret
        return "WebhookEndpoint[" + id + " " + projectId + " " + url + "]";
    }
}
