package dev.chorus.common.rate;

/**
 * The one token bucket of Chorus: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. Every rate
 * limit (WebSocket frames, retransmissions and bitrate in the SFU, relayed bytes in TURN) uses it.
 *
 * <p>Clock: the caller's monotonic nanoseconds ({@link System#nanoTime()} or a test clock); only differences
 * matter, a clock that goes backwards adds nothing. One owner thread, no locks, no allocation.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    /** @param ratePerSecond tokens added per second (0: nothing beyond the first burst is ever allowed) */
    public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        if (ratePerSecond < 0 || burst < 0) throw new IllegalArgumentException("rate and burst must not be negative");
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /** Takes one token; false when the bucket is empty. */
    public boolean tryTake(long nowNanos) {
        return tryTake(1, nowNanos);
    }

    /** Takes {@code n} tokens if available; false (nothing taken) otherwise. */
    public boolean tryTake(double n, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = refilled(tokens, elapsed, ratePerNano, burst);
            lastNanos = nowNanos;
        }
        if (tokens < n) return false;
        tokens -= n;
        return true;
    }

    /** The refill rule, shared with {@link SourceRateLimiter}'s table of buckets. */
    static double refilled(double tokens, long elapsedNanos, double ratePerNano, double burst) {
        return Math.min(burst, tokens + elapsedNanos * ratePerNano);
    }
}
