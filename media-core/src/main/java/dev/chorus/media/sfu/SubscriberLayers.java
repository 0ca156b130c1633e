package dev.chorus.media.sfu;

import dev.chorus.media.simulcast.LayerSelector;
import dev.chorus.media.simulcast.ViewportLayers;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Layer choice for one subscriber's simulcast consumers (issue 12): every {@link #INTERVAL_NANOS} (and at once when
 * the subscriber reports a change) each consumer's wanted layer is recomputed from its element's size, visibility,
 * the app's preferred quality and the bandwidth cap; the producer's dynacast demand learns it; and the selector
 * aims at the highest layer the publisher actually sends within it (a switch up waits for that layer's key frame,
 * which is requested). Owner: the room's worker thread.
 */
final class SubscriberLayers {
    static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SubscribeSide side;
    private long nextNanos;

    SubscriberLayers(SubscribeSide side) {
        this.side = side;
    }

    /** Worker: the subscriber's report about how it shows one track; unknown tracks are refused. */
    void setPreference(String publisherId, String trackId, int width, int height, boolean visible,
                       ViewportLayers.Quality quality) {
        Consumer c = find(publisherId, trackId);
        if (c == null) throw new SfuException(SfuException.Code.UNKNOWN_TRACK, "not subscribed to that track");
        if (!c.track.info.kind().isVideo()) return;
        ConsumerLayers cl = c.layers();
        if (cl == null) {
            // Not simulcast (yet): remember nothing; a single stream is sent whole or, hidden, still sent.
            return;
        }
        cl.viewportWidth = Math.max(0, width);
        cl.viewportHeight = Math.max(0, height);
        cl.visible = visible;
        cl.preferred = quality;
        nextNanos = side.now();
    }

    private Consumer find(String publisherId, String trackId) {
        List<Consumer> consumers = side.consumers;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.track.info.participantId().equals(publisherId) && c.track.info.trackId().equals(trackId)) return c;
        }
        return null;
    }

    /** Worker: re-evaluate at the next tick (the bandwidth cap changed). */
    void soon(long now) {
        nextNanos = now;
    }

    /** Worker timer. */
    void tick(long now) {
        if (now - nextNanos < 0) return;
        nextNanos = now + INTERVAL_NANOS;
        List<Consumer> consumers = side.consumers;
        for (int i = 0; i < consumers.size(); i++) update(consumers.get(i), now);
    }

    private void update(Consumer c, long now) {
        SimulcastLayers sc = c.track.simulcast;
        if (sc == null) return;
        ConsumerLayers cl = c.layers();
        boolean on = c.active() && !c.track.info.muted();
        int wanted = on ? cl.computeWanted(sc) : LayerSelector.NONE;
        int view = on ? cl.viewWanted(sc) : LayerSelector.NONE;
        report(c, wanted);
        int target = ConsumerLayers.target(sc, wanted, view, now);
        LayerSelector selector = cl.selector;
        // The bandwidth's temporal cap is for the layer it capped (the lowest, at a reduced frame rate).
        int temporal = target != LayerSelector.NONE && target == cl.bandwidthCap ? cl.bandwidthTemporalCap
                : Integer.MAX_VALUE;
        if (target != selector.targetSpatial()) {
            SfuCounters.SwitchReason why = cl.appliedCap != cl.bandwidthCap ? SfuCounters.SwitchReason.BANDWIDTH
                    : cl.appliedView != view ? SfuCounters.SwitchReason.VIEW : SfuCounters.SwitchReason.PUBLISHER;
            side.counters().targetChanges[why.ordinal()]++;
            cl.appliedCap = cl.bandwidthCap;
            cl.appliedView = view;
            selector.setTarget(target, temporal);
            if (target != LayerSelector.NONE) c.track.publisher.publishing.requestKeyframe(c.track, target, now);
        } else if (temporal != selector.targetTemporal()) {
            // Same layer, other frame rate: down at the next picture, up at a layer sync (no key frame needed).
            selector.setTarget(target, temporal);
        }
    }

    /** Dynacast bookkeeping: the producer's demand follows this consumer's wanted layer. */
    static void report(Consumer c, int wanted) {
        ConsumerLayers cl = c.layers;
        SimulcastLayers sc = c.track.simulcast;
        if (cl == null || sc == null) return;
        cl.wanted = wanted;
        if (wanted != cl.reportedWanted) {
            sc.demand.onTargetChanged(cl.reportedWanted, wanted);
            cl.reportedWanted = wanted;
        }
    }
}
