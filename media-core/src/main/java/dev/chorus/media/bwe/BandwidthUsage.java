package dev.chorus.media.bwe;

/** The delay-based detector's verdict on the path (GCC's over-use detector). */
public enum BandwidthUsage {
    /** Queues are stable. */
    NORMAL,
    /** Delay grows: we send more than the path carries. */
    OVERUSING,
    /** Delay shrinks: queues drain (hold the rate until they are empty). */
    UNDERUSING
}
