package dev.chorus.signaling.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable side of webhooks: endpoints and the per-endpoint queues of events not yet delivered. Every write has
 * reached the disk when the method returns, so queued events survive a restart. Thread-safe.
 */
public interface WebhookOutbox {

    void addEndpoint(WebhookEndpoint endpoint);

    List<WebhookEndpoint> endpoints(String projectId);

    Optional<WebhookEndpoint> endpoint(String endpointId);

    /** Removes a project's endpoint and everything queued for it; false when the project has no such endpoint. */
    boolean removeEndpoint(String projectId, String endpointId);

    /**
     * Queues {@code body} for one endpoint unless that endpoint already has {@code maxPending} events waiting
     * (a receiver down for long must not fill the disk): then nothing is written and the answer is false.
     */
    boolean enqueue(String endpointId, String eventId, String body, Instant at, int maxPending);

    /** For every endpoint, its oldest queued delivery if that one is due at {@code now}. */
    List<PendingDelivery> dueHeads(Instant now);

    /** The delivery reached its receiver: forget it. */
    void delivered(long seq);

    /** The attempt failed: count it and try again at {@code nextAttemptAt}. */
    void retryLater(long seq, int attempts, Instant nextAttemptAt);

    /** Give up on a delivery (too old): forget it. */
    void drop(long seq);

    /** How many deliveries are queued over all endpoints. */
    long pending();
}
