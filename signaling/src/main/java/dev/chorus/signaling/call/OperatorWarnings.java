package dev.chorus.signaling.call;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * WARN lines for failures an operator needs to see (negotiation refused, ICE consent lost, DTLS failed): each cause
 * is logged at most once per interval, with the participant id and a reason code, and the line after a quiet spell
 * says how many repeats were suppressed, so a misbehaving client cannot flood the log. Never logs SDP, tokens or
 * ICE passwords: only codes and ids. (The project's token buckets count whole tokens per second; this needs "once
 * per minute per cause", so it keeps a per-cause deadline instead.)
 */
final class OperatorWarnings {
    private static final Logger log = LoggerFactory.getLogger(OperatorWarnings.class);
    /** Distinct causes tracked; beyond it new causes share one key (the set of codes is small, this is a guard). */
    private static final int MAX_CAUSES = 256;

    private final long intervalNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Cause> causes = new ConcurrentHashMap<>();

    private static final class Cause {
        long nextNanos = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }

    OperatorWarnings() {
        this(TimeUnit.MINUTES.toNanos(1), System::nanoTime);
    }

    OperatorWarnings(long intervalNanos, LongSupplier clock) {
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /**
     * @param event  a stable event name, e.g. {@code ice_consent_lost}
     * @param reason a stable reason code; event + reason is the cause that is rate-limited
     * @return true if the line was written, false if it was suppressed
     */
    boolean warn(String event, String reason, String participantId) {
        String key = causes.size() < MAX_CAUSES ? event + '/' + reason : "other";
        Cause c = causes.computeIfAbsent(key, k -> new Cause());
        long now = clock.getAsLong();
        long suppressed;
        synchronized (c) {
            if (c.nextNanos != Long.MIN_VALUE && now - c.nextNanos < 0) {
                c.suppressed.incrementAndGet();
                return false;
            }
            c.nextNanos = now + intervalNanos;
            suppressed = c.suppressed.getAndSet(0);
        }
        log.warn("event={} reason={} participant={} suppressed_since_last={}", event, reason, participantId, suppressed);
        return true;
    }
}
