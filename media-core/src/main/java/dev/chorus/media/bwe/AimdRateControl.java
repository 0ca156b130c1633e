package dev.chorus.media.bwe;

/**
 * GCC's rate controller for the delay-based estimate (draft-ietf-rmcat-gcc-02 §5.5): over-use cuts the rate to
 * {@value #BETA} × the rate the receiver acknowledged, under-use holds it while queues drain, normal raises it —
 * multiplicatively (8 %/s) while the link capacity is unknown, additively (about one packet per response time)
 * once it is known (until the acknowledged rate goes past its upper bound).
 *
 * <p>The link capacity ({@link LinkCapacityEstimator}) is what the path has shown it carries: the acknowledged rate
 * at over-use and the rates probes proved. It keeps an <em>application-limited</em> sender's estimate where the link
 * is: when an SFU sends only audio and a low layer, the acknowledged rate is what it chose to send, not what the link
 * carries, and a key frame queueing for a moment in the bottleneck would otherwise cut the estimate to 0.85 × that
 * (on a 250 kbit/s link: ~150 kbit/s, too little for the layer being sent, so the video was paused, then resumed by a
 * probe with a key frame that caused the next cut, every ~2 s). So once the capacity is known an over-use cuts to
 * {@value #BETA} × the higher of the acknowledged rate and the capacity (the capacity only as far as the loss-based
 * estimate still allows it), and an acknowledged rate under the capacity's lower bound is not taken as a sample.
 * The capacity is forgotten when the link shows it changed: the acknowledged rate goes past its upper bound (faster;
 * a probe alone does not, see {@link #onProbeResult}), or the loss-based estimate is cut below its lower bound (slower: a sender above a shrunken link fills the
 * bottleneck's queue until it drops packets; {@link #forgetCapacity}).
 *
 * <p>An increase never goes past 1.5 × the acknowledged rate + 10 kbit/s (there is no point in an estimate the
 * sender cannot fill) or the known capacity, whichever is higher: a sender that paused a video may climb back to
 * what the link has shown without a probe. Nor past a known capacity's upper bound: only a probe goes beyond what
 * the link has shown. The caps stop an increase; they never lower the estimate. Sans-IO.
 */
public final class AimdRateControl {
    static final double BETA = 0.85;
    private static final long RESPONSE_TIME_MICROS = 200_000; // RTT 100 ms + 100 ms
    private static final int PACKET_BITS = 1200 * 8;

    private final long minBps;
    private final long maxBps;
    private final LinkCapacityEstimator capacity = new LinkCapacityEstimator();
    private long estimateBps;
    private long lastUpdateMicros = -1;
    private boolean holding;
    /**
     * After a gap ({@link #onGap}), until the receiver's acknowledged rate is measured again: the rate it acknowledged
     * just before the gap (-1 none). An over-use then cuts from it instead of from the estimate.
     */
    private long beforeGapBps = -1;
    private long decreases;
    private long cappedByCapacity;

    public AimdRateControl(long startBps, long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimateBps = Math.clamp(startBps, minBps, maxBps);
    }

    public long estimateBps() { return estimateBps; }
    /** Decreases for over-use so far: a decrease is the only sign of where the link's capacity lies. */
    public long decreases() { return decreases; }
    /** Over-use cuts that went to the link capacity instead of an application-limited acknowledged rate. */
    public long cutsFromCapacity() { return cappedByCapacity; }
    /** The link capacity estimate, or -1 unknown. */
    public long capacityBps() { return capacity.estimateBps(); }

    /** Sets the estimate directly (a successful probe proved this rate). */
    public void setEstimate(long bps, long nowMicros) {
        estimateBps = Math.clamp(bps, minBps, maxBps);
        lastUpdateMicros = nowMicros;
    }

    /**
     * A probe delivered {@code bps}; {@code filledLink}: its burst arrived spread out, so that is the link's capacity
     * (a sample), else a lower bound of it. A probe past a <em>known</em> capacity's upper bound does not move the
     * capacity (libwebrtc's link capacity estimator likewise takes a probe only while it knows nothing): a short
     * burst passes a token bucket at the burst's rate, so it can read above the link (seen on a 250 kbit/s tbf with
     * a 2,000-byte bucket: a 300 kbit/s probe of 50 ms measured 310 k, the whole burst fitting in the bucket; with
     * the capacity reset to it, every over-use cut to 0.85 × 310 k = 263 k, still above the link, and the lowest
     * layer overflowed it for seconds). The caller still raises the estimate to what the probe proved: if the link
     * did get faster, the acknowledged rate soon passes the upper bound and the capacity is relearned from it
     * ({@link #update}); if not, the next over-use cuts from the old capacity, below the link.
     */
    public void onProbeResult(long bps, boolean filledLink) {
        if (filledLink && bps <= capacity.upperBoundBps()) capacity.onSample(bps);
    }

    /** The link showed it carries less than the capacity (a loss-based decrease below it): forget the capacity. */
    public void forgetCapacity() {
        capacity.reset();
    }

    /** The capacity's upper bound ({@link Long#MAX_VALUE} unknown). */
    public long capacityUpperBoundBps() { return capacity.upperBoundBps(); }

    /** The capacity's lower bound (0 unknown). */
    public long capacityLowerBoundBps() { return capacity.lowerBoundBps(); }

    /**
     * The subscriber was silent and is back: nothing measured across the gap is an over-use; hold one round. Until
     * the acknowledged rate is measured again (a full window after the return), an over-use cuts from
     * {@code ackedBeforeBps}, what the receiver acknowledged just before the gap (-1 unknown), as it would have
     * without the gap: from the estimate instead, every feedback of one over-use would cut 0.85 × again (the
     * estimate of an application-limited sender, whose link capacity is unknown, fell from 2.45 Mbit/s to
     * 340 kbit/s within 400 ms in simulation when the receiver returned slow).
     */
    public void onGap(long ackedBeforeBps) {
        holding = true;
        beforeGapBps = ackedBeforeBps;
    }

    /** Applies the detector's state; {@code ackedBps} is the receiver's acknowledged rate (-1 unknown). */
    public long update(BandwidthUsage usage, long ackedBps, long nowMicros) {
        return update(usage, ackedBps, Long.MAX_VALUE, nowMicros);
    }

    /**
     * Applies the detector's state; {@code ackedBps} is the receiver's acknowledged rate (-1 unknown),
     * {@code lossBasedBps} the loss-based estimate (what the path carries as far as loss shows: a capacity above it
     * is no floor).
     */
    public long update(BandwidthUsage usage, long ackedBps, long lossBasedBps, long nowMicros) {
        return update(usage, ackedBps, lossBasedBps, true, nowMicros);
    }

    /**
     * As {@link #update(BandwidthUsage, long, long, long)}; {@code mayIncrease} false: a normal state does not raise
     * the estimate (a probe's own packets inflate the acknowledged rate until its verdict is in, see
     * {@link SendSideBandwidthEstimator}); an over-use still cuts it.
     */
    public long update(BandwidthUsage usage, long ackedBps, long lossBasedBps, boolean mayIncrease, long nowMicros) {
        long dt = lastUpdateMicros < 0 ? 0 : Math.min(nowMicros - lastUpdateMicros, 1_000_000);
        lastUpdateMicros = nowMicros;
        if (ackedBps > 0) beforeGapBps = -1; // measured again since the gap
        switch (usage) {
            case OVERUSING -> {
                overuse(ackedBps, lossBasedBps);
                holding = true;
            }
            case UNDERUSING -> holding = true;
            case NORMAL -> {
                if (holding) {
                    holding = false; // one round of hold before increasing again
                } else if (mayIncrease) {
                    estimateBps = increased(dt, ackedBps);
                }
            }
        }
        estimateBps = Math.clamp(estimateBps, minBps, maxBps);
        return estimateBps;
    }

    /**
     * {@code ackedBps} -1: no measurement yet (the cut is from the estimate, and it is no capacity sample). A known
     * capacity is the floor of the cut's base (as far as the loss-based estimate allows); an acknowledged rate under
     * the capacity's lower bound is an application-limited sender's, not a capacity sample.
     */
    private void overuse(long ackedBps, long lossBasedBps) {
        long measuredBps = ackedBps > 0 ? ackedBps : beforeGapBps; // right after a gap: what came before it
        long base = measuredBps > 0 ? measuredBps : estimateBps;
        if (capacity.known()) {
            // Without a measurement the capacity alone: 0.85 × the estimate on every feedback of one over-use
            // episode would compound.
            base = Math.max(measuredBps, Math.min(capacity.estimateBps(), lossBasedBps));
        }
        long decreased = (long) (BETA * base);
        if (decreased < estimateBps) {
            if (ackedBps > 0 && base > ackedBps) cappedByCapacity++;
            estimateBps = decreased;
            decreases++;
        }
        forgetCapacityIfPassed(ackedBps);
        if (ackedBps > 0 && ackedBps >= capacity.lowerBoundBps()) capacity.onSample(ackedBps);
    }

    /**
     * The link delivered well above where it last broke: it changed, search again (at an over-use the acknowledged
     * rate then starts the capacity afresh). The estimate above the bound is no such sign: an application-limited
     * sender's estimate may rise past it without being used. (Unknown, the bound is {@link Long#MAX_VALUE}.)
     */
    private void forgetCapacityIfPassed(long ackedBps) {
        if (ackedBps > capacity.upperBoundBps()) capacity.reset();
    }

    private long increased(long dtMicros, long ackedBps) {
        forgetCapacityIfPassed(ackedBps);
        long next;
        if (capacity.known()) {
            next = estimateBps + Math.max(1000, PACKET_BITS * dtMicros / RESPONSE_TIME_MICROS);
        } else {
            next = (long) (estimateBps * Math.pow(1.08, dtMicros / 1e6)) + 1;
        }
        if (ackedBps > 0) next = Math.min(next, Math.max((long) (1.5 * ackedBps) + 10_000, capacity.estimateBps()));
        // Nor past a known capacity's upper bound: an application-limited sender never fills the link, so nothing
        // would stop the climb (on a 170 k link with a 180 k capacity the estimate rose to 212 k, the allocator
        // switched the lowest layer to its full frame rate, and the link overflowed after every climb). A probe
        // takes the estimate above it ({@link #setEstimate}), and the acknowledged rate that follows the capacity.
        if (capacity.known()) next = Math.min(next, capacity.upperBoundBps());
        return Math.max(next, estimateBps); // the caps stop an increase, they never cause a decrease
    }
}
