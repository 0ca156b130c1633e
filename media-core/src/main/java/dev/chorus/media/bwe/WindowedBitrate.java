package dev.chorus.media.bwe;

/**
 * A byte rate over the last {@value #WINDOW_MICROS} µs of one clock: fed with arrival times (receiver clock) it is
 * the rate the receiver acknowledged, what the path actually delivered and GCC decreases from; fed with send times it
 * is what the sender sent (by kind: media, retransmissions, probes). Buckets of 50 ms in a ring; sans-IO, no
 * allocation.
 */
public final class WindowedBitrate {
    static final long WINDOW_MICROS = 500_000;
    private static final long BUCKET_MICROS = 50_000;
    private static final int BUCKETS = (int) (WINDOW_MICROS / BUCKET_MICROS);

    private final long[] bytes = new long[BUCKETS];
    private final long[] bucketIndex = new long[BUCKETS];
    private long newestBucket = Long.MIN_VALUE;
    private long firstArrival = -1;

    public WindowedBitrate() {
        java.util.Arrays.fill(bucketIndex, Long.MIN_VALUE);
    }

    /**
     * Forgets everything: the next {@link #bps} is -1 until a full window was seen again (after a gap in the
     * feedback a half-empty window would read as a collapse of the rate).
     */
    public void reset() {
        java.util.Arrays.fill(bucketIndex, Long.MIN_VALUE);
        java.util.Arrays.fill(bytes, 0);
        newestBucket = Long.MIN_VALUE;
        firstArrival = -1;
    }

    /** {@code size} bytes at {@code arrivalMicros} (or send time). */
    public void add(int size, long arrivalMicros) {
        long b = Math.floorDiv(arrivalMicros, BUCKET_MICROS);
        // The first, or the first after a silence longer than the window (nothing of before is in the window now):
        // the window is full a window from here, not at once. (Packets that arrived before a subscriber's silence
        // and are reported only after it, reset or not, would otherwise make it "full" with the few since.)
        if (firstArrival < 0 || newestBucket != Long.MIN_VALUE && b >= newestBucket + BUCKETS) firstArrival = arrivalMicros;
        if (newestBucket != Long.MIN_VALUE && b <= newestBucket - BUCKETS) return; // older than the window
        int slot = (int) Math.floorMod(b, BUCKETS);
        if (bucketIndex[slot] != b) {
            bucketIndex[slot] = b;
            bytes[slot] = 0;
        }
        bytes[slot] += size;
        if (b > newestBucket) newestBucket = b;
    }

    /** Bits per second over the window ending at the newest arrival, or -1 before a full window was seen. */
    public long bps() {
        if (newestBucket == Long.MIN_VALUE || (newestBucket + 1) * BUCKET_MICROS - firstArrival < WINDOW_MICROS) {
            return -1;
        }
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketIndex[i] > newestBucket - BUCKETS) sum += bytes[i];
        }
        return sum * 8 * 1_000_000 / WINDOW_MICROS;
    }

    /**
     * Bits per second over the window ending at {@code nowMicros} (what was not added in it counts as nothing, so a
     * sender that stopped reads 0): for send-time rates, which are known up to now.
     */
    public long bpsAt(long nowMicros) {
        long now = Math.floorDiv(nowMicros, BUCKET_MICROS);
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketIndex[i] > now - BUCKETS && bucketIndex[i] <= now) sum += bytes[i];
        }
        return sum * 8 * 1_000_000 / WINDOW_MICROS;
    }
}
