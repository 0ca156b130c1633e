package dev.chorus.media.simulcast;

/**
 * How long one subscriber waits before its next probe. A probe the path could not carry doubles the wait before the
 * next probe at (or above 90 % of) the rate that failed, up to {@link #MAX_INTERVAL_NANOS}; probes well below that
 * rate wait only {@link #INTERVAL_NANOS}. A success near the failed rate ends the back-off, but only
 * <em>provisionally</em>: if the estimate is cut (an over-use or a loss-based decrease) within {@link #REFUTE_NANOS}
 * of it and the link has not meanwhile delivered more than it had shown before the probe (the acknowledged rate
 * above the capacity's upper bound at the success), the path did not carry the rate after all and the success counts
 * as a failure from the back-off it ended. Until a cut success is decided, no probe starts.
 *
 * <p>Why a success can be refuted: a probe measures a short burst, and a token bucket in the path passes a burst at
 * its own rate until the bucket is empty (a 250 kbit/s tbf with a 2,000-byte bucket passed a 50 ms, 300 kbit/s
 * probe whole: 310 k "proved"). Without the refutation each such success reset the wait to 2 s, so the subscriber
 * was switched up past its link, overflowed it and froze every few seconds. Sans-IO.
 */
final class ProbeBackoff {
    /** A probe is not repeated sooner (probing costs the subscriber's bandwidth). */
    static final long INTERVAL_NANOS = 2_000_000_000L;
    /**
     * The longest wait: the SFU cannot see a link get faster (nothing tells it but a probe), and a subscriber whose
     * link was lifted should get its layers back within seconds, as libwebrtc's periodic probing in
     * application-limited periods does.
     */
    static final long MAX_INTERVAL_NANOS = 8_000_000_000L;
    /**
     * A cut this soon after a success refutes it: the allocator switches up on the next allocation (250 ms), the
     * higher layer starts at its next key or sync frame, and a link it overflows shows a growing delay within about a
     * second; 3 s covers that with room while a link that really got faster has long shown it.
     */
    static final long REFUTE_NANOS = 3_000_000_000L;
    private static final long NONE = Long.MIN_VALUE;

    private long interval = INTERVAL_NANOS;
    /** The lowest rate a probe failed to reach since the last standing success. */
    private long failedBps = Long.MAX_VALUE;
    /** A success that may still be refuted: since when, at what rate, the estimator's cuts then, the state it ended. */
    private long pendingSinceNanos = NONE;
    private long pendingBps;
    private long pendingCuts;
    /** The link capacity's upper bound at the success: an acknowledged rate above it confirms the probe. */
    private long pendingConfirmBps;
    private boolean pendingCut;
    private long intervalBefore;
    private long failedBefore;
    private long refuted;

    /** The wait before a probe towards {@code targetBps} may start (from the previous probe's start). */
    long waitFor(long targetBps) {
        if (pendingCut) return Long.MAX_VALUE; // the verdict on the last success comes first
        if (failedBps == Long.MAX_VALUE) return interval; // nothing failed (failedBps * 9 would overflow)
        return targetBps * 10 >= failedBps * 9 ? interval : INTERVAL_NANOS;
    }

    /** A new wish of the subscriber (another layer wanted): a fresh try, nothing pending. */
    void reset() {
        interval = INTERVAL_NANOS;
        failedBps = Long.MAX_VALUE;
        pendingSinceNanos = NONE;
        pendingCut = false;
    }

    /** A probe towards {@code probedBps} failed (or proved less than needed). */
    void onFailure(long probedBps) {
        failedBps = Math.min(failedBps, probedBps);
        interval = Math.min(interval * 2, MAX_INTERVAL_NANOS);
    }

    /**
     * A probe towards {@code probedBps} proved it; {@code cuts} is the estimator's count of decreases so far,
     * {@code capacityUpperBps} its link capacity's upper bound ({@link Long#MAX_VALUE} unknown). Near the rate that
     * failed (a probe for the same layer: targets differ with the estimate) the back-off ends (after a 250 kbit/s link
     * was lifted, a success at 529 k next to a failure at 611 k kept the 8 s wait, and the top layer came 15.6 s after
     * the lift); a probe far below (for the lowest layer) says nothing about the failed rate.
     */
    void onSuccess(long probedBps, long cuts, long capacityUpperBps, long nowNanos) {
        intervalBefore = interval;
        failedBefore = failedBps;
        pendingSinceNanos = nowNanos;
        pendingBps = probedBps;
        pendingCuts = cuts;
        pendingConfirmBps = capacityUpperBps;
        pendingCut = false;
        if (probedBps >= failedBps / 4 * 3) {
            failedBps = Long.MAX_VALUE;
            interval = INTERVAL_NANOS;
        }
    }

    /**
     * Every allocation: {@code cuts} is the estimator's count of decreases so far, {@code ackedBps} the rate the
     * subscriber acknowledges. A cut alone does not decide: the up-switch a true probe allowed starts with a key frame
     * that may queue for a moment and cut the estimate before the acknowledged rate (a 500 ms window) shows the higher
     * layer arriving (seen on the 800 kbit/s link: a cut at 294 k acknowledged, then 429-506 k acknowledged, far past
     * the 271 k capacity's bound). So a cut marks the success and the window decides: confirmed as soon as the
     * acknowledged rate passes the capacity's bound, refuted if the window ends after a cut without that.
     */
    void onTick(long cuts, long ackedBps, long nowNanos) {
        if (pendingSinceNanos == NONE) return;
        if (ackedBps > pendingConfirmBps) {
            pendingSinceNanos = NONE; // the link carried more than it had shown: the probe was right
            pendingCut = false;
            return;
        }
        if (cuts != pendingCuts) pendingCut = true;
        if (nowNanos - pendingSinceNanos < REFUTE_NANOS) return;
        if (pendingCut) {
            refuted++;
            failedBps = Math.min(failedBefore, pendingBps);
            interval = Math.min(intervalBefore * 2, MAX_INTERVAL_NANOS);
        }
        pendingSinceNanos = NONE;
        pendingCut = false;
    }

    /** Successes refuted by a cut soon after. */
    long refuted() { return refuted; }

    /** The current wait for probes at or above the failed rate (for tests and diagnostics). */
    long interval() { return interval; }
}
