package dev.chorus.signaling.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@code chorus_webhook_deliveries_total{outcome}} and {@code chorus_webhook_queue_pending}. */
public final class WebhookMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("chorus.webhook.queue.pending", pending, AtomicLong::get)
                .description("Webhook deliveries queued and not yet delivered, over all endpoints")
                .register(registry);
    }

    /**
     * Counts one delivery outcome: {@code queued}, {@code delivered}, {@code retry}, {@code expired} (given up) or
     * {@code queue_full} (not queued: the endpoint's queue was at its bound).
     */
    void outcome(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("chorus.webhook.deliveries")
                .description("Webhook deliveries by outcome")
                .tag("outcome", o)
                .register(registry)).increment();
    }

    void pending(long n) {
        pending.set(n);
    }
}
