package dev.chorus.media.sfu;

import dev.chorus.media.bwe.ProbeCluster;
import dev.chorus.media.bwe.SendSideBandwidthEstimator;
import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.simulcast.BandwidthAllocator;
import dev.chorus.media.simulcast.LayerSelector;
import dev.chorus.media.simulcast.SubscriberBandwidth;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Send-side bandwidth estimation of one subscriber, wired (issue 12): every packet sent on its subscribe transport
 * with a transport-wide sequence number is recorded ({@link #onSent}), its transport-cc feedback drives the
 * estimator ({@link SendSideBandwidthEstimator}: delay-based trend + loss-based, as GCC), and every
 * {@link SubscriberBandwidth#INTERVAL_MILLIS} ms the estimate is shared across its tracks
 * ({@link SubscriberBandwidth}: audio first, screen share next, then camera video; never above what the subscriber
 * wants). The result is a layer cap per simulcast consumer ({@link ConsumerLayers#bandwidthCap}), which
 * {@link SubscriberLayers} turns into the selector's target (switch up at the target's key frame). A simulcast video
 * whose lowest layer does not fit is paused and the subscriber told; a probe (padding on a video consumer's RTX
 * stream, paced over the worker's ticks) comes before an up-switch so the estimate can grow past what is sent.
 *
 * <p>A subscriber without transport-cc (or one that sends no feedback within 5 s of negotiating it) is not capped: it
 * receives what it asks for, as before. Single-stream video cannot go down a layer: its measured rate is reserved off the
 * estimate and it is never paused. Owner: the room's worker thread; nothing here allocates per packet.
 */
final class SubscriberEstimate implements SubscriberBandwidth.Listener {
    /**
     * At DEBUG, one line per allocation (4/s per subscriber): the estimate and its parts, what the path acknowledged,
     * the probe, and each video's grant; how an adaptation is diagnosed in a real-browser run.
     */
    private static final Logger TRACE = LoggerFactory.getLogger(SubscriberEstimate.class);
    static final long UPDATE_NANOS = TimeUnit.MILLISECONDS.toNanos(SubscriberBandwidth.INTERVAL_MILLIS);
    /** Bytes on the wire beyond the RTP packet: SRTP tag (≤ 16), UDP 8, IPv4 20 (what a shaped link counts). */
    static final int WIRE_OVERHEAD = 44;
    /**
     * Rates assumed for a layer that is not flowing (paused by dynacast, or not seen yet), by layers below the top:
     * Chromium's simulcast targets for 720p (2.5 M, 500 k, 150 k), halved per step further down.
     */
    static final long[] UNKNOWN_LAYER_BPS_FROM_TOP = {1_500_000, 500_000, 150_000};
    /** Audio counted at least at this rate (Opus at 32 kbit/s plus headers). */
    static final long AUDIO_BPS = 40_000;
    /** RTP + SRTP + UDP + IP headers of 50 audio packets a second (12 + 8 + 44 bytes each). */
    static final long AUDIO_HEADER_BPS = 50 * 64 * 8;
    /** Padding per probe packet (the RTP padding count is one byte). */
    static final int PADDING = 255;
    /** Estimates are recorded into the metrics' distribution this often per subscriber. */
    static final long RECORD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SubscribeSide side;
    private final Worker worker;
    final SendSideBandwidthEstimator estimator = new SendSideBandwidthEstimator();
    final SubscriberBandwidth loop = new SubscriberBandwidth(estimator, this);
    private final Set<String> known = new HashSet<>();
    private final Set<String> seen = new HashSet<>();
    private long nextUpdateNanos;
    private long nextRecordNanos;
    private long probesBefore;
    private static final long NEVER = Long.MIN_VALUE;
    /** A subscriber that negotiated transport-cc but sends no feedback this long is not capped (as before issue 12). */
    static final long FIRST_FEEDBACK_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** When a consumer with transport-cc first became active, or {@link #NEVER}. */
    private long capableSinceNanos = NEVER;
    /** Simulcast videos paused for bandwidth now. */
    int pausedTracks;
    long probePacketsSent;

    SubscriberEstimate(SubscribeSide side, Worker worker) {
        this.side = side;
        this.worker = worker;
    }

    /**
     * The estimate governs what the subscriber gets: it has sent transport-cc feedback, or it negotiated transport-cc
     * less than {@link #FIRST_FEEDBACK_NANOS} ago (it starts on the layers the start estimate allows rather than on
     * the top one, which would flood a slow link before the first feedback).
     */
    boolean active() {
        return estimator.feedbacks() > 0 || capableSinceNanos != NEVER && side.now() - capableSinceNanos < FIRST_FEEDBACK_NANOS;
    }

    /** Per media packet sent on the subscribe transport with transport-wide sequence {@code twcc} (-1: none). */
    void onSent(int twcc, int rtpLength, long now) {
        if (twcc < 0) return;
        estimator.onPacketSent(twcc, rtpLength + WIRE_OVERHEAD, now);
        worker.counters.bweMediaBytes += rtpLength + WIRE_OVERHEAD;
    }

    /** A NACK's answer left (with transport-wide sequence {@code twcc}, or -1). */
    void onRetransmissionSent(int twcc, int rtpLength, long now) {
        estimator.onRetransmissionSent(twcc, rtpLength + WIRE_OVERHEAD, now);
        worker.counters.bweRetransmissionBytes += rtpLength + WIRE_OVERHEAD;
    }

    /** A probe's RTX copy of a recent packet left. */
    void onProbeCopySent(int twcc, int rtpLength, long now) {
        if (twcc < 0) return;
        estimator.onProbeSent(twcc, rtpLength + WIRE_OVERHEAD, now);
        worker.counters.bweProbeBytes += rtpLength + WIRE_OVERHEAD;
    }

    /**
     * Whether a NACK's answer of {@code rtpLength} bytes may leave now: once the estimator has seen the link's limit
     * ({@link SendSideBandwidthEstimator#limitSeen}; before that the estimate is a start value, not a measurement),
     * only within what the estimate leaves over the media and probes sent
     * ({@link SendSideBandwidthEstimator#mayRetransmit}). On a full link a retransmission beyond the estimate only
     * lengthens the queue that lost the original.
     */
    boolean mayRetransmit(int rtpLength, long now) {
        return !active() || !estimator.limitSeen() || estimator.mayRetransmit(rtpLength + WIRE_OVERHEAD, now);
    }

    /** The subscriber is heard again after a silence: the estimator must not judge what was sent into it. */
    void onReturned(long now) {
        if (estimator.feedbacks() > 0) estimator.onReturned(now);
    }

    /** Transport-cc feedback of the subscriber ({@code i}th packet of the compound); a malformed one is counted. */
    void onFeedback(RtcpCompound rtcp, int i, long now) {
        // The reader takes the packet as sent, padding included (the compound's length excludes it, but the padding
        // bit stays set).
        byte[] b = rtcp.buffer();
        int off = rtcp.packetOffset(i);
        int len = 4 * ((((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF)) + 1);
        if (!estimator.onFeedback(b, off, len, now)) {
            worker.counters.drop(SfuDropReason.MALFORMED);
        }
    }

    /** Allocate at the next tick (a consumer was negotiated). */
    void soon(long now) {
        nextUpdateNanos = now;
    }

    /** Worker tick (10 ms): padding for a running probe; every 250 ms the allocation. */
    void tick(long now) {
        sendProbe(now);
        if (now - nextUpdateNanos < 0) return;
        nextUpdateNanos = now + UPDATE_NANOS;
        allocate(now);
        if (active() && now - nextRecordNanos >= 0) {
            nextRecordNanos = now + RECORD_NANOS;
            side.sfu().recordEstimate(estimator.estimateBps());
        }
    }

    private void allocate(long now) {
        List<Consumer> consumers = side.consumers;
        long reserved = 0;
        seen.clear();
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            TrackKind kind = c.track.info.kind();
            SimulcastLayers sc = c.track.simulcast;
            if (!c.active()) continue;
            if (c.transportCcId > 0 && capableSinceNanos == NEVER) capableSinceNanos = now;
            if (kind.isVideo() && sc == null) {
                reserved += c.rate.bps();
                continue;
            }
            String key = c.bandwidthKey();
            seen.add(key);
            long[] rates;
            int wanted;
            if (sc == null) {
                // The sampler counts payload bytes: add the headers on the wire of ~50 packets/s.
                rates = new long[] {Math.max(AUDIO_BPS, c.rate.bps() + AUDIO_HEADER_BPS)};
                wanted = c.track.info.muted() ? LayerSelector.NONE : 0;
            } else {
                rates = layerRates(sc, now);
                wanted = c.track.info.muted() ? LayerSelector.NONE : c.layers().viewWanted(sc);
            }
            long[] ladder = sc != null && sc.flowing(0, now) ? sc.temporalLadder(0) : NO_LADDER;
            if (known.add(key)) {
                BandwidthAllocator.Kind k = kind == TrackKind.AUDIO ? BandwidthAllocator.Kind.AUDIO
                        : kind == TrackKind.SCREEN ? BandwidthAllocator.Kind.SCREEN : BandwidthAllocator.Kind.CAMERA;
                loop.add(key, k, null, rates, wanted);
            } else {
                loop.setWantedLayer(key, wanted);
                loop.setLayerRates(key, rates);
            }
            loop.setLowestTemporalRates(key, ladder);
        }
        if (known.retainAll(seen)) {
            for (String key : Set.copyOf(loop.trackIds())) if (!known.contains(key)) loop.remove(key);
        }
        loop.setReservedBps(reserved);
        if (!active()) { // no transport-cc: nothing is capped
            for (int i = 0; i < consumers.size(); i++) {
                ConsumerLayers cl = consumers.get(i).layers;
                if (cl != null) {
                    cl.bandwidthCap = Integer.MAX_VALUE;
                    cl.bandwidthTemporalCap = BandwidthAllocator.ALL_TEMPORAL;
                }
            }
            side.pacer.configure(false, 0, now);
            return;
        }
        estimator.expireProbe(now);
        loop.update(now);
        side.pacer.configure(true, estimator.estimateBps(), now);
        if (estimator.probesStarted() != probesBefore) {
            worker.counters.probesStarted += estimator.probesStarted() - probesBefore;
            probesBefore = estimator.probesStarted();
        }
        boolean changed = false;
        int paused = 0;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.track.simulcast == null || !c.active()) continue;
            SubscriberBandwidth.TrackState t = loop.track(c.bandwidthKey());
            if (t == null) continue;
            ConsumerLayers cl = c.layers();
            int cap = t.pausedForBandwidth() ? LayerSelector.NONE
                    : t.granted() == LayerSelector.NONE ? Integer.MAX_VALUE : t.granted();
            if (t.pausedForBandwidth()) paused++;
            int temporal = cap == LayerSelector.NONE ? BandwidthAllocator.ALL_TEMPORAL : t.grantedTemporal();
            if (cap != cl.bandwidthCap || temporal != cl.bandwidthTemporalCap) {
                cl.bandwidthCap = cap;
                cl.bandwidthTemporalCap = temporal;
                changed = true;
            }
        }
        pausedTracks = paused;
        if (changed) side.layerChoice.soon(now);
        if (TRACE.isDebugEnabled()) trace(now);
    }

    private void trace(long now) {
        StringBuilder b = new StringBuilder("bwe ").append(side.participant().id)
                .append(" t=").append(now / 1_000_000).append("ms est=").append(estimator.estimateBps() / 1000)
                .append("k delay=").append(estimator.delayBasedBps() / 1000)
                .append("k loss=").append(estimator.lossBasedBps() / 1000)
                .append("k usage=").append(estimator.usage())
                .append(" lossRatio=").append(Math.round(estimator.lossRatio() * 1000) / 10.0)
                .append("% acked=").append(estimator.ackedBps() / 1000)
                .append("k limitSeen=").append(estimator.limitSeen())
                .append(" probes=").append(estimator.probesSucceeded()).append('/').append(estimator.probesStarted())
                .append(" refuted=").append(loop.refutedProbes())
                .append(" capacity=").append(estimator.capacityBps() / 1000)
                .append("k capCuts=").append(estimator.cutsFromCapacity())
                .append(" sent media/rtx/probe=").append(estimator.mediaBps(now) / 1000).append('/')
                .append(estimator.retransmissionBps(now) / 1000).append('/').append(estimator.probeBps(now) / 1000)
                .append("k rtxRefused=").append(estimator.retransmissionsRefused())
                .append(" gaps=").append(estimator.gaps());
        if (estimator.activeProbe() != null) b.append(" probing=").append(estimator.activeProbe().targetBps() / 1000).append('k');
        List<Consumer> consumers = side.consumers;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            SubscriberBandwidth.TrackState t = loop.track(c.bandwidthKey());
            if (c.track.simulcast == null || t == null) continue;
            b.append(" video=").append(t.pausedForBandwidth() ? "paused" : String.valueOf(t.granted()));
            LayerSelector sel = c.layers().selector;
            if (t.grantedTemporal() != BandwidthAllocator.ALL_TEMPORAL) b.append("/TL").append(t.grantedTemporal());
            b.append("(target ").append(sel.targetSpatial()).append(" current ").append(sel.currentSpatial())
                    .append(" tl ").append(tl(sel.targetTemporal())).append('/').append(tl(sel.currentTemporal()))
                    .append(" sent ").append(c.packets).append(" flowing ");
            for (int l = 0; l < c.track.simulcast.layers; l++) b.append(c.track.simulcast.flowing(l, now) ? '1' : '0');
            b.append(" rates");
            for (int l = 0; l < c.track.simulcast.layers; l++) b.append(l == 0 ? ' ' : '/').append(c.track.simulcast.rates[l].bps() / 1000);
            b.append("k tids"); // the lowest layer's rate per temporal layer (1: discardable frames without a TID)
            for (int tid = 0; tid < SimulcastLayers.TEMPORAL_LAYERS; tid++) {
                b.append(tid == 0 ? ' ' : '/').append(c.track.simulcast.temporalRates[tid].bps() / 1000);
            }
            long[] costs = layerRates(c.track.simulcast, now);
            b.append("k costs");
            for (int l = 0; l < costs.length; l++) b.append(l == 0 ? ' ' : '/').append(costs[l] / 1000);
            b.append("k)");
        }
        TRACE.debug(b.toString());
    }

    /**
     * Per layer: its measured rate while it flows (plus the wire overhead of its packets), else what Chromium aims
     * for at that position from the top. The lowest layer costs its mean rate (the alternative is no video); a layer
     * above costs its peak 1 s rate of the last seconds ({@link SimulcastLayers#peakBps}) and at least
     * {@value #LAYER_RATIO} × the layer below (4 × its pixels; Chromium aims at 3-5 ×): a layer whose encoder is still
     * ramping up, or whose last second missed its key frame, would look cheap, and an 800 kbit/s subscriber was
     * switched to a top layer measured at 440 kbit/s that then sent 840 (freezes, and back down). Allocates one array
     * per simulcast consumer per update (4/s), not per packet.
     */
    static long[] layerRates(SimulcastLayers sc, long now) {
        long[] rates = new long[sc.layers];
        for (int l = 0; l < sc.layers; l++) {
            int fromTop = sc.layers - 1 - l;
            long assumed = fromTop < UNKNOWN_LAYER_BPS_FROM_TOP.length ? UNKNOWN_LAYER_BPS_FROM_TOP[fromTop]
                    : UNKNOWN_LAYER_BPS_FROM_TOP[UNKNOWN_LAYER_BPS_FROM_TOP.length - 1] >> (fromTop - 2);
            long measured = 0;
            if (sc.flowing(l, now)) measured = l == 0 ? sc.rates[l].bps() : Math.max(sc.rates[l].bps(), sc.peakBps(l, now));
            rates[l] = measured > 0 ? measured : assumed;
            if (l > 0) rates[l] = Math.max(rates[l], LAYER_RATIO * rates[l - 1]); // a higher layer never costs less
        }
        return rates;
    }

    private static String tl(int temporal) {
        return temporal == BandwidthAllocator.ALL_TEMPORAL ? "all" : String.valueOf(temporal);
    }

    private static final long[] NO_LADDER = new long[0];

    /** A layer above another costs at least this many times as much ({@link #layerRates}). */
    static final long LAYER_RATIO = 2;

    /**
     * Tops the running probe up to its target rate with padding-only RTX packets (each with the transport-wide
     * sequence number, so the feedback measures them); at most what is due by now, so the burst is paced by the
     * worker's ticks rather than sent at line rate.
     */
    private void sendProbe(long now) {
        ProbeCluster probe = estimator.activeProbe();
        if (probe == null || probe.sendingDone(now / 1000)) return;
        Consumer carrier = paddingCarrier();
        if (carrier == null) return;
        Endpoint sub = side.transports().subscribe;
        if (sub == null || !sub.connected) return;
        long due = probe.bytesDue(now / 1000);
        int budget = 64; // bounded per tick
        byte[] out = worker.out;
        boolean rtx = carrier.track.extensions.idOf(SectionExtensions.TWCC_URI) > 0;
        while (due > 0 && budget-- > 0) {
            // Full-size RTX copies of what was just sent where possible: a burst of small padding packets fits in a
            // shaper's token bucket and would measure line rate, not the link's.
            int copy = rtx ? resend(carrier, probeBack++ & (RESEND_WINDOW - 1), now) : -1;
            if (copy > 0) {
                probePacketsSent++;
                worker.counters.probePacketsSent++;
                due -= copy + WIRE_OVERHEAD;
                continue;
            }
            int twcc = side.nextTransportCcSequence();
            int n = writePadding(out, carrier, twcc);
            if (!sub.link.send(out, 0, n, false)) {
                worker.counters.sendFailures++;
                return;
            }
            worker.sentSomething = true;
            estimator.onProbeSent(twcc, n + WIRE_OVERHEAD, now);
            worker.counters.bweProbeBytes += n + WIRE_OVERHEAD;
            probePacketsSent++;
            worker.counters.probePacketsSent++;
            due -= n + WIRE_OVERHEAD;
        }
    }

    /** Probe packets re-send one of this many most recent packets. */
    static final int RESEND_WINDOW = 32;
    private int probeBack;

    /**
     * Re-sends, as RTX, the packet sent {@code back} packets ago to {@code c} (same bytes, sequence number, timestamp
     * and picture id, a new transport-wide sequence number: the receiver drops the duplicate); returns its length, or
     * -1 when it is no longer known.
     */
    private int resend(Consumer c, int back, long now) {
        int outSeq = (c.lastSequence() - back) & 0xFFFF;
        ConsumerLayers cl = c.layers;
        SimulcastLayers sc = c.track.simulcast;
        if (cl != null && sc != null) {
            int sent = cl.sentSlot(outSeq);
            if (sent < 0 || cl.sentLayer(sent) >= sc.layers) return -1;
            dev.chorus.media.sfu.rtcp.RetransmitCache cache = sc.caches[cl.sentLayer(sent)];
            int slot = cache.find(cl.sentSourceSeq(sent), now);
            if (slot < 0) return -1;
            int len = cache.length(slot) + 2;
            return side.room().retransmit(c, cache, slot, sent, true) ? len : -1;
        }
        if (c.track.cache == null) return -1;
        int slot = c.track.cache.find(c.sourceSequence(outSeq), now);
        if (slot < 0) return -1;
        int len = c.track.cache.length(slot) + 2;
        return side.room().retransmit(c, c.track.cache, slot, -1, true) ? len : -1;
    }

    /** A started video consumer with RTX and a one-byte transport-cc id: padding rides on its RTX stream. */
    private Consumer paddingCarrier() {
        List<Consumer> consumers = side.consumers;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.started && c.active() && c.rtxPayloadType >= 0 && c.transportCcId > 0 && c.transportCcId < 15
                    && c.packets > 0) {
                return c;
            }
        }
        return null;
    }

    /**
     * An RTX packet of {@code c} with no payload, {@value #PADDING} bytes of padding (RFC 3550 5.1) and the
     * transport-cc extension (one-byte header, RFC 8285); returns its length.
     */
    static int writePadding(byte[] out, Consumer c, int twcc) {
        int seq = c.rtxSeq;
        c.rtxSeq = (seq + 1) & 0xFFFF;
        long ts = c.lastTimestamp();
        out[0] = (byte) 0xB0; // V=2, P=1, X=1
        out[1] = (byte) c.rtxPayloadType;
        out[2] = (byte) (seq >>> 8);
        out[3] = (byte) seq;
        out[4] = (byte) (ts >>> 24);
        out[5] = (byte) (ts >>> 16);
        out[6] = (byte) (ts >>> 8);
        out[7] = (byte) ts;
        long ssrc = c.rtxSsrc;
        out[8] = (byte) (ssrc >>> 24);
        out[9] = (byte) (ssrc >>> 16);
        out[10] = (byte) (ssrc >>> 8);
        out[11] = (byte) ssrc;
        out[12] = (byte) 0xBE;
        out[13] = (byte) 0xDE;
        out[14] = 0;
        out[15] = 1; // one 32-bit word of extensions
        out[16] = (byte) ((c.transportCcId << 4) | 1); // 2 bytes of data
        out[17] = (byte) (twcc >>> 8);
        out[18] = (byte) twcc;
        out[19] = 0;
        java.util.Arrays.fill(out, 20, 20 + PADDING - 1, (byte) 0);
        out[20 + PADDING - 1] = (byte) PADDING;
        return 20 + PADDING;
    }

    /** A simulcast video is paused (or resumed) for bandwidth: tell the subscriber. */
    @Override
    public void onPausedForBandwidth(String key, boolean paused) {
        List<Consumer> consumers = side.consumers;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (!c.bandwidthKey().equals(key)) continue;
            if (paused) worker.counters.bandwidthPauses++;
            side.participant().listener.onTrackPaused(c.track.info, paused, ParticipantListener.PAUSE_REASON_BANDWIDTH);
            return;
        }
    }
}
