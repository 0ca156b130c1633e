package dev.chorus.signaling.ws;

/**
 * Sans-IO token bucket fed a monotonic clock in nanoseconds. One instance per session, used on its event loop only.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    public TokenBucket(int perSecond, int burst, long nowNanos) {
        this.ratePerNano = perSecond / 1e9;
        this.capacity = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes one token; false when the bucket is empty. */
    public boolean tryTake(long nowNanos) {
        long dt = nowNanos - last;
        if (dt > 0) {
            tokens = Math.min(capacity, tokens + dt * ratePerNano);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
