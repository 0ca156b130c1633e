package dev.chorus.turn.quota;

import java.util.Arrays;

/**
 * Per-source rate limit with bounded memory: a fixed table of buckets indexed by a keyed hash of the source
 * address. Sources that collide share a bucket, which only ever makes the limit stricter. Used for 401/438
 * responses so that spoofed-source floods cannot turn the server into a reflector. Not thread-safe.
 */
public final class SourceRateLimiter {
    private final double ratePerMilli;
    private final double burst;
    private final double[] tokens;
    private final long[] last;
    private final int mask;
    private final long salt = new java.security.SecureRandom().nextLong();

    /** @param slots rounded up to a power of two; memory is 16 bytes per slot */
    public SourceRateLimiter(int slots, double ratePerSecond, double burst) {
        int n = Integer.highestOneBit(Math.max(2, slots) - 1) << 1;
        this.tokens = new double[n];
        this.last = new long[n];
        this.mask = n - 1;
        this.ratePerMilli = ratePerSecond / 1000.0;
        this.burst = burst;
        Arrays.fill(tokens, burst);
        Arrays.fill(last, Long.MIN_VALUE);
    }

    public int slots() {
        return tokens.length;
    }

    /** True if the source may get one more response now. The address only, never the port, is the key. */
    public boolean tryAcquire(byte[] sourceAddress, long nowMillis) {
        long h = salt;
        for (byte b : sourceAddress) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        h ^= h >>> 29;
        int i = (int) h & mask;
        if (last[i] == Long.MIN_VALUE) {
            last[i] = nowMillis;
        } else if (nowMillis > last[i]) {
            tokens[i] = Math.min(burst, tokens[i] + (nowMillis - last[i]) * ratePerMilli);
            last[i] = nowMillis;
        }
        if (tokens[i] < 1) return false;
        tokens[i] -= 1;
        return true;
    }
}
