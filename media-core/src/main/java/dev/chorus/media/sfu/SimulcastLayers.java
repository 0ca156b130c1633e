package dev.chorus.media.sfu;

import dev.chorus.media.simulcast.LayerDemand;
import dev.chorus.media.simulcast.SimulcastOffer;
import dev.chorus.media.simulcast.SimulcastStreams;
import dev.chorus.media.simulcast.PayloadDescriptor;
import dev.chorus.media.sfu.rtcp.KeyframeRequester;
import dev.chorus.media.sfu.rtcp.NackGenerator;
import dev.chorus.media.sfu.rtcp.ReceiveStats;
import dev.chorus.media.sfu.rtcp.RetransmitCache;
import java.util.concurrent.TimeUnit;

/**
 * The per-layer half of a simulcast {@link Producer}: which SSRC is which rid ({@link SimulcastStreams}, bound on
 * the first packet carrying the rid), and per layer what the single-stream producer keeps once: receive statistics
 * (receiver reports per SSRC), a retransmission cache (sequence numbers of different layers collide), a keyframe
 * requester (a PLI names one layer's SSRC), a NACK generator (holes are per SSRC), when its last packet came (a layer the publisher stopped sending, by
 * dynacast or its own bandwidth estimate, is not a target) and its frame size (read from its key frames: the
 * adaptive-stream choice compares it with the subscriber's element). Owner: the room's worker thread.
 */
final class SimulcastLayers {
    /** A layer without a packet for this long is not flowing (Chromium sends ≥ 5 fps even for a still image). */
    static final long ACTIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

    final SimulcastOffer offer;
    final SimulcastStreams streams;
    final int layers;
    final ReceiveStats[] stats;
    final RetransmitCache[] caches;
    final KeyframeRequester[] keyframes;
    /** The SFU's own NACKs for holes in each layer's stream (lost on the publisher's uplink). */
    final NackGenerator[] nacks;
    final long[] lastPacketNanos;
    final int[] widths;
    final int[] heights;
    /** {@link #widths}/{@link #heights} with the unknown ones estimated ({@link #estimateSizes}). */
    final int[] estimatedWidths;
    final int[] estimatedHeights;
    final long[] packets;
    final long[] bytes;
    /** Arriving rate per layer, sampled by the room's timer (the bandwidth allocator's layer costs). */
    final BitrateSampler[] rates;
    /** Temporal layers told apart per spatial layer (TID 0..3; VP8 and VP9 carry 2 bits of it). */
    static final int TEMPORAL_LAYERS = 4;
    /**
     * Bytes per spatial × temporal layer ({@code [layer * TEMPORAL_LAYERS + tid]}; without a TID a discardable packet
     * counts as layer 1, the rest as 0: {@link PayloadDescriptor#effectiveTemporalId}).
     */
    final long[] temporalBytes;
    /** Their arriving rates, sampled with {@link #rates} ({@link #temporalLadder}). */
    final BitrateSampler[] temporalRates;
    /** Per layer: its recent peak 1 s rate, decaying towards the current one ({@link #peakBps}). */
    private final long[] peakBps;
    private final long[] peakSinceNanos;
    /** A layer's peak rate decays to its current rate over this long. */
    static final long PEAK_DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Dynacast: which layers subscribers need (paused at the publisher otherwise). */
    final LayerDemand demand;
    /** The mask the publisher was last told (bit per layer). */
    int toldMask = -1;

    SimulcastLayers(SimulcastOffer offer, int clockRate, SfuConfig config) {
        this.offer = offer;
        this.streams = offer.streams();
        this.layers = offer.layers();
        this.stats = new ReceiveStats[layers];
        this.caches = new RetransmitCache[layers];
        this.keyframes = new KeyframeRequester[layers];
        this.nacks = new NackGenerator[layers];
        for (int l = 0; l < layers; l++) {
            stats[l] = new ReceiveStats(clockRate);
            caches[l] = new RetransmitCache(config.retransmitCachePackets(),
                    TimeUnit.MILLISECONDS.toNanos(config.retransmitCacheMillis()));
            keyframes[l] = new KeyframeRequester(TimeUnit.MILLISECONDS.toNanos(config.keyframeMinIntervalMillis()));
            nacks[l] = new NackGenerator();
        }
        this.lastPacketNanos = new long[layers];
        this.widths = new int[layers];
        this.heights = new int[layers];
        this.estimatedWidths = new int[layers];
        this.estimatedHeights = new int[layers];
        this.packets = new long[layers];
        this.bytes = new long[layers];
        this.rates = new BitrateSampler[layers];
        for (int l = 0; l < layers; l++) rates[l] = new BitrateSampler();
        this.temporalBytes = new long[layers * TEMPORAL_LAYERS];
        this.temporalRates = new BitrateSampler[layers * TEMPORAL_LAYERS];
        for (int i = 0; i < temporalRates.length; i++) temporalRates[i] = new BitrateSampler();
        this.peakBps = new long[layers];
        this.peakSinceNanos = new long[layers];
        this.demand = new LayerDemand(layers);
    }

    /**
     * Frame sizes for the adaptive-stream choice: the size read from a layer's key frames, else an estimate from the
     * nearest layer whose size is known, halving per layer down (the SDK's and Chromium's default scaling), else 0
     * (unknown). Without the estimate a layer that dynacast paused before any of its key frames came (so its size
     * was never seen) would look like it covers any element, and a larger layer would never be asked for again.
     */
    void estimateSizes() {
        for (int l = 0; l < layers; l++) {
            int known = -1;
            for (int k = 0; k < layers; k++) {
                if (widths[k] > 0 && (known < 0 || Math.abs(k - l) < Math.abs(known - l))) known = k;
            }
            if (known < 0) {
                estimatedWidths[l] = 0;
                estimatedHeights[l] = 0;
            } else if (known <= l) {
                estimatedWidths[l] = widths[known] << (l - known);
                estimatedHeights[l] = heights[known] << (l - known);
            } else {
                estimatedWidths[l] = widths[known] >> (known - l);
                estimatedHeights[l] = heights[known] >> (known - l);
            }
        }
    }

    /** The media SSRC bound to {@code layer}, or -1 before its first packet. */
    long ssrc(int layer) {
        return streams.ssrcOf(layer);
    }

    /**
     * The recent peak of {@code layer}'s 1 s arriving rate: a new high at once, a lower rate only gradually (the peak
     * moves towards it by the elapsed fraction of {@link #PEAK_DECAY_NANOS}). A layer's rate swings with its key
     * frames and its encoder's own adaptation (a loaded publisher's top layer: 440-860 kbit/s from one second to the
     * next), and a link that carries only its mean queues at every peak. Called on the worker at each allocation.
     */
    long peakBps(int layer, long now) {
        long current = rates[layer].bps();
        long elapsed = Math.max(0, now - peakSinceNanos[layer]);
        peakSinceNanos[layer] = now;
        if (current >= peakBps[layer]) {
            peakBps[layer] = current;
        } else {
            long excess = peakBps[layer] - current;
            peakBps[layer] -= elapsed >= PEAK_DECAY_NANOS ? excess : (long) (excess * ((double) elapsed / PEAK_DECAY_NANOS));
        }
        return peakBps[layer];
    }

    /** Worker timer (once a second, with the layer rates): samples the temporal layers' byte counters. */
    void sampleTemporal(long now) {
        for (int i = 0; i < temporalRates.length; i++) temporalRates[i].sample(temporalBytes[i], now);
    }

    /**
     * {@code layer}'s measured rate with temporal layers 0..k at {@code [k]} (cumulative: TL0, TL0+TL1, ...), up to
     * its highest temporal layer that carried anything in the last sampled second; empty when it has only one (a
     * publisher without temporal layers, H.264) or nothing was measured. What the bandwidth allocator may send of the
     * lowest layer when the estimate does not cover it whole. Allocates one small array (per allocation, not per
     * packet).
     */
    long[] temporalLadder(int layer) {
        int top = -1;
        for (int t = 0; t < TEMPORAL_LAYERS; t++) if (temporalRates[layer * TEMPORAL_LAYERS + t].bps() > 0) top = t;
        if (top < 1) return new long[0];
        long[] ladder = new long[top + 1];
        long sum = 0;
        for (int t = 0; t <= top; t++) {
            sum += temporalRates[layer * TEMPORAL_LAYERS + t].bps();
            ladder[t] = sum;
        }
        return ladder;
    }

    boolean flowing(int layer, long now) {
        return packets[layer] > 0 && now - lastPacketNanos[layer] < ACTIVE_NANOS;
    }

    /**
     * Per packet of {@code layer} (media, not RTX) whose descriptor {@code payload} was parsed: counts it and, at the
     * start of a key frame, keeps the frame size the codec's payload carries (VP8 key frame header, H.264 SPS, VP9
     * scalability structure).
     */
    void onMedia(int layer, PayloadDescriptor payload, int rtpLength, long now) {
        packets[layer]++;
        bytes[layer] += rtpLength;
        int tid = payload.effectiveTemporalId();
        temporalBytes[layer * TEMPORAL_LAYERS + Math.min(tid, TEMPORAL_LAYERS - 1)] += rtpLength;
        lastPacketNanos[layer] = now;
        if (!payload.keyframe()) return;
        int w = payload.frameWidth();
        if (w <= 0) return;
        widths[layer] = w;
        heights[layer] = payload.frameHeight();
    }

    /** The layer of a media SSRC (RTX excluded), or {@link SimulcastStreams#UNKNOWN}. */
    int layerOfMediaSsrc(long ssrc) {
        int l = streams.lookup(ssrc);
        return l == SimulcastStreams.UNKNOWN || (l & SimulcastStreams.RTX) != 0 ? SimulcastStreams.UNKNOWN : l;
    }

    void clear() {
        for (RetransmitCache c : caches) c.clear();
    }
}
