package dev.chorus.media.sctp;

/** Plain per-association counters (the association's thread writes, exporters read). */
final class SctpCounters {
    private final long[] values = new long[SctpCounter.values().length];

    void add(SctpCounter c) { values[c.ordinal()]++; }

    long get(SctpCounter c) { return values[c.ordinal()]; }
}
