package dev.chorus.media.bwe;

import java.util.Arrays;

/**
 * What the SFU sent on one subscriber transport, by transport-wide sequence number: send time, size and the probe
 * cluster a packet belonged to, so that feedback can be turned into delay and rate measurements. A ring of
 * {@code capacity} entries (older ones are forgotten); 16-bit sequence numbers are unwrapped against the newest.
 * Single thread; no allocation.
 */
public final class SendHistory {
    /** Not part of a probe. */
    public static final int NO_PROBE = -1;

    private final int mask;
    private final long[] seqs;
    private final long[] sentMicros;
    private final int[] sizes;
    private final int[] probes;
    /** A feedback already reported this packet (a later report of it is a duplicate). */
    private final boolean[] reported;
    private long highest = -1;

    public SendHistory(int capacity) {
        if (Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity must be a power of two");
        mask = capacity - 1;
        seqs = new long[capacity];
        Arrays.fill(seqs, -1);
        sentMicros = new long[capacity];
        sizes = new int[capacity];
        probes = new int[capacity];
        reported = new boolean[capacity];
    }

    /** A packet with transport-wide sequence {@code seq16} and {@code bytes} (on the wire) left at {@code nowMicros}. */
    public void onSent(int seq16, int bytes, long nowMicros, int probeCluster) {
        long ext = unwrap(seq16);
        if (ext > highest) highest = ext;
        int slot = (int) (ext & mask);
        seqs[slot] = ext;
        sentMicros[slot] = nowMicros;
        sizes[slot] = bytes;
        probes[slot] = probeCluster;
        reported[slot] = false;
    }

    /**
     * Marks the packet in {@code slot} as reported by a feedback; false if it already was (receivers may report a
     * packet in two feedbacks: counted twice it would inflate the acknowledged and probed rates).
     */
    public boolean markReported(int slot) {
        if (reported[slot]) return false;
        reported[slot] = true;
        return true;
    }

    /** Slot of a sent packet still remembered, or -1. */
    public int find(int seq16) {
        if (highest < 0) return -1;
        long ext = unwrap(seq16);
        int slot = (int) (ext & mask);
        return seqs[slot] == ext ? slot : -1;
    }

    public boolean isReported(int slot) { return reported[slot]; }
    public long sentMicros(int slot) { return sentMicros[slot]; }
    public int size(int slot) { return sizes[slot]; }
    public int probeCluster(int slot) { return probes[slot]; }

    private long unwrap(int seq16) {
        if (highest < 0) return seq16;
        int delta = (short) (seq16 - (int) (highest & 0xFFFF));
        return highest + delta;
    }
}
