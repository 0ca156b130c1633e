package dev.chorus.media.sfu.rtcp;

/**
 * A token bucket on a caller-supplied clock, for budgets on the worker (retransmissions per subscriber, bytes per
 * publisher). Single-threaded; no allocation.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;

    /**
     * @param ratePerSecond tokens added per second (0: nothing is ever allowed)
     * @param capacity      most tokens held (the burst)
     */
    public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes {@code n} tokens if available. */
    public boolean tryTake(double n, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            lastNanos = nowNanos;
        }
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }
}
