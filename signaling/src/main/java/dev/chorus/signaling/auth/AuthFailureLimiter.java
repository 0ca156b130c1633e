package dev.chorus.signaling.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failed authentications per source (IP) in a fixed window and says when to answer 429. Memory is bounded:
 * at most {@code maxSources} entries, evicting the least recently failing source first, and entries expire after
 * the window. A flood of failures from many sources therefore cannot grow the map; at worst an evicted source gets
 * a fresh budget (that is the price of a bound, and it only helps an attacker who already controls
 * {@code maxSources} addresses). A success does not reset the count: an attacker interleaving one valid key must
 * not get unlimited guesses.
 */
public final class AuthFailureLimiter {
    private final int maxFailures;
    private final long windowNanos;
    private final int maxSources;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> bySource;

    private static final class Entry {
        long windowStartMillis;
        int failures;
        boolean throttleReported;
    }

    /**
     * @param maxFailures failures allowed per source per window; the next attempt is throttled
     * @param window      window length
     * @param maxSources  most sources remembered at once
     */
    public AuthFailureLimiter(int maxFailures, Duration window, int maxSources, Clock clock) {
        if (maxFailures < 1 || maxSources < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.maxSources = maxSources;
        this.clock = clock;
        this.bySource = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Defaults: 10 failures per minute per source, 10 000 sources. */
    public static AuthFailureLimiter defaults(Clock clock) {
        return new AuthFailureLimiter(10, Duration.ofMinutes(1), 10_000, clock);
    }

    /** True when this source has used up its failures in the current window (answer 429 without checking). */
    public synchronized boolean throttled(String source) {
        Entry e = current(source);
        return e != null && e.failures >= maxFailures;
    }

    /**
     * True exactly once per throttled source and window: the first refused attempt is audited, the rest are only
     * counted (so a flood of 429s cannot turn into a flood of fsync'ed audit lines).
     */
    public synchronized boolean firstThrottledAttempt(String source) {
        Entry e = current(source);
        if (e == null || e.failures < maxFailures || e.throttleReported) {
            return false;
        }
        e.throttleReported = true;
        return true;
    }

    public synchronized void recordFailure(String source) {
        Entry e = current(source);
        if (e == null) {
            e = new Entry();
            e.windowStartMillis = clock.millis();
            bySource.put(key(source), e);
            trim();
        }
        if (e.failures < Integer.MAX_VALUE) {
            e.failures++;
        }
    }

    /** Sources currently remembered (bounded by {@code maxSources}). */
    public synchronized int trackedSources() {
        return bySource.size();
    }

    private Entry current(String source) {
        String k = key(source);
        Entry e = bySource.get(k);
        if (e != null && (clock.millis() - e.windowStartMillis) * 1_000_000L >= windowNanos) {
            bySource.remove(k);
            return null;
        }
        return e;
    }

    private void trim() {
        long now = clock.millis();
        Iterator<Map.Entry<String, Entry>> it = bySource.entrySet().iterator();
        while (bySource.size() > maxSources && it.hasNext()) {
            it.next();
            it.remove();
        }
        // opportunistically drop a few expired entries from the old end
        it = bySource.entrySet().iterator();
        for (int i = 0; i < 8 && it.hasNext(); i++) {
            if ((now - it.next().getValue().windowStartMillis) * 1_000_000L >= windowNanos) {
                it.remove();
            }
        }
    }

    private static String key(String source) {
        return source == null ? "" : source;
    }
}
