package dev.chorus.media.sfu.rtcp;

import dev.chorus.media.rtp.RtpPacket;

/**
 * The last {@code capacity} plaintext RTP packets of one published stream, for answering subscribers' NACKs.
 * Bounded in packets (a preallocated ring indexed by sequence number) and in age (older entries are not served).
 * Plaintext media lives only here and only for {@code maxAgeNanos} at most (ARCHITECTURE.md); {@link #clear()}
 * wipes it when the track ends. Single-threaded (the room's worker); no allocation after construction.
 */
public final class RetransmitCache {
    /** Largest packet kept. */
    public static final int MAX_PACKET = 1500;

    private final int mask;
    private final byte[][] data;
    private final int[] lengths;
    private final int[] seqs;
    private final long[] arrivals;
    private final long maxAgeNanos;

    public RetransmitCache(int capacity, long maxAgeNanos) {
        if (Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity must be a power of two");
        this.mask = capacity - 1;
        this.data = new byte[capacity][MAX_PACKET];
        this.lengths = new int[capacity];
        this.seqs = new int[capacity];
        this.arrivals = new long[capacity];
        this.maxAgeNanos = maxAgeNanos;
        java.util.Arrays.fill(seqs, -1);
    }

    /** Stores the packet (the view must be OK) under its sequence number, replacing what was in its slot. */
    public void put(RtpPacket rtp, long nowNanos) {
        int len = rtp.length();
        if (len > MAX_PACKET) return;
        int seq = rtp.sequenceNumber();
        int i = seq & mask;
        System.arraycopy(rtp.buffer(), rtp.offset(), data[i], 0, len);
        lengths[i] = len;
        seqs[i] = seq;
        arrivals[i] = nowNanos;
    }

    /** The slot holding {@code seq} if present and young enough, else -1. */
    public int find(int seq, long nowNanos) {
        int i = seq & mask;
        return seqs[i] == seq && nowNanos - arrivals[i] <= maxAgeNanos ? i : -1;
    }

    public byte[] data(int slot) { return data[slot]; }
    public int length(int slot) { return lengths[slot]; }
    public int capacity() { return mask + 1; }

    /** Forgets and overwrites every packet. */
    public void clear() {
        for (int i = 0; i <= mask; i++) {
            if (seqs[i] >= 0) java.util.Arrays.fill(data[i], 0, lengths[i], (byte) 0);
            seqs[i] = -1;
            lengths[i] = 0;
        }
    }
}
