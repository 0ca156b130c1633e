package dev.chorus.media.simulcast;

/**
 * Dynacast for one published simulcast track: which of its layers anyone receives, so the publisher can stop
 * encoding the others ({@code RTCRtpSender.setParameters} with {@code active: false}). A layer is needed when some
 * subscriber's target is at or above it (lower layers stay on: they are cheap and make down-switches instant), or
 * when it is the lowest layer and anyone subscribes. A layer that becomes needed is resumed at once; one that is no
 * longer needed is paused only after {@link #PAUSE_DELAY_NANOS} without demand (a subscriber flipping between
 * layers does not make the publisher's encoder restart). Sans-IO: the caller feeds targets and time and sends what
 * {@link #poll} returns.
 */
public final class LayerDemand {
    /** Unused this long before a layer is paused at the publisher. */
    public static final long PAUSE_DELAY_NANOS = 3_000_000_000L;

    private final int layers;
    private final int[] subscribersAtOrAbove;
    private int subscribers;
    private final long[] unusedSince;
    private int published; // bitmask the publisher was last told
    private boolean told;

    public LayerDemand(int layers) {
        if (layers < 1 || layers > 8) throw new IllegalArgumentException("1 to 8 layers");
        this.layers = layers;
        this.subscribersAtOrAbove = new int[layers];
        this.unusedSince = new long[layers];
        java.util.Arrays.fill(unusedSince, Long.MIN_VALUE);
        this.published = (1 << layers) - 1; // the publisher starts with every layer on
    }

    /** A subscriber's target layer changed from {@code before} to {@code after} ({@link LayerSelector#NONE} = none). */
    public void onTargetChanged(int before, int after) {
        if (before != LayerSelector.NONE) {
            subscribers--;
            for (int l = 0; l <= Math.min(before, layers - 1); l++) subscribersAtOrAbove[l]--;
        }
        if (after != LayerSelector.NONE) {
            subscribers++;
            for (int l = 0; l <= Math.min(after, layers - 1); l++) subscribersAtOrAbove[l]++;
        }
    }

    /** Bitmask of layers someone needs right now. */
    public int needed() {
        int mask = 0;
        for (int l = 0; l < layers; l++) if (subscribersAtOrAbove[l] > 0) mask |= 1 << l;
        if (subscribers > 0) mask |= 1;
        return mask;
    }

    /**
     * The layer mask to send to the publisher if it changed (resume now, pause after the delay), else -1.
     */
    public int poll(long nowNanos) {
        int needed = needed();
        int next = published;
        for (int l = 0; l < layers; l++) {
            int bit = 1 << l;
            if ((needed & bit) != 0) {
                unusedSince[l] = Long.MIN_VALUE;
                next |= bit;
            } else if ((published & bit) != 0) {
                if (unusedSince[l] == Long.MIN_VALUE) unusedSince[l] = nowNanos;
                if (nowNanos - unusedSince[l] >= PAUSE_DELAY_NANOS) next &= ~bit;
            }
        }
        if (next == published && told) return -1;
        published = next;
        told = true;
        return next;
    }

    /** The mask the publisher was last told (every layer before the first {@link #poll}). */
    public int published() { return published; }
}
