package dev.chorus.media.sfu.rtcp;

/**
 * Deduplicates and rate-limits keyframe requests for one published video track (SECURITY-CHECKLIST 42): at most
 * one PLI per {@code minIntervalNanos}; requests inside the interval are coalesced into a single one sent when the
 * interval ends ({@link #due}). A PLI/FIR flood from subscribers thus costs the publisher at most one keyframe per
 * interval. A granted request that could not be sent ({@link #notSent}, e.g. the publisher's transport is not
 * connected yet) stays pending. Single-threaded (the room's worker).
 */
public final class KeyframeRequester {
    private final long minIntervalNanos;
    private boolean everSent;
    private long lastSentNanos;
    private boolean previousEverSent;
    private long previousSentNanos;
    private boolean pending;
    private long requests;
    private long sent;

    public KeyframeRequester(long minIntervalNanos) {
        this.minIntervalNanos = minIntervalNanos;
    }

    /** A keyframe is wanted; returns true if a PLI must be sent now (else it is pending). */
    public boolean request(long nowNanos) {
        requests++;
        if (!everSent || nowNanos - lastSentNanos >= minIntervalNanos) {
            markSent(nowNanos);
            return true;
        }
        pending = true;
        return false;
    }

    /** From the worker's timer: true if a coalesced (or unsent) request must be sent now. */
    public boolean due(long nowNanos) {
        if (pending && (!everSent || nowNanos - lastSentNanos >= minIntervalNanos)) {
            markSent(nowNanos);
            return true;
        }
        return false;
    }

    /** The PLI granted by the last {@link #request}/{@link #due} could not be sent: keep it pending, undo the send. */
    public void notSent() {
        everSent = previousEverSent;
        lastSentNanos = previousSentNanos;
        pending = true;
        sent--;
    }

    private void markSent(long nowNanos) {
        previousEverSent = everSent;
        previousSentNanos = lastSentNanos;
        everSent = true;
        pending = false;
        lastSentNanos = nowNanos;
        sent++;
    }

    public boolean pending() { return pending; }
    public long requests() { return requests; }
    public long sent() { return sent; }
}
