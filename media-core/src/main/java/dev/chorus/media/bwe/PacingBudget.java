package dev.chorus.media.bwe;

/**
 * A leaky-bucket pacer budget for one subscriber's egress: media may leave at {@code rate × factor} with a burst
 * of {@code burstMicros} worth of bytes, so a key frame of the top layer does not hit the path as one line-rate
 * burst that the delay-based estimator (and the bottleneck's queue) would see as congestion. The egress asks
 * {@link #tryConsume} per packet and holds (or for padding: skips) what does not fit; the caller owns the queue.
 * Audio should bypass it (small, latency-critical). Sans-IO, no allocation.
 */
public final class PacingBudget {
    /** libwebrtc paces at 2.5 × the estimate: the pacer smooths bursts, it is not the congestion controller. */
    public static final double DEFAULT_FACTOR = 2.5;

    private final double factor;
    private final long burstMicros;
    private long rateBps;
    private double bytes;
    private long lastMicros = -1;

    public PacingBudget(long rateBps, double factor, long burstMicros) {
        this.factor = factor;
        this.burstMicros = burstMicros;
        this.rateBps = rateBps;
    }

    /** Follows the estimate. */
    public void setRate(long rateBps) { this.rateBps = rateBps; }

    private void refill(long nowMicros) {
        if (lastMicros >= 0 && nowMicros > lastMicros) {
            bytes += rateBps * factor * (nowMicros - lastMicros) / 8e6;
        }
        lastMicros = Math.max(lastMicros, nowMicros);
        double cap = rateBps * factor * burstMicros / 8e6;
        if (bytes > cap) bytes = cap;
    }

    /** True (and the budget is charged) if {@code size} bytes may leave now. */
    public boolean tryConsume(int size, long nowNanos) {
        refill(nowNanos / 1000);
        if (bytes < 0) return false;
        bytes -= size; // may go negative by one packet: a packet is never split
        return true;
    }

    /** Microseconds until the budget allows sending again (0 = now). */
    public long waitMicros(long nowNanos) {
        refill(nowNanos / 1000);
        if (bytes >= 0 || rateBps == 0) return 0;
        return (long) Math.ceil(-bytes * 8e6 / (rateBps * factor));
    }
}
