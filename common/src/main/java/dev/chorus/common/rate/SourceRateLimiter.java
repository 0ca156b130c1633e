package dev.chorus.common.rate;

import java.util.Arrays;

/**
 * {@link TokenBucket}s per source address with bounded memory: a fixed table of buckets indexed by a keyed hash of
 * the address. Sources that collide share a bucket, which only ever makes the limit stricter. Used where a flood
 * from spoofed or many sources must not grow memory (TURN's unauthenticated answers). Same clock as
 * {@link TokenBucket}: monotonic nanoseconds. Not thread-safe (one owner thread), no allocation.
 */
public final class SourceRateLimiter {
    private final double ratePerNano;
    private final double burst;
    private final double[] tokens;
    private final long[] last;
    private final boolean[] used;
    private final int mask;
    private final long salt = new java.security.SecureRandom().nextLong();

    /** @param slots rounded up to a power of two; memory is 17 bytes per slot */
    public SourceRateLimiter(int slots, double ratePerSecond, double burst) {
        int n = Integer.highestOneBit(Math.max(2, slots) - 1) << 1;
        this.tokens = new double[n];
        this.last = new long[n];
        this.used = new boolean[n];
        this.mask = n - 1;
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        Arrays.fill(tokens, burst);
    }

    public int slots() {
        return tokens.length;
    }

    /** True if the source may have one more now. The address only, never the port, is the key. */
    public boolean tryAcquire(byte[] sourceAddress, long nowNanos) {
        long h = salt;
        for (byte b : sourceAddress) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        h ^= h >>> 29;
        int i = (int) h & mask;
        if (!used[i]) {
            used[i] = true;
            last[i] = nowNanos;
        } else if (nowNanos - last[i] > 0) {
            tokens[i] = TokenBucket.refilled(tokens[i], nowNanos - last[i], ratePerNano, burst);
            last[i] = nowNanos;
        }
        if (tokens[i] < 1) return false;
        tokens[i] -= 1;
        return true;
    }
}
