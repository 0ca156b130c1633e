package dev.chorus.media.bwe;

/**
 * The delay-based half of Google Congestion Control (draft-ietf-rmcat-gcc-02 §5, libwebrtc's trendline filter):
 * packets are grouped into bursts by send time (5 ms); for each pair of groups the one-way delay variation
 * (arrival spacing minus send spacing) is accumulated and smoothed, and the slope of a least-squares line through
 * the last {@value #WINDOW} points tells whether queues grow. The slope, scaled by the number of samples, is
 * compared with a threshold that adapts to the observed noise so that competing TCP flows do not starve us.
 * Fed with send and arrival times in microseconds (arrival on the receiver's clock); sans-IO, no allocation.
 */
public final class TrendlineEstimator {
    static final int WINDOW = 20;
    private static final long BURST_MICROS = 5_000;
    private static final double SMOOTHING = 0.9;
    private static final double THRESHOLD_GAIN = 4.0;
    private static final double K_UP = 0.0087;
    private static final double K_DOWN = 0.039;
    private static final double OVERUSE_TIME_MS = 10;

    // Current and previous group (first send time, last send and arrival time).
    private long groupFirstSend = -1;
    private long groupLastSend;
    private long groupLastArrival;
    private boolean havePrevious;
    private long prevLastSend;
    private long prevLastArrival;

    private long firstArrival = -1;
    private double accumulatedDelayMs;
    private double smoothedDelayMs;
    private final double[] xs = new double[WINDOW];
    private final double[] ys = new double[WINDOW];
    private int samples;
    private int numDeltas;
    private double trend;
    private double prevTrend;
    private double threshold = 12.5;
    private long lastThresholdUpdateMicros = -1;
    private double timeOverUsingMs = -1;
    private int overuseCounter;
    private BandwidthUsage state = BandwidthUsage.NORMAL;

    /** One received packet; returns the detector state after it. Packets must come in send order. */
    public BandwidthUsage onPacket(long sendMicros, long arrivalMicros) {
        if (groupFirstSend < 0) {
            startGroup(sendMicros, arrivalMicros);
            return state;
        }
        if (sendMicros < groupLastSend) return state; // reordered in sending: ignore
        if (sendMicros - groupFirstSend <= BURST_MICROS) {
            groupLastSend = sendMicros;
            groupLastArrival = Math.max(groupLastArrival, arrivalMicros);
            return state;
        }
        // The current group is complete: compare it with the previous one.
        if (havePrevious) {
            double sendDeltaMs = (groupLastSend - prevLastSend) / 1000.0;
            double arrivalDeltaMs = (groupLastArrival - prevLastArrival) / 1000.0;
            update(arrivalDeltaMs - sendDeltaMs, sendDeltaMs, groupLastArrival);
        }
        havePrevious = true;
        prevLastSend = groupLastSend;
        prevLastArrival = groupLastArrival;
        startGroup(sendMicros, arrivalMicros);
        return state;
    }

    public BandwidthUsage state() { return state; }

    /**
     * Starts afresh (the subscriber was silent: a delay trend across the gap, or one fitted to points before it,
     * means nothing). The adapted threshold is kept: it describes the path's noise, which the gap did not change.
     */
    public void reset() {
        groupFirstSend = -1;
        havePrevious = false;
        firstArrival = -1;
        accumulatedDelayMs = 0;
        smoothedDelayMs = 0;
        samples = 0;
        numDeltas = 0;
        trend = 0;
        prevTrend = 0;
        lastThresholdUpdateMicros = -1;
        timeOverUsingMs = -1;
        overuseCounter = 0;
        state = BandwidthUsage.NORMAL;
    }
    /** The last slope (ms of delay growth per ms). */
    public double trend() { return trend; }
    public double threshold() { return threshold; }

    private void startGroup(long send, long arrival) {
        groupFirstSend = send;
        groupLastSend = send;
        groupLastArrival = arrival;
    }

    private void update(double delayVariationMs, double sendDeltaMs, long arrivalMicros) {
        if (firstArrival < 0) firstArrival = arrivalMicros;
        numDeltas = Math.min(numDeltas + 1, 1000);
        accumulatedDelayMs += delayVariationMs;
        smoothedDelayMs = SMOOTHING * smoothedDelayMs + (1 - SMOOTHING) * accumulatedDelayMs;
        int i = samples % WINDOW;
        xs[i] = (arrivalMicros - firstArrival) / 1000.0;
        ys[i] = smoothedDelayMs;
        samples++;
        if (samples >= WINDOW) {
            prevTrend = trend;
            trend = slope();
        }
        detect(sendDeltaMs, arrivalMicros);
    }

    private double slope() {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < WINDOW; i++) {
            mx += xs[i];
            my += ys[i];
        }
        mx /= WINDOW;
        my /= WINDOW;
        double num = 0;
        double den = 0;
        for (int i = 0; i < WINDOW; i++) {
            num += (xs[i] - mx) * (ys[i] - my);
            den += (xs[i] - mx) * (xs[i] - mx);
        }
        return den == 0 ? trend : num / den;
    }

    private void detect(double sendDeltaMs, long nowMicros) {
        double modified = Math.min(numDeltas, 60) * trend * THRESHOLD_GAIN;
        if (modified > threshold) {
            timeOverUsingMs = timeOverUsingMs < 0 ? sendDeltaMs / 2 : timeOverUsingMs + sendDeltaMs;
            overuseCounter++;
            if (timeOverUsingMs > OVERUSE_TIME_MS && overuseCounter > 1 && trend >= prevTrend) {
                timeOverUsingMs = 0;
                overuseCounter = 0;
                state = BandwidthUsage.OVERUSING;
            }
        } else if (modified < -threshold) {
            timeOverUsingMs = -1;
            overuseCounter = 0;
            state = BandwidthUsage.UNDERUSING;
        } else {
            timeOverUsingMs = -1;
            overuseCounter = 0;
            state = BandwidthUsage.NORMAL;
        }
        adaptThreshold(modified, nowMicros);
    }

    private void adaptThreshold(double modified, long nowMicros) {
        if (lastThresholdUpdateMicros < 0) lastThresholdUpdateMicros = nowMicros;
        double abs = Math.abs(modified);
        if (abs > threshold + 15) { // a spike (e.g. a route change): do not let it drag the threshold
            lastThresholdUpdateMicros = nowMicros;
            return;
        }
        double k = abs < threshold ? K_DOWN : K_UP;
        double dtMs = Math.min((nowMicros - lastThresholdUpdateMicros) / 1000.0, 100);
        threshold = Math.clamp(threshold + k * (abs - threshold) * dtMs, 6.0, 600.0);
        lastThresholdUpdateMicros = nowMicros;
    }
}
