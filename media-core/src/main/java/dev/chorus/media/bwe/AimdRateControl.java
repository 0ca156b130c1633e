package dev.chorus.media.bwe;

/**
 * GCC's rate controller for the delay-based estimate (draft-ietf-rmcat-gcc-02 §5.5): over-use cuts the rate to
 * {@value #BETA} × the rate the receiver acknowledged, under-use holds it while queues drain, normal raises it —
 * multiplicatively (8 %/s) while the link capacity is unknown, additively (about one packet per response time)
 * once a decrease has shown the link capacity (until the estimate goes 3 σ past it). An increase never goes past 1.5 × the
 * acknowledged rate + 10 kbit/s (there is no point in an estimate the sender cannot fill). Sans-IO.
 */
public final class AimdRateControl {
    static final double BETA = 0.85;
    private static final long RESPONSE_TIME_MICROS = 200_000; // RTT 100 ms + 100 ms
    private static final int PACKET_BITS = 1200 * 8;

    private final long minBps;
    private final long maxBps;
    private long estimateBps;
    private long lastUpdateMicros = -1;
    private boolean holding;
    /** Rate at the last decrease (an estimate of link capacity), smoothed; -1 unknown. */
    private double capacityBps = -1;
    private double capacityVar = 0.4;
    private long decreases;

    public AimdRateControl(long startBps, long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.estimateBps = Math.clamp(startBps, minBps, maxBps);
    }

    public long estimateBps() { return estimateBps; }
    /** Decreases for over-use so far: a decrease is the only sign of where the link's capacity lies. */
    public long decreases() { return decreases; }

    /** Sets the estimate directly (a successful probe proved this rate). */
    public void setEstimate(long bps, long nowMicros) {
        estimateBps = Math.clamp(bps, minBps, maxBps);
        lastUpdateMicros = nowMicros;
    }

    /** Applies the detector's state; {@code ackedBps} is the receiver's acknowledged rate (-1 unknown). */
    public long update(BandwidthUsage usage, long ackedBps, long nowMicros) {
        long dt = lastUpdateMicros < 0 ? 0 : Math.min(nowMicros - lastUpdateMicros, 1_000_000);
        lastUpdateMicros = nowMicros;
        switch (usage) {
            case OVERUSING -> {
                long base = ackedBps > 0 ? ackedBps : estimateBps;
                long decreased = (long) (BETA * base);
                if (decreased < estimateBps) {
                    noteCapacity(ackedBps > 0 ? ackedBps : estimateBps);
                    estimateBps = decreased;
                    decreases++;
                }
                holding = true;
            }
            case UNDERUSING -> holding = true;
            case NORMAL -> {
                if (holding) {
                    holding = false; // one round of hold before increasing again
                } else {
                    estimateBps = increased(dt, ackedBps);
                }
            }
        }
        estimateBps = Math.clamp(estimateBps, minBps, maxBps);
        return estimateBps;
    }

    private long increased(long dtMicros, long ackedBps) {
        if (capacityBps > 0 && estimateBps > capacityBps + 3 * capacityDeviationBps()) {
            capacityBps = -1; // well above where it last broke: the link changed, search again
        }
        long next;
        if (capacityBps > 0) {
            next = estimateBps + Math.max(1000, PACKET_BITS * dtMicros / RESPONSE_TIME_MICROS);
        } else {
            next = (long) (estimateBps * Math.pow(1.08, dtMicros / 1e6)) + 1;
        }
        if (ackedBps > 0) next = Math.min(next, (long) (1.5 * ackedBps) + 10_000);
        return Math.max(next, estimateBps); // the cap stops an increase, it never causes a decrease
    }

    /** Standard deviation of the capacity estimate (libwebrtc keeps the variance normalised in kbit/s). */
    private double capacityDeviationBps() {
        return Math.sqrt(capacityVar * capacityBps / 1000) * 1000;
    }

    private void noteCapacity(long bps) {
        if (capacityBps < 0) {
            capacityBps = bps;
            return;
        }
        double errKbps = (bps - capacityBps) / 1000;
        capacityBps = 0.95 * capacityBps + 0.05 * bps;
        capacityVar = Math.clamp(0.95 * capacityVar + 0.05 * errKbps * errKbps / Math.max(capacityBps / 1000, 1), 0.4, 2.5);
    }
}
