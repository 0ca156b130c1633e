package dev.chorus.media.bwe;

/**
 * The rate at which the receiver acknowledged our packets, over the last {@value #WINDOW_MICROS} µs of arrival
 * time (receiver clock): what the path actually delivered, which GCC decreases from. Buckets of 50 ms in a ring;
 * sans-IO, no allocation.
 */
public final class AckedBitrate {
    static final long WINDOW_MICROS = 500_000;
    private static final long BUCKET_MICROS = 50_000;
    private static final int BUCKETS = (int) (WINDOW_MICROS / BUCKET_MICROS);

    private final long[] bytes = new long[BUCKETS];
    private final long[] bucketIndex = new long[BUCKETS];
    private long newestBucket = Long.MIN_VALUE;
    private long firstArrival = -1;

    public AckedBitrate() {
        java.util.Arrays.fill(bucketIndex, Long.MIN_VALUE);
    }

    /** {@code size} bytes arrived at {@code arrivalMicros}. */
    public void onAcked(int size, long arrivalMicros) {
        if (firstArrival < 0) firstArrival = arrivalMicros;
        long b = Math.floorDiv(arrivalMicros, BUCKET_MICROS);
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
}
