package dev.chorus.media.simulcast;

import dev.chorus.media.bwe.ProbeCluster;
import dev.chorus.media.bwe.SendSideBandwidthEstimator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One subscriber's bandwidth loop: its send-side estimate ({@link SendSideBandwidthEstimator}) shared among the
 * tracks it receives ({@link BandwidthAllocator}), the resulting target layer of each track's {@link LayerSelector},
 * the subscriber told when a video is paused for bandwidth or resumed, and a probe started when a track wants a
 * higher layer than the estimate allows (so the up-switch happens on a proven rate, not by trial; failed probes, and
 * successes refuted by a cut soon after, back off exponentially: {@link ProbeBackoff}). The layers share the estimate less a headroom for retransmissions
 * ({@link #retransmissionHeadroom}); the lowest layer may be granted at a reduced frame rate (its lower temporal
 * layers, {@link #setLowestTemporalRates}) when the estimate does not cover it whole. Runs on the
 * subscriber's worker: feed it sent packets and feedback through {@link #estimator()}, call {@link #update} on a
 * timer (every {@value #INTERVAL_MILLIS} ms). Sans-IO.
 */
public final class SubscriberBandwidth {
    public static final long INTERVAL_MILLIS = 250;
    /**
     * Probes aim this far above the rate the allocator needs: a probe proves only 95 % of what it measured and
     * measures a little under its target, and reaching just the boundary would make the next step flap.
     */
    public static final double PROBE_OVERSHOOT = 1.25;
    /**
     * A playing video whose lowest layer no longer fits is kept on it this long before it is paused (LiveKit's stream
     * allocator likewise waits before it pauses): the estimate dips under the lowest layer for a moment after each
     * over-use (a key frame queueing in the bottleneck, GCC's 0.85 × cut), and a pause costs the subscriber seconds of
     * video (the resume waits for a probe and a key frame) while a short overrun of a link costs a little delay.
     */
    public static final long PAUSE_HOLD_NANOS = 2_500_000_000L;
    /** Loss at which a video short of its lowest layer is paused at once (the link is not coping). */
    public static final double SEVERE_LOSS = 0.2;
    /**
     * A video held on its lowest layer (short of it, not yet paused) is probed for this often, whatever the back-off
     * of failed probes: the dip may be a cut from an application-limited rate (on a 250 kbit/s link the acknowledged
     * rate of audio and the lowest layer put the capacity at 127-160 k), which only a probe corrects, and the hold
     * ends in a pause.
     */
    public static final long DEFICIT_PROBE_INTERVAL_NANOS = 750_000_000L;
    /** A video paused for bandwidth is probed for at least this often (failed probes back off no further). */
    public static final long PAUSED_PROBE_INTERVAL_NANOS = 4_000_000_000L;

    /** What the subscriber is told (the signaling layer turns it into a message). */
    public interface Listener {
        void onPausedForBandwidth(String trackId, boolean paused);
    }

    /**
     * One received track: its selector (null for audio, or for video whose caller applies {@link #granted()} itself,
     * as the SFU does through its layer cap), rates per layer, and what the subscriber wants.
     */
    public static final class TrackState {
        final String id;
        final BandwidthAllocator.Kind kind;
        final LayerSelector selector;
        int priority;
        long[] layerBps;
        int wantedLayer;
        boolean pausedForBandwidth;
        /** The layer of the last allocation ({@link LayerSelector#NONE} before one, or paused/hidden). */
        int granted = LayerSelector.NONE;
        /** The lowest layer's cumulative rates by temporal layer ({@link BandwidthAllocator.Track#lowestTemporalBps}). */
        long[] lowestTemporalBps = new long[0];
        /** The temporal layer of the last allocation ({@link BandwidthAllocator#ALL_TEMPORAL}: all). */
        int grantedTemporal = BandwidthAllocator.ALL_TEMPORAL;
        /** Since when a playing video's lowest layer has not fit ({@link #NOT_SHORT}: it fits). */
        long shortSinceNanos = NOT_SHORT;

        TrackState(String id, BandwidthAllocator.Kind kind, LayerSelector selector, long[] layerBps, int wantedLayer) {
            this.id = id;
            this.kind = kind;
            this.selector = selector;
            this.layerBps = layerBps.clone();
            this.wantedLayer = wantedLayer;
        }

        public LayerSelector selector() { return selector; }
        public boolean pausedForBandwidth() { return pausedForBandwidth; }
        public int granted() { return granted; }
        /** The highest temporal layer granted ({@link BandwidthAllocator#ALL_TEMPORAL}: all). */
        public int grantedTemporal() { return grantedTemporal; }
    }

    private static final long NOT_SHORT = Long.MIN_VALUE;

    private final SendSideBandwidthEstimator estimator;
    private final BandwidthAllocator allocator = new BandwidthAllocator();
    private final Listener listener;
    private final Map<String, TrackState> tracks = new LinkedHashMap<>();
    private long lastProbeNanos = Long.MIN_VALUE / 2;
    private final ProbeBackoff backoff = new ProbeBackoff();
    private boolean probing;
    private long succeededBefore;
    private long probedBps;
    private BandwidthAllocator.Allocation last;
    /** Rate of what is sent whatever the estimate (single-stream video, which has no lower layer). */
    private long reservedBps;

    public SubscriberBandwidth(SendSideBandwidthEstimator estimator, Listener listener) {
        this.estimator = estimator;
        this.listener = listener;
    }

    public SendSideBandwidthEstimator estimator() { return estimator; }

    /** Starts allocating for a track; video tracks pass their selector, audio null. */
    public TrackState add(String id, BandwidthAllocator.Kind kind, LayerSelector selector, long[] layerBps,
                          int wantedLayer) {
        if (selector != null && kind == BandwidthAllocator.Kind.AUDIO) {
            throw new IllegalArgumentException("audio tracks have no layer selector");
        }
        TrackState t = new TrackState(id, kind, selector, layerBps, wantedLayer);
        tracks.put(id, t);
        return t;
    }

    public void remove(String id) { tracks.remove(id); }

    /** The ids of the tracks allocated for (a view). */
    public java.util.Set<String> trackIds() { return java.util.Collections.unmodifiableSet(tracks.keySet()); }

    /** The subscriber's wish for a track changed (element size / visibility / preferred quality). */
    public void setWantedLayer(String id, int layer) {
        TrackState t = tracks.get(id);
        if (t != null && t.wantedLayer != layer) {
            t.wantedLayer = layer;
            backoff.reset(); // a new wish deserves a fresh try
        }
    }

    /** The publisher's measured rate per layer changed. */
    public void setLayerRates(String id, long[] layerBps) {
        TrackState t = tracks.get(id);
        if (t != null) t.layerBps = layerBps.clone();
    }

    /**
     * The lowest layer's rate with temporal layers 0..k (cumulative; fewer than two entries: none known), so the
     * allocator can send it at a reduced frame rate when the estimate does not cover it whole.
     */
    public void setLowestTemporalRates(String id, long[] cumulativeBps) {
        TrackState t = tracks.get(id);
        if (t != null) t.lowestTemporalBps = cumulativeBps.clone();
    }

    /**
     * The part of the estimate kept out of the layers for retransmissions: the last loss ratio of the estimate, at
     * least {@value #MIN_RETRANSMISSION_HEADROOM} and at most {@value #MAX_RETRANSMISSION_HEADROOM} (what
     * {@link SendSideBandwidthEstimator#mayRetransmit} always allows). Without it the layers fill the estimate, every
     * repair of a loss overruns the link (and is refused for bandwidth: session 8's 250 kbit/s failures had 13-25
     * refused in 5 s, each leaving a frame undecodable until the next key frame).
     */
    public static double retransmissionHeadroom(double lossRatio) {
        return Math.clamp(lossRatio, MIN_RETRANSMISSION_HEADROOM, MAX_RETRANSMISSION_HEADROOM);
    }

    public static final double MIN_RETRANSMISSION_HEADROOM = 0.05;
    public static final double MAX_RETRANSMISSION_HEADROOM = 0.10;

    /** Rate sent whatever the allocation (tracks without layers); it comes off the estimate before sharing. */
    public void setReservedBps(long bps) { reservedBps = Math.max(0, bps); }

    /** The track's state, or null. */
    public TrackState track(String id) { return tracks.get(id); }

    public void setPriority(String id, int priority) {
        TrackState t = tracks.get(id);
        if (t != null) t.priority = priority;
    }

    /** Re-allocates the current estimate; returns the allocation (also kept for {@link #lastAllocation}). */
    public BandwidthAllocator.Allocation update(long nowNanos) {
        List<BandwidthAllocator.Track> in = new ArrayList<>(tracks.size());
        boolean severeLoss = estimator.lossRatio() >= SEVERE_LOSS;
        for (TrackState t : tracks.values()) {
            int current = t.selector != null ? t.selector.targetSpatial()
                    : t.kind == BandwidthAllocator.Kind.AUDIO ? 0 : t.granted;
            // A playing video short of its lowest layer for less than the hold time stays on it (unless loss shows
            // the link is not coping); the allocation names the deficit as the rate to probe for.
            boolean hold = current != LayerSelector.NONE && !t.pausedForBandwidth && !severeLoss
                    && (t.shortSinceNanos == NOT_SHORT || nowNanos - t.shortSinceNanos < PAUSE_HOLD_NANOS);
            in.add(new BandwidthAllocator.Track(t.id, t.kind, t.priority, t.layerBps, t.wantedLayer, current, hold,
                    t.lowestTemporalBps, t.grantedTemporal));
        }
        long estimate = estimator.estimateBps();
        double headroom = retransmissionHeadroom(estimator.lossRatio());
        // Pausing a video needs a measured estimate: before the path showed a limit, every wanted video gets its
        // lowest layer whatever the start estimate says (the layers above still wait for the estimate or a probe).
        // What the layers may use: the estimate less the retransmissions' headroom and the reserved rate.
        BandwidthAllocator.Allocation a = allocator.allocate(
                Math.max(0, (long) (estimate * (1 - headroom)) - reservedBps), in, estimator.limitSeen());
        boolean held = false;
        boolean paused = false;
        for (BandwidthAllocator.Grant g : a.grants()) {
            TrackState t = tracks.get(g.track().id());
            boolean isShort = g.lowestShort() && estimator.limitSeen();
            held |= isShort && !g.pausedForBandwidth();
            paused |= g.pausedForBandwidth();
            if (!isShort || g.pausedForBandwidth()) {
                t.shortSinceNanos = NOT_SHORT;
            } else if (t.shortSinceNanos == NOT_SHORT) {
                t.shortSinceNanos = nowNanos;
            }
            t.granted = g.layer();
            t.grantedTemporal = g.temporal();
            if (t.selector != null && (t.selector.targetSpatial() != g.layer()
                    || t.selector.targetTemporal() != g.temporal())) {
                t.selector.setTarget(g.layer(), g.temporal());
            }
            if (g.pausedForBandwidth() != t.pausedForBandwidth) {
                t.pausedForBandwidth = g.pausedForBandwidth();
                listener.onPausedForBandwidth(t.id, t.pausedForBandwidth);
            }
        }
        if (probing && estimator.activeProbe() == null) {
            probing = false;
            // Success is reaching the rate the allocator needed: a probe on a full link may still prove a little
            // more than the estimate after a cut, and counting that as success kept probing a 250 kbit/s link for
            // the next layer every 2 s (each burst queueing behind the video: freezes).
            if (estimator.probesSucceeded() > succeededBefore
                    && estimator.estimateBps() >= (long) (probedBps / PROBE_OVERSHOOT)) {
                backoff.onSuccess(probedBps, estimator.decreases(), nowNanos);
            } else {
                backoff.onFailure(probedBps);
            }
        }
        backoff.onTick(estimator.decreases(), nowNanos);
        // The estimate that gives the allocator the rate it named, headroom and reserved rate included.
        long target = (long) ((a.probeTargetBps() + (a.probeTargetBps() > 0 ? reservedBps : 0)) / (1 - headroom)
                * PROBE_OVERSHOOT);
        long wait = held ? DEFICIT_PROBE_INTERVAL_NANOS : backoff.waitFor(target);
        if (paused) wait = Math.min(wait, PAUSED_PROBE_INTERVAL_NANOS);
        if (a.probeTargetBps() > 0 && !probing && nowNanos - lastProbeNanos >= wait) {
            succeededBefore = estimator.probesSucceeded();
            ProbeCluster p = estimator.startProbe(target, nowNanos);
            if (p != null) {
                lastProbeNanos = nowNanos;
                probedBps = target;
                probing = true;
            }
        }
        last = a;
        return a;
    }

    public BandwidthAllocator.Allocation lastAllocation() { return last; }

    /** Probe successes refuted by a cut of the estimate soon after ({@link ProbeBackoff}). */
    public long refutedProbes() { return backoff.refuted(); }
}
