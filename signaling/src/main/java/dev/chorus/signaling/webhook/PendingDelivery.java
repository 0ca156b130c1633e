package dev.chorus.signaling.webhook;

import java.time.Instant;

/**
 * One event waiting to reach one endpoint: the head of that endpoint's queue is retried until it is delivered or
 * too old, and only then does the next one go (receivers see each endpoint's events in order).
 *
 * @param seq the queue position (increasing; the order of delivery)
 */
public record PendingDelivery(long seq, String endpointId, String eventId, String body, int attempts,
                              Instant queuedAt, Instant nextAttemptAt) {}
