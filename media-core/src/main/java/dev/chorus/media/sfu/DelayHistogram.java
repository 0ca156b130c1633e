package dev.chorus.media.sfu;

/**
 * A fixed-bucket histogram of delays inside the server (nanoseconds in, counts out), for the latency tail: how long
 * a published packet waits between the UDP event loop's hand-over and the worker picking it up, and until the
 * worker has sent everything it made of it. Recording is a binary search over two dozen bounds and one increment: no
 * allocation, no lock. Single writer (the worker); Micrometer reads the counts from another thread, slightly stale
 * like {@link SfuCounters}.
 */
final class DelayHistogram {
    /**
     * Upper bounds of the buckets in microseconds; a last, unbounded bucket follows. Fine between 0.5 and 10 ms (steps
     * of 250 µs to 2 ms, then 500 µs, then 1 ms) so that a p99 around the 5 ms target can be read to within a
     * step, not just "between 5 and 10 ms".
     */
    static final long[] BOUNDS_MICROS = {50, 100, 250, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000, 2_500, 3_000, 3_500,
            4_000, 4_500, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 15_000, 25_000, 50_000, 100_000};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_MICROS.length];

    static {
        for (int i = 0; i < BOUNDS_MICROS.length; i++) BOUNDS_NANOS[i] = BOUNDS_MICROS[i] * 1_000;
    }

    private final long[] counts = new long[BOUNDS_MICROS.length + 1];

    /** Counts one delay; a negative one (clock skew between threads' reads) counts as zero. */
    void record(long nanos) {
        int lo = 0, hi = BOUNDS_NANOS.length; // the first bound >= nanos, or the unbounded bucket
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (BOUNDS_NANOS[mid] < nanos) lo = mid + 1;
            else hi = mid;
        }
        counts[lo]++;
    }

    /** Delays at most {@code BOUNDS_MICROS[bucket]} (cumulative, like a Prometheus histogram's buckets); all of them for the last bucket. */
    long cumulativeCount(int bucket) {
        long n = 0;
        for (int i = 0; i <= bucket; i++) n += counts[i];
        return n;
    }

    /** Number of buckets, the unbounded one included. */
    static int buckets() {
        return BOUNDS_MICROS.length + 1;
    }

    /** The label of a bucket: its bound in seconds (Prometheus' base unit), or {@code +Inf}. */
    static String le(int bucket) {
        return bucket < BOUNDS_MICROS.length ? Double.toString(BOUNDS_MICROS[bucket] / 1e6) : "+Inf";
    }
}
