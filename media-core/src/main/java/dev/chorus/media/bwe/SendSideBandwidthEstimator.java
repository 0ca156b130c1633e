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
    private final WindowedBitrate acked = new WindowedBitrate();
    /** What was sent, by send time and kind (what the path is offered, beyond what it acknowledges). */
    private final WindowedBitrate sentMedia = new WindowedBitrate();
    private final WindowedBitrate sentRetransmissions = new WindowedBitrate();
    private final WindowedBitrate sentProbes = new WindowedBitrate();
    private long mediaBytes;
    private long retransmissionBytes;
    private long probeBytes;
    private long retransmissionsRefused;
    /** Packets sent before this (µs) went into a silence of the subscriber: their loss is not counted. */
    private long gapEndMicros = Long.MIN_VALUE;
    private long gaps;

    private ProbeCluster probe;
    /** No delay-based increase before this (µs): the last probe's packets are still in the acknowledged rate. */
    private long increaseHeldUntilMicros = Long.MIN_VALUE;
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

    /** A media packet left with transport-wide sequence {@code seq16}, {@code bytes} on the wire. */
    public void onPacketSent(int seq16, int bytes, long nowNanos) {
        long now = nowNanos / 1000;
        sentMedia.add(bytes, now);
        mediaBytes += bytes;
        record(seq16, bytes, now);
    }

    /** A retransmission (an answer to a NACK) left with transport-wide sequence {@code seq16} ({@code -1}: none). */
    public void onRetransmissionSent(int seq16, int bytes, long nowNanos) {
        long now = nowNanos / 1000;
        sentRetransmissions.add(bytes, now);
        retransmissionBytes += bytes;
        if (seq16 >= 0) record(seq16, bytes, now);
    }

    /**
     * Whether a retransmission of {@code bytes} may leave now: retransmissions may fill what the delay-based estimate
     * leaves over the media and probes sent in the last {@value WindowedBitrate#WINDOW_MICROS} µs, and always
     * {@value #RETRANSMISSION_SHARE} of it. Beyond that a repair only adds to the queue that lost the original
     * (libwebrtc likewise limits retransmissions to its estimate); a queue shows as growing delay, which the
     * delay-based half measures. Not the loss-based half: it is cut by loss itself, so under random loss that no
     * queue causes (5 % on a subscriber's link) it sank to 35-120 kbit/s below a 300-500 kbit/s video that cannot
     * go lower, and refusing the repairs of that loss (4,779 in 60 s) left 1,378 packets lost and 4.6 % of the
     * frames decoded. A refusal is counted.
     */
    public boolean mayRetransmit(int bytes, long nowNanos) {
        long now = nowNanos / 1000;
        long estimate = aimd.estimateBps();
        long room = Math.max(estimate - sentMedia.bpsAt(now) - sentProbes.bpsAt(now), (long) (estimate * RETRANSMISSION_SHARE));
        long after = sentRetransmissions.bpsAt(now) + bytes * 8L * 1_000_000 / WindowedBitrate.WINDOW_MICROS;
        if (after <= room) return true;
        retransmissionsRefused++;
        return false;
    }

    /** Share of the estimate retransmissions may always use. */
    static final double RETRANSMISSION_SHARE = 0.1;

    private void record(int seq16, int bytes, long now) {
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
        sentProbes.add(bytes, now);
        probeBytes += bytes;
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
        if (probe != null) endProbe(now); // timed out
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
        if (probe != null && nowNanos / 1000 - probe.startMicros > ProbeCluster.TIMEOUT_MICROS) endProbe(nowNanos / 1000);
    }

    /** The probe is over (verdict or time-out); its packets stay in the acknowledged rate for one more window. */
    private void endProbe(long nowMicros) {
        probe = null;
        increaseHeldUntilMicros = nowMicros + WindowedBitrate.WINDOW_MICROS;
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
        // While a probe runs, and until its packets have left the acknowledged-rate window, the estimate waits for
        // the probe's verdict instead of climbing on the probe's own bytes: they lift the 1.5 × acknowledged cap, and
        // a failed probe on a 170 k link raised the estimate 22 k within 0.5 s, enough to switch the lowest layer to
        // its full frame rate and overflow the link after every probe.
        boolean mayIncrease = probe == null && now >= increaseHeldUntilMicros;
        aimd.update(trendline.state(), ackedBps, loss.estimateBps(), mayIncrease, now);
        if (fbTotal > 0) {
            long lossDecreases = loss.decreases();
            loss.onStatuses(fbLost, fbTotal, aimd.estimateBps(), now);
            if (loss.decreases() != lossDecreases && loss.estimateBps() < aimd.capacityLowerBoundBps()) {
                aimd.forgetCapacity(); // loss shows the link carries less than it did
            }
        }
        if (probe != null) {
            long result = probe.result();
            if (result > 0) {
                aimd.onProbeResult(result, probe.filledLink());
                long proven = (long) (result * PROBE_SAFETY);
                if (proven > estimateBps()) {
                    aimd.setEstimate(proven, now);
                    loss.raiseTo(proven);
                    probesSucceeded++;
                }
                endProbe(now);
            } else if (now - probe.startMicros > ProbeCluster.TIMEOUT_MICROS) {
                endProbe(now);
            }
        }
        return true;
    }

    @Override
    public void onPacketStatus(int seq16, boolean received, long arrivalMicros) {
        int slot = history.find(seq16);
        if (slot < 0) return; // not ours, or forgotten
        if (!received) {
            if (history.sentMicros(slot) < gapEndMicros) return; // sent into the subscriber's silence: not a loss
            // A probe's burst overflowing the bottleneck is the probe's answer (it failed), not loss of the media:
            // counted, a failed probe on a full 250 kbit/s link (74 % of one report lost) cut the loss-based estimate
            // and paused the video it was meant to raise.
            if (history.probeCluster(slot) != SendHistory.NO_PROBE) return;
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
        acked.add(size, arrivalMicros);
        if (probe != null && history.probeCluster(slot) == probe.id) probe.onReceived(size, sent, arrivalMicros);
    }

    /**
     * The subscriber was silent (no RTCP for seconds: a blackout, a suspended device) and is heard again. What was
     * sent into the silence never arrived and says nothing about congestion: its loss is not counted, the delay
     * trend and the acknowledged-rate window start afresh (a window half filled since the return would read as a
     * collapse of the rate, and 0.85 × that on the first over-use is what dropped a returning subscriber from
     * 2.5 Mbit/s to 34 kbit/s), and the rate controller holds one round; until the window is full again an over-use
     * cuts from the rate acknowledged just before the silence. The estimate and the link capacity stay.
     */
    public void onReturned(long nowNanos) {
        gapEndMicros = nowNanos / 1000;
        trendline.reset();
        long ackedBefore = acked.bps(); // the last window before the silence: nothing arrived during it
        acked.reset();
        aimd.onGap(ackedBefore);
        gaps++;
    }

    /** Silences the estimator was told of ({@link #onReturned}). */
    public long gaps() { return gaps; }
    /** Bytes sent so far by kind (media, retransmissions, probes). */
    public long mediaBytes() { return mediaBytes; }
    public long retransmissionBytes() { return retransmissionBytes; }
    public long probeBytes() { return probeBytes; }
    /** Rates sent over the last window, by kind (bits per second). */
    public long mediaBps(long nowNanos) { return sentMedia.bpsAt(nowNanos / 1000); }
    public long retransmissionBps(long nowNanos) { return sentRetransmissions.bpsAt(nowNanos / 1000); }
    public long probeBps(long nowNanos) { return sentProbes.bpsAt(nowNanos / 1000); }
    /** Retransmissions refused by {@link #mayRetransmit}. */
    public long retransmissionsRefused() { return retransmissionsRefused; }
    /** The delay-based controller's link capacity, or -1 unknown. */
    public long capacityBps() { return aimd.capacityBps(); }
    /** Over-use cuts that went to the link capacity (the sender was application-limited). */
    public long cutsFromCapacity() { return aimd.cutsFromCapacity(); }

    /** The estimate: the lower of the delay-based and the loss-based one (bits per second). */
    public long estimateBps() { return Math.min(aimd.estimateBps(), loss.estimateBps()); }
    public long delayBasedBps() { return aimd.estimateBps(); }
    public long lossBasedBps() { return loss.estimateBps(); }
    public BandwidthUsage usage() { return trendline.state(); }
    public double lossRatio() { return loss.lossRatio(); }
    /** The receiver's acknowledged rate, or -1 before a full window. */
    public long ackedBps() { return acked.bps(); }
    public long probesStarted() { return probesStarted; }
    /** Cuts of the estimate so far: delay-based (over-use) and loss-based decreases. */
    public long decreases() { return aimd.decreases() + loss.decreases(); }
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
