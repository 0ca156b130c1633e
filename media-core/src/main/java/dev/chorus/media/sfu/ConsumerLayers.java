package dev.chorus.media.sfu;

import dev.chorus.media.simulcast.LayerSelector;
import dev.chorus.media.simulcast.ViewportLayers;

/**
 * The simulcast half of a {@link Consumer} (issue 12): what this subscriber wants of the track (its element's size
 * and visibility, the app's preferred quality), the {@link LayerSelector} that picks and splices the layers, and a
 * log of what was sent (output sequence number → layer and the publisher's sequence number, plus the rewritten
 * timestamp and picture id) so a NACK is answered with exactly the packet the subscriber missed. Owner: the room's
 * worker thread; nothing here allocates per packet.
 */
final class ConsumerLayers {
    /** Sent packets remembered for NACKs (a power of two; ~1 s of 2.5 Mbit/s video). */
    static final int LOG = 1024;

    final LayerSelector selector;
    /** The subscriber's element in device pixels (0: not reported: no size cap). */
    int viewportWidth;
    int viewportHeight;
    boolean visible = true;
    /** The app's cap, or null. */
    ViewportLayers.Quality preferred;
    /** The cap from the subscriber's bandwidth ({@link Integer#MAX_VALUE}: none; {@link LayerSelector#NONE}: paused). */
    int bandwidthCap = Integer.MAX_VALUE;
    /**
     * The highest temporal layer the bandwidth allows of the capped layer ({@link Integer#MAX_VALUE}: all): below all
     * only when the cap is the lowest layer and the estimate covers it at a reduced frame rate.
     */
    int bandwidthTemporalCap = Integer.MAX_VALUE;
    /** The largest layer this subscriber may get now (what dynacast keeps alive), or NONE. */
    int wanted = LayerSelector.NONE;
    /** The cap and the view's wish when the target was last set (to name why it changed). */
    int appliedCap = Integer.MAX_VALUE;
    int appliedView = LayerSelector.NONE;
    /** {@link #wanted} as last reported to the producer's layer demand. */
    int reportedWanted = LayerSelector.NONE;
    private final int[] sentSeq = new int[LOG];
    private final int[] sentSource = new int[LOG];
    private final long[] sentTimestamp = new long[LOG];
    private final int[] sentPicture = new int[LOG];

    ConsumerLayers(int clockRate) {
        this.selector = new LayerSelector(clockRate);
        java.util.Arrays.fill(sentSeq, -1);
    }

    /** The largest layer wanted now: the viewport's choice, capped by the preference and by the bandwidth. */
    int computeWanted(SimulcastLayers layers) {
        int w = viewWanted(layers);
        return w == LayerSelector.NONE ? w : Math.min(w, bandwidthCap);
    }

    /** What the subscriber asks for (element size, visibility, preferred quality), before the bandwidth cap. */
    int viewWanted(SimulcastLayers layers) {
        int w;
        if (viewportWidth > 0 && viewportHeight > 0 || !visible) {
            layers.estimateSizes();
            w = ViewportLayers.wantedLayer(layers.estimatedWidths, layers.estimatedHeights, viewportWidth,
                    viewportHeight, visible, preferred);
        } else {
            w = preferred == null ? layers.layers - 1 : Math.min(preferred.ordinal(), layers.layers - 1);
        }
        return w;
    }

    /**
     * The layer to aim for: the highest flowing layer not above {@code wanted} (a layer the publisher does not send,
     * paused by dynacast or by its own encoder, cannot be switched to). When none of those flows, the lowest flowing
     * layer up to {@code view} (what the element asks for): a publisher whose encoder dropped its lowest layer
     * (libwebrtc does when CPU adaptation shrinks the input) still reaches a subscriber capped to that layer, who
     * would otherwise get no video at all (a link that cannot carry it shows a limit, and the video is then paused).
     * Else {@code wanted} itself (its key frame is awaited). Never above {@code view}: the server does not send more
     * than asked.
     */
    static int target(SimulcastLayers layers, int wanted, int view, long now) {
        if (wanted == LayerSelector.NONE) return LayerSelector.NONE;
        for (int l = Math.min(wanted, layers.layers - 1); l >= 0; l--) {
            if (layers.flowing(l, now)) return l;
        }
        int top = view == LayerSelector.NONE ? wanted : Math.min(view, layers.layers - 1);
        for (int l = Math.min(wanted, layers.layers - 1) + 1; l <= top; l++) {
            if (layers.flowing(l, now)) return l;
        }
        return Math.min(wanted, layers.layers - 1);
    }

    /** Per forwarded packet: remembers where output {@code outSeq} came from. */
    void recordSent(int outSeq, int layer, int sourceSeq, long outTimestamp, int pictureId, int tl0) {
        int i = outSeq & (LOG - 1);
        sentSeq[i] = outSeq;
        sentSource[i] = (layer << 16) | sourceSeq;
        sentTimestamp[i] = outTimestamp;
        sentPicture[i] = ((pictureId & 0xFFFF) << 8) | (tl0 & 0xFF);
    }

    /** The slot of the log holding output {@code outSeq}, or -1 when it is not (or no longer) there. */
    int sentSlot(int outSeq) {
        int i = outSeq & (LOG - 1);
        return sentSeq[i] == outSeq ? i : -1;
    }

    int sentOutSeq(int slot) { return sentSeq[slot]; }
    int sentLayer(int slot) { return sentSource[slot] >>> 16; }
    int sentSourceSeq(int slot) { return sentSource[slot] & 0xFFFF; }
    long sentTimestamp(int slot) { return sentTimestamp[slot]; }
    /** The picture id written into the packet (meaningless, and not applied, when the packet has none). */
    int sentPictureId(int slot) { return sentPicture[slot] >>> 8; }
    int sentTl0(int slot) { return sentPicture[slot] & 0xFF; }
}
