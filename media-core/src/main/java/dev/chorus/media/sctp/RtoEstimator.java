package dev.chorus.media.sctp;

/** Retransmission timeout from RTT samples (RFC 9260 section 6.3.1), with exponential back-off on expiry. */
final class RtoEstimator {
    private final long min;
    private final long max;
    private double srtt = -1;
    private double rttvar;
    private long rto;

    RtoEstimator(long initial, long min, long max) {
        this.min = min;
        this.max = max;
        this.rto = Math.clamp(initial, min, max);
    }

    void sample(long rttMillis) {
        double r = Math.max(0, rttMillis);
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
        rto = Math.clamp((long) Math.ceil(srtt + 4 * rttvar), min, max);
    }

    void backOff() { rto = Math.min(max, rto * 2); }

    long rto() { return rto; }

    double srtt() { return srtt; }
}
