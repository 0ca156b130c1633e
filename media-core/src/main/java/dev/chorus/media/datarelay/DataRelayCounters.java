package dev.chorus.media.datarelay;

import java.util.EnumMap;

/**
 * Plain counters of one relay, written by its owner thread and read by metrics ({@link DataRelayMetrics}):
 * messages and payload bytes by {@link RelayOutcome} (one per message sent, one per receiver copy), queued lossy
 * messages evicted, and open data channels. The metrics thread reads them without
 * synchronisation, as {@code SfuCounters}: a scrape may lag by a few messages; nothing pays a barrier per message.
 */
public final class DataRelayCounters {
    private final long[] messages = new long[RelayOutcome.values().length];
    private final long[] bytes = new long[RelayOutcome.values().length];
    private long evicted;
    private long channelsOpen;

    private long sctpDropped;

    /** Counts one message or copy the relay itself did not see through (malformed frame, undeliverable copy). */
    public void count(RelayOutcome outcome, int payloadBytes) {
        messages[outcome.ordinal()]++;
        bytes[outcome.ordinal()] += payloadBytes;
    }

    void evicted(long n) { evicted += n; }

    /** A data channel opened (+1) or closed (-1) on some participant's association. */
    public void channelOpened() { channelsOpen++; }

    public void channelClosed() { channelsOpen--; }

    public long messages(RelayOutcome outcome) { return messages[outcome.ordinal()]; }

    public long bytes(RelayOutcome outcome) { return bytes[outcome.ordinal()]; }

    /** Copies not delivered because a receiver's queue was full: dropped, evicted or cut by overflow. */
    public long queueDrops() {
        return messages(RelayOutcome.DROPPED_QUEUE_FULL) + messages(RelayOutcome.DROPPED_RECEIVER_OVERFLOW) + evicted;
    }

    public long channelsOpen() { return channelsOpen; }

    /** SCTP packets dropped and malformed chunks skipped by participants' associations (added as they happen). */
    public void sctpDropped(long n) { sctpDropped += n; }

    public long sctpDropped() { return sctpDropped; }

    /** A snapshot by outcome (tests, diagnostics). */
    public EnumMap<RelayOutcome, Long> snapshot() {
        EnumMap<RelayOutcome, Long> m = new EnumMap<>(RelayOutcome.class);
        for (RelayOutcome o : RelayOutcome.values()) m.put(o, messages(o));
        return m;
    }
}
