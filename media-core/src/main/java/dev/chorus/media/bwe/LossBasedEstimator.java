package dev.chorus.media.bwe;

/**
 * The loss-based half of GCC (draft-ietf-rmcat-gcc-02 §6): over each report interval of at least
 * {@value #MIN_PACKETS} packets, loss under 2 % raises the estimate by 8 % (at most once per second of feedback),
 * loss over 10 % lowers it to {@code rate × (1 − 0.5 × loss)} (at most once per {@value #DECREASE_INTERVAL_MICROS}
 * µs, so one burst is not counted twice), anything between holds it. Sans-IO.
 */
public final class LossBasedEstimator {
    static final int MIN_PACKETS = 20;
    static final long DECREASE_INTERVAL_MICROS = 300_000;
    private static final long INCREASE_INTERVAL_MICROS = 1_000_000;

    private final long minBps;
    private final long maxBps;
    private long estimateBps;
    private int lost;
    private int total;
    private long lastDecreaseMicros = Long.MIN_VALUE / 2;
    private long lastIncreaseMicros = Long.MIN_VALUE / 2;
    private double lastLossRatio;
    private long decreases;

    public LossBasedEstimator(long startBps, long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimateBps = Math.clamp(startBps, minBps, maxBps);
    }

    public long estimateBps() { return estimateBps; }
    /** Decreases for loss so far. */
    public long decreases() { return decreases; }
    /** Loss ratio of the last complete report interval. */
    public double lossRatio() { return lastLossRatio; }

    /**
     * Counts statuses of one feedback; when an interval is complete, updates the estimate. {@code ceilingBps} is
     * what an increase may not pass (the delay-based estimate: loss alone never raises the rate above it).
     */
    public long onStatuses(int lostNow, int totalNow, long ceilingBps, long nowMicros) {
        lost += lostNow;
        total += totalNow;
        if (total < MIN_PACKETS) return estimateBps;
        double loss = (double) lost / total;
        lastLossRatio = loss;
        lost = 0;
        total = 0;
        if (loss < 0.02) {
            if (nowMicros - lastIncreaseMicros >= INCREASE_INTERVAL_MICROS) {
                estimateBps = Math.max(estimateBps, Math.min((long) (estimateBps * 1.08) + 1000, ceilingBps));
                lastIncreaseMicros = nowMicros;
            }
        } else if (loss > 0.10) {
            if (nowMicros - lastDecreaseMicros >= DECREASE_INTERVAL_MICROS) {
                estimateBps = (long) (estimateBps * (1 - 0.5 * loss));
                lastDecreaseMicros = nowMicros;
                decreases++;
            }
        }
        estimateBps = Math.clamp(estimateBps, minBps, maxBps);
        return estimateBps;
    }

    /** Lets the loss-based estimate follow a higher proven rate (a successful probe). */
    public void raiseTo(long bps) {
        estimateBps = Math.clamp(Math.max(estimateBps, bps), minBps, maxBps);
    }
}
