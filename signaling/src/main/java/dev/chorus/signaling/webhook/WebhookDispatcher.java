package dev.chorus.signaling.webhook;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers queued events: one loop (a virtual thread) takes the head of every endpoint's queue that is due, POSTs
 * them in parallel (a virtual thread each, so a slow receiver delays only itself), and on a 2xx forgets the event;
 * on anything else it schedules the same event again with {@link RetryPolicy}'s backoff, so an endpoint's events
 * arrive in order and none is skipped while its receiver is down. An event older than the policy's maximum age is
 * dropped, counted and logged once per endpoint.
 *
 * <p>Outbound requests are an SSRF surface (a backend chooses the URL): unless private destinations are allowed
 * (dev mode, tests), a URL whose host resolves to a loopback, private, link-local, unspecified or multicast address
 * is never contacted.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** How long one attempt may take (connect + response). */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    /** How often the loop looks for due retries when nothing new was queued. */
    static final Duration IDLE_POLL = Duration.ofMillis(250);

    private final WebhookOutbox outbox;
    private final HttpClient http;
    private final Clock clock;
    private final RetryPolicy policy;
    private final boolean allowPrivateDestinations;
    private final WebhookMetrics metrics;
    private final RandomGenerator random = RandomGenerator.getDefault();
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Set<String> warnedDropping = java.util.concurrent.ConcurrentHashMap.newKeySet(); // touched by parallel attempts
    private volatile boolean running = true;
    private boolean woken;
    private Thread loop;

    public WebhookDispatcher(WebhookOutbox outbox, HttpClient http, Clock clock, RetryPolicy policy,
                             boolean allowPrivateDestinations, WebhookMetrics metrics) {
        this.outbox = outbox;
        this.http = http;
        this.clock = clock;
        this.policy = policy;
        this.allowPrivateDestinations = allowPrivateDestinations;
        this.metrics = metrics;
    }

    public synchronized WebhookDispatcher start() {
        if (loop == null) {
            loop = Thread.ofVirtual().name("webhook-dispatcher").start(this::run);
        }
        return this;
    }

    /** Something was queued: look now instead of at the next poll. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            try {
                deliverDue();
            } catch (RuntimeException e) {
                LOG.warn("webhook delivery round failed: {}", e.toString());
            }
            lock.lock();
            try {
                if (!woken && running) {
                    wake.await(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                }
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** One round: every endpoint's due head, attempted in parallel; returns when all attempts finished. */
    void deliverDue() {
        List<PendingDelivery> due = outbox.dueHeads(clock.instant());
        List<Future<?>> inFlight = new ArrayList<>(due.size());
        for (PendingDelivery d : due) {
            inFlight.add(attempts.submit(() -> attempt(d)));
        }
        for (Future<?> f : inFlight) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("webhook attempt failed unexpectedly: {}", e.getCause().toString());
            }
        }
        metrics.pending(outbox.pending());
    }

    private void attempt(PendingDelivery d) {
        Optional<WebhookEndpoint> endpoint = outbox.endpoint(d.endpointId());
        if (endpoint.isEmpty()) { // removed while queued (the queue row goes with it; this is a race)
            outbox.drop(d.seq());
            return;
        }
        Instant now = clock.instant();
        if (policy.expired(d.queuedAt(), now)) {
            outbox.drop(d.seq());
            metrics.outcome("expired");
            if (warnedDropping.add(d.endpointId())) {
                LOG.warn("webhook endpoint {} unreachable for longer than {}: dropping its oldest events "
                        + "(logged once per endpoint)", d.endpointId(), policy.maxAge());
            }
            return;
        }
        String failure = post(endpoint.get(), d, now);
        if (failure == null) {
            outbox.delivered(d.seq());
            warnedDropping.remove(d.endpointId());
            metrics.outcome("delivered");
            return;
        }
        int attempts = d.attempts() + 1;
        outbox.retryLater(d.seq(), attempts, now.plus(policy.delayAfter(attempts, random)));
        metrics.outcome("retry");
        if (attempts == 1) {
            LOG.warn("webhook endpoint {}: delivery of {} failed ({}); retrying with backoff",
                    d.endpointId(), d.eventId(), failure);
        }
    }

    /** Sends one attempt; null on a 2xx answer, otherwise why it failed (for the log, without the body). */
    private String post(WebhookEndpoint endpoint, PendingDelivery d, Instant now) {
        URI url = endpoint.url();
        if (!allowPrivateDestinations) {
            String refused = refusedDestination(url.getHost());
            if (refused != null) {
                return refused;
            }
        }
        HttpRequest req = HttpRequest.newBuilder(url)
                .timeout(ATTEMPT_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Chorus-Webhooks/1")
                .header(WebhookSignature.HEADER, WebhookSignature.sign(endpoint.secret(), now, d.body()))
                .header("Chorus-Event-Id", d.eventId())
                .POST(HttpRequest.BodyPublishers.ofString(d.body(), StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
            int status = res.statusCode();
            return status >= 200 && status < 300 ? null : "HTTP " + status;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Why a host may not be contacted, or null when every address it resolves to is public. */
    static String refusedDestination(String host) {
        if (host == null) {
            return "no host";
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()
                        || a.isAnyLocalAddress() || a.isMulticastAddress() || isUniqueLocalV6(a)) {
                    return "destination " + a.getHostAddress() + " is not public";
                }
            }
            return null;
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }

    private static boolean isUniqueLocalV6(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc;
    }

    @Override
    public void close() {
        running = false;
        wake();
        Thread t;
        synchronized (this) {
            t = loop;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(ATTEMPT_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        attempts.shutdownNow();
    }
}
