package dev.chorus.media.bwe;

/**
 * What the path has shown it carries: an exponentially smoothed average of the rates measured when the link was
 * full (the acknowledged rate at an over-use, a probe's delivered rate), with its variance, as libwebrtc's link
 * capacity estimator keeps it. The caller decides when a measurement shows that the link changed (outside the
 * estimate ± 3 σ) and {@link #reset}s it; the next sample then starts it afresh. The variance is normalised by the estimate in kbit/s (so σ grows with √rate) and clamped to
 * [{@value #MIN_VAR}, {@value #MAX_VAR}]. Sans-IO, no allocation.
 */
public final class LinkCapacityEstimator {
    static final double ALPHA = 0.05;
    static final double MIN_VAR = 0.4;
    static final double MAX_VAR = 2.5;

    private double estimateBps = -1;
    private double var = MIN_VAR;

    public boolean known() { return estimateBps > 0; }

    /** The smoothed capacity, or -1 unknown. */
    public long estimateBps() { return (long) estimateBps; }

    /** Estimate − 3 σ (0 when unknown). */
    public long lowerBoundBps() { return known() ? Math.max(0, (long) (estimateBps - 3 * deviationBps())) : 0; }

    /** Estimate + 3 σ ({@link Long#MAX_VALUE} when unknown). */
    public long upperBoundBps() { return known() ? (long) (estimateBps + 3 * deviationBps()) : Long.MAX_VALUE; }

    /** A rate the full link delivered. */
    public void onSample(long bps) {
        if (bps <= 0) return;
        if (!known()) {
            estimateBps = bps;
            var = MIN_VAR;
            return;
        }
        double errKbps = (bps - estimateBps) / 1000;
        estimateBps = (1 - ALPHA) * estimateBps + ALPHA * bps;
        var = Math.clamp((1 - ALPHA) * var + ALPHA * errKbps * errKbps / Math.max(estimateBps / 1000, 1), MIN_VAR, MAX_VAR);
    }

    /** Forgets the capacity (the link changed, or a measurement can no longer be trusted). */
    public void reset() {
        estimateBps = -1;
        var = MIN_VAR;
    }

    private double deviationBps() {
        return Math.sqrt(var * estimateBps / 1000) * 1000;
    }
}
