package dev.chorus.media.bwe;

/**
 * Reads one transport-wide congestion control feedback packet (RTPFB FMT 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): which transport-wide sequence numbers arrived and
 * when. The whole packet is validated before anything is reported, so a malformed feedback changes no estimator
 * state. Arrival times are in microseconds on the receiver's clock (only their differences mean anything).
 * Reusable, single thread; no allocation.
 */
public final class TransportCcFeedbackReader {
    /** What one packet status says. */
    public interface Sink {
        /** {@code seq16} arrived at {@code arrivalMicros}, or was lost ({@code received} false, time -1). */
        void onPacketStatus(int seq16, boolean received, long arrivalMicros);
    }

    /** Largest status count accepted (a feedback for more is malformed for our purposes). */
    public static final int MAX_STATUSES = 4096;
    private static final int NOT_RECEIVED = 0;
    private static final int SMALL_DELTA = 1;
    private static final int LARGE_DELTA = 2;

    private final byte[] symbols = new byte[MAX_STATUSES];
    private int feedbackCount = -1;

    /**
     * Reads the feedback at {@code b[off, off+len)} (the RTCP packet including its 4-byte header) and reports every
     * status to {@code sink}; returns false (reporting nothing) if it is malformed.
     */
    public boolean read(byte[] b, int off, int len, Sink sink) {
        if (len < 20 || off < 0 || off + len > b.length) return false;
        if ((b[off + 1] & 0xFF) != 205 || (b[off] & 0x1F) != 15) return false;
        int padding = (b[off] & 0x20) != 0 ? b[off + len - 1] & 0xFF : 0;
        int end = off + len - padding;
        if (end < off + 20) return false;
        int baseSeq = u16(b, off + 12);
        int count = u16(b, off + 14);
        if (count == 0 || count > MAX_STATUSES) return false;
        int reference = ((b[off + 16] & 0xFF) << 16) | ((b[off + 17] & 0xFF) << 8) | (b[off + 18] & 0xFF);
        reference = (reference << 8) >> 8; // signed 24 bits
        feedbackCount = b[off + 19] & 0xFF;
        // Pass 1: status chunks into symbols; check the deltas fit.
        int p = off + 20;
        int n = 0;
        while (n < count) {
            if (p + 2 > end) return false;
            int chunk = u16(b, p);
            p += 2;
            if ((chunk & 0x8000) == 0) {
                int symbol = (chunk >>> 13) & 0x3;
                int run = chunk & 0x1FFF;
                if (symbol == 3) return false;
                for (int k = 0; k < run && n < count; k++) symbols[n++] = (byte) symbol;
            } else if ((chunk & 0x4000) == 0) {
                for (int k = 13; k >= 0 && n < count; k--) symbols[n++] = (byte) ((chunk >>> k) & 1);
            } else {
                for (int k = 6; k >= 0 && n < count; k--) {
                    int symbol = (chunk >>> (2 * k)) & 0x3;
                    if (symbol == 3) return false;
                    symbols[n++] = (byte) symbol;
                }
            }
        }
        int deltas = p;
        int q = deltas;
        for (int i = 0; i < count; i++) {
            if (symbols[i] == SMALL_DELTA) q += 1;
            else if (symbols[i] == LARGE_DELTA) q += 2;
        }
        if (q > end) return false;
        // Pass 2: report.
        long ticks = (long) reference * 256; // 250 µs units
        q = deltas;
        for (int i = 0; i < count; i++) {
            int seq = (baseSeq + i) & 0xFFFF;
            int s = symbols[i];
            if (s == NOT_RECEIVED) {
                sink.onPacketStatus(seq, false, -1);
                continue;
            }
            if (s == SMALL_DELTA) {
                ticks += b[q++] & 0xFF;
            } else {
                ticks += (short) u16(b, q);
                q += 2;
            }
            sink.onPacketStatus(seq, true, ticks * 250);
        }
        return true;
    }

    /** The feedback packet count of the last packet read (detects lost feedback), or -1. */
    public int feedbackCount() { return feedbackCount; }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }
}
