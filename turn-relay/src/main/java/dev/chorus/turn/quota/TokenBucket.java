package dev.chorus.turn.quota;

/**
 * A token bucket fed by the caller's clock: {@code rate} tokens per second, at most {@code burst} saved up.
 * Used for bytes relayed per allocation and 401 responses per source. Not thread-safe (one owner thread),
 * no allocation.
 */
public final class TokenBucket {
    private final double ratePerMilli;
    private final double burst;
    private double tokens;
    private long lastMillis;

    public TokenBucket(long ratePerSecond, long burst, long nowMillis) {
        if (ratePerSecond <= 0 || burst <= 0) throw new IllegalArgumentException("rate and burst must be positive");
        this.ratePerMilli = ratePerSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastMillis = nowMillis;
    }

    /** Takes {@code n} tokens if available. */
    public boolean tryTake(long n, long nowMillis) {
        refill(nowMillis);
        if (tokens < n) return false;
        tokens -= n;
        return true;
    }

    private void refill(long nowMillis) {
        long elapsed = nowMillis - lastMillis;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerMilli);
            lastMillis = nowMillis;
        }
    }
}
