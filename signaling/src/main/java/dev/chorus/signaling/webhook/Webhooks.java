package dev.chorus.signaling.webhook;

import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the control plane reports what happened ({@link #emit}): the event is queued, durably, for every endpoint
 * of its project that wants it, and the dispatcher is woken. Queueing runs on one thread of its own, in emit
 * order, so callers on event loops never wait for a disk write and every endpoint sees events in the order they
 * happened.
 */
public final class Webhooks implements EventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    /** Events one endpoint may have waiting before new ones are refused (and counted). */
    public static final int DEFAULT_MAX_PENDING_PER_ENDPOINT = 10_000;

    private final WebhookOutbox outbox;
    private final WebhookDispatcher dispatcher;
    private final Clock clock;
    private final int maxPendingPerEndpoint;
    private final WebhookMetrics metrics;
    private final ExecutorService queueing = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("webhook-queue").daemon(true).factory());
    private final Set<String> warnedFull = new HashSet<>(); // touched by the queueing thread only

    public Webhooks(WebhookOutbox outbox, WebhookDispatcher dispatcher, Clock clock, int maxPendingPerEndpoint,
                    WebhookMetrics metrics) {
        this.outbox = outbox;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.maxPendingPerEndpoint = maxPendingPerEndpoint;
        this.metrics = metrics;
    }

    /** Reports an event of {@code project} (never blocks; data values are plain text, never secrets). */
    @Override
    public void emit(String project, WebhookEventType type, WebhookActor actor, Map<String, String> data) {
        WebhookEvent event = WebhookEvent.of(type, clock.instant(), project, actor, data);
        queueing.execute(() -> queue(event));
    }

    private void queue(WebhookEvent event) {
        try {
            String body = null;
            boolean queued = false;
            for (WebhookEndpoint e : outbox.endpoints(event.project())) {
                if (!e.wants(event.type())) {
                    continue;
                }
                if (body == null) {
                    body = event.toJson();
                }
                if (outbox.enqueue(e.id(), event.id(), body, event.time(), maxPendingPerEndpoint)) {
                    metrics.outcome("queued");
                    queued = true;
                    warnedFull.remove(e.id());
                } else {
                    metrics.outcome("queue_full");
                    if (warnedFull.add(e.id())) {
                        LOG.warn("webhook endpoint {}: {} events waiting, new events are not queued until it "
                                + "catches up (logged once until then)", e.id(), maxPendingPerEndpoint);
                    }
                }
            }
            if (queued) {
                dispatcher.wake();
            }
        } catch (RuntimeException ex) {
            LOG.warn("webhook event {} of project {} not queued: {}", event.type().wire(), event.project(),
                    ex.toString());
        }
    }

    /** Waits until everything emitted so far is queued (tests, shutdown). */
    public void flush() {
        try {
            queueing.submit(() -> { }).get();
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        flush();
        queueing.shutdown();
        dispatcher.close();
    }
}
