package dev.chorus.media.sfu;

import java.util.concurrent.TimeUnit;

/**
 * The rate of a growing byte counter over the last completed interval (≥ 1 s): sampled by the room's timer, read by
 * snapshots. Sans-IO and allocation-free; owner: the room's worker thread.
 */
final class BitrateSampler {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long markBytes;
    private long markNanos;
    private boolean marked;
    private long bps;

    /** Takes a sample of {@code totalBytes} at {@code now}; the rate moves once an interval has passed. */
    void sample(long totalBytes, long now) {
        if (!marked) {
            marked = true;
            markBytes = totalBytes;
            markNanos = now;
            return;
        }
        long elapsed = now - markNanos;
        if (elapsed < INTERVAL_NANOS) return;
        bps = (long) (Math.max(0, totalBytes - markBytes) * 8e9 / elapsed);
        markBytes = totalBytes;
        markNanos = now;
    }

    /** Bits per second over the last completed interval (0 before one completed). */
    long bps() {
        return bps;
    }
}
