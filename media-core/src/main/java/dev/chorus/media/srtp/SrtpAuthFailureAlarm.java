package dev.chorus.media.srtp;

/**
 * Decides when a transport's SRTP/SRTCP authentication failures are worth an operator's attention: a few failures
 * happen (a packet corrupted in flight, a late packet after a re-key), a burst does not (wrong keys after a broken
 * handshake, or somebody injecting packets on the participant's validated 5-tuple). The alarm fires when more than
 * {@code threshold} failures fall into one window of {@code windowNanos}, and then at most once per
 * {@code quietNanos} for the same transport, so a flood gives one WARN line per quiet period, not one per packet.
 *
 * <p>Sans-IO and allocation-free: fed the time of each failure by the thread that decrypts for this transport (the
 * room's worker), which owns the instance; the caller logs with the participant id.
 */
public final class SrtpAuthFailureAlarm {
    /** Defaults: more than 20 failures within 10 s; at most one alarm a minute per transport. */
    public static final int DEFAULT_THRESHOLD = 20;
    public static final long DEFAULT_WINDOW_NANOS = 10_000_000_000L;
    public static final long DEFAULT_QUIET_NANOS = 60_000_000_000L;

    private final int threshold;
    private final long windowNanos;
    private final long quietNanos;
    private long windowStart;
    private int inWindow;
    private boolean windowStarted;
    private long lastAlarm;
    private boolean alarmed;
    private long total;

    public SrtpAuthFailureAlarm() {
        this(DEFAULT_THRESHOLD, DEFAULT_WINDOW_NANOS, DEFAULT_QUIET_NANOS);
    }

    public SrtpAuthFailureAlarm(int threshold, long windowNanos, long quietNanos) {
        if (threshold < 1 || windowNanos <= 0 || quietNanos < 0) {
            throw new IllegalArgumentException("threshold >= 1, window > 0, quiet >= 0");
        }
        this.threshold = threshold;
        this.windowNanos = windowNanos;
        this.quietNanos = quietNanos;
    }

    /**
     * Records one authentication failure at {@code nowNanos} (a monotonic clock).
     *
     * @return true when this failure crosses the threshold and no alarm was raised within the quiet period: the
     *     caller logs one WARN now, with {@link #failuresInWindow()} and {@link #totalFailures()}
     */
    public boolean onFailure(long nowNanos) {
        total++;
        if (!windowStarted || nowNanos - windowStart >= windowNanos) {
            windowStarted = true;
            windowStart = nowNanos;
            inWindow = 0;
        }
        inWindow++;
        if (inWindow <= threshold) return false;
        if (alarmed && nowNanos - lastAlarm < quietNanos) return false;
        alarmed = true;
        lastAlarm = nowNanos;
        return true;
    }

    /** Failures in the current window (what the WARN line reports). */
    public int failuresInWindow() {
        return inWindow;
    }

    /** Every failure recorded since the transport started. */
    public long totalFailures() {
        return total;
    }

    public long windowSeconds() {
        return windowNanos / 1_000_000_000L;
    }
}
