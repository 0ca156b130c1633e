package dev.chorus.media.bwe;

/**
 * Send-side bandwidth estimation for one subscriber transport from its transport-cc feedback, as Google Congestion
 * Control does it: the delay-based estimate ({@link TrendlineEstimator} + {@link AimdRateControl}) and the
 * loss-based one ({@link LossBasedEstimator}); the estimate is the lower of the two. Probes ({@link ProbeCluster})
 * let the estimate jump to a proven rate instead of creeping up 8 %/s when the allocator wants to switch a
 * subscriber up.
 *
 * <p>The egress tells it each packet it sends with its transport-wide sequence number ({@link #onPacketSent}); the
 * subscriber's feedback goes to {@link #onFeedback}. A malformed feedback is refused whole and counted. Sans-IO,
 * single thread (the subscriber's worker); no allocation per packet.
 */
public final class SendSideBandwidthEstimator implements TransportCcFeedbackReader.Sink {
    /** Default start: enough for audio and a low layer, as browsers start (300 kbit/s). */
    public static final long DEFAULT_START_BPS = 300_000;
    public static final long DEFAULT_MIN_BPS = 30_000;
    public static final long DEFAULT_MAX_BPS = 20_000_000;
    /** A probe proves this fraction of what it measured (measurement noise). */
    static final double PROBE_SAFETY = 0.95;

    private final SendHistory history = new SendHistory(8192);
    private final TransportCcFeedbackReader reader = new TransportCcFeedbackReader();
    private final TrendlineEstimator trendline = new TrendlineEstimator();
    private final AimdRateControl aimd;
    private final LossBasedEstimator loss;
    private final AckedBitrate acked = new AckedBitrate();

    private ProbeCluster probe;
    private int nextProbeId;
    private long probesStarted;
    private long probesSucceeded;
    private long malformedFeedback;
    private long feedbacks;

    // Per-feedback scratch, filled by the reader's callbacks.
    private int fbLost;
    private int fbTotal;

    public SendSideBandwidthEstimator() {
        this(DEFAULT_START_BPS, DEFAULT_MIN_BPS, DEFAULT_MAX_BPS);
    }

    public SendSideBandwidthEstimator(long startBps, long minBps, long maxBps) {
        aimd = new AimdRateControl(startBps, minBps, maxBps);
        loss = new LossBasedEstimator(startBps, minBps, maxBps);
    }

    /** A media (or RTX) packet left with transport-wide sequence {@code seq16}, {@code bytes} on the wire. */
    public void onPacketSent(int seq16, int bytes, long nowNanos) {
        long now = nowNanos / 1000;
        if (probe != null && !probe.sendingDone(now)) {
            // Media sent during a probe is part of its burst (padding only tops it up to the target rate), as in
            // libwebrtc: the probe then measures the total rate the path carried.
            history.onSent(seq16, bytes, now, probe.id);
            probe.onSent(bytes, now);
            return;
        }
        history.onSent(seq16, bytes, now, SendHistory.NO_PROBE);
    }

    /** A probe packet (padding or RTX) of the active probe left; without an active probe it counts as media. */
    public void onProbeSent(int seq16, int bytes, long nowNanos) {
        long now = nowNanos / 1000;
        if (probe == null) {
            history.onSent(seq16, bytes, now, SendHistory.NO_PROBE);
            return;
        }
        history.onSent(seq16, bytes, now, probe.id);
        probe.onSent(bytes, now);
    }

    /**
     * Starts a probe towards {@code targetBps} unless one runs or the estimate is already there; returns it (the
     * caller tops media up with {@link ProbeCluster#bytesDue} of padding until {@link ProbeCluster#sendingDone};
     * media sent meanwhile counts towards the burst), or null.
     */
    public ProbeCluster startProbe(long targetBps, long nowNanos) {
        long now = nowNanos / 1000;
        if (probe != null && now - probe.startMicros < ProbeCluster.TIMEOUT_MICROS) return null;
        probe = null;
        if (targetBps <= estimateBps()) return null;
        probe = new ProbeCluster(nextProbeId++ & 0x7FFF_FFFF, targetBps, now);
        probesStarted++;
        return probe;
    }

    /**
     * Forgets a probe whose feedback did not come within {@link ProbeCluster#TIMEOUT_MICROS} (its packets were all
     * lost, or no feedback arrives while nothing else is sent), so the next one can start. Call on a timer.
     */
    public void expireProbe(long nowNanos) {
        if (probe != null && nowNanos / 1000 - probe.startMicros > ProbeCluster.TIMEOUT_MICROS) probe = null;
    }

    /** The probe in progress, or null. */
    public ProbeCluster activeProbe() { return probe; }

    /** Reads one transport-cc feedback packet (the RTCP packet with its header); false if malformed. */
    public boolean onFeedback(byte[] b, int off, int len, long nowNanos) {
        fbLost = 0;
        fbTotal = 0;
        if (!reader.read(b, off, len, this)) {
            malformedFeedback++;
            return false;
        }
        feedbacks++;
        long now = nowNanos / 1000;
        long ackedBps = acked.bps();
        aimd.update(trendline.state(), ackedBps, now);
        if (fbTotal > 0) loss.onStatuses(fbLost, fbTotal, aimd.estimateBps(), now);
        if (probe != null) {
            long result = probe.result();
            if (result > 0) {
                long proven = (long) (result * PROBE_SAFETY);
                if (proven > estimateBps()) {
                    aimd.setEstimate(proven, now);
                    loss.raiseTo(proven);
                    probesSucceeded++;
                }
                probe = null;
            } else if (now - probe.startMicros > ProbeCluster.TIMEOUT_MICROS) {
                probe = null;
            }
        }
        return true;
    }

    @Override
    public void onPacketStatus(int seq16, boolean received, long arrivalMicros) {
        int slot = history.find(seq16);
        if (slot < 0) return; // not ours, or forgotten
        if (!received) {
            if (history.isReported(slot)) return; // reported received before: not lost
            fbTotal++;
            fbLost++;
            return;
        }
        if (!history.markReported(slot)) return; // a duplicate report
        fbTotal++;
        long sent = history.sentMicros(slot);
        int size = history.size(slot);
        trendline.onPacket(sent, arrivalMicros);
        acked.onAcked(size, arrivalMicros);
        if (probe != null && history.probeCluster(slot) == probe.id) probe.onReceived(size, sent, arrivalMicros);
    }

    /** The estimate: the lower of the delay-based and the loss-based one (bits per second). */
    public long estimateBps() { return Math.min(aimd.estimateBps(), loss.estimateBps()); }
    public long delayBasedBps() { return aimd.estimateBps(); }
    public long lossBasedBps() { return loss.estimateBps(); }
    public BandwidthUsage usage() { return trendline.state(); }
    public double lossRatio() { return loss.lossRatio(); }
    /** The receiver's acknowledged rate, or -1 before a full window. */
    public long ackedBps() { return acked.bps(); }
    public long probesStarted() { return probesStarted; }
    public long probesSucceeded() { return probesSucceeded; }
    public long malformedFeedback() { return malformedFeedback; }
    public long feedbacks() { return feedbacks; }

    /**
     * True once the path has shown a limit: the delay-based estimate was cut for over-use or the loss-based one for
     * loss. Until then the estimate is the start value plus what the path carried so far, a lower bound of the
     * capacity rather than a measurement of it: enough to choose which layers to send, not to stop a video (libwebrtc
     * likewise never pauses a stream before its estimator has seen congestion).
     */
    public boolean limitSeen() { return aimd.decreases() > 0 || loss.decreases() > 0; }
}
