package dev.chorus.media.sfu.rtcp;

/**
 * Records arrival times of one publisher transport's packets by their transport-wide sequence number (the
 * {@code draft-holmer-rmcat-transport-wide-cc-extensions-01} header extension) and writes transport-cc feedback
 * (RTPFB FMT 15) so the browser's send-side bandwidth estimation can ramp up. Bounded: a ring of {@code capacity}
 * sequence numbers; packets older than the last feedback are ignored, a jump beyond the ring drops the oldest
 * unreported ones. Status chunks are two-bit status vectors (7 symbols each); deltas in 250 µs units.
 * Single-threaded (the room's worker); no allocation.
 */
public final class TransportCcRecorder {
    /** Most packet statuses in one feedback packet (keeps it well under the MTU). */
    static final int MAX_STATUS_PER_FEEDBACK = 400;

    private final int mask;
    private final long[] arrivalMicros;
    private long base = -1;   // next extended sequence number to report
    private long highest = -1;
    private int feedbackCount;
    private long packets;

    public TransportCcRecorder(int capacity) {
        if (Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity must be a power of two");
        this.mask = capacity - 1;
        this.arrivalMicros = new long[capacity];
        java.util.Arrays.fill(arrivalMicros, -1);
    }

    /** A packet with transport-wide sequence number {@code seq16} arrived at {@code nowNanos}. */
    public void onPacket(int seq16, long nowNanos) {
        long ext;
        if (highest < 0) {
            ext = seq16;
        } else {
            int delta = (short) (seq16 - (int) (highest & 0xFFFF));
            ext = highest + delta;
        }
        if (base < 0) base = ext;
        if (ext < base) return; // already reported (or too old)
        if (ext - base > mask) {
            long newBase = ext - mask;
            for (long s = base; s < newBase && s <= highest; s++) arrivalMicros[(int) (s & mask)] = -1;
            base = newBase;
        }
        arrivalMicros[(int) (ext & mask)] = nowNanos / 1000;
        if (ext > highest) highest = ext;
        packets++;
    }

    /** True if there is something to report. */
    public boolean hasPending() {
        return base >= 0 && highest >= base;
    }

    public long packets() { return packets; }

    /**
     * Writes one feedback packet covering the pending range (or its first part) at {@code off}; returns its length
     * (0 if nothing is pending). Needs up to {@code 20 + 2*ceil(n/7) + 2n + 4} bytes for {@code n} statuses
     * (≤ 1,024 bytes).
     */
    public int writeFeedback(byte[] b, int off, long senderSsrc, long mediaSsrc) {
        if (!hasPending()) return 0;
        // The range starts at base, so packets lost right after the previous feedback are reported as lost too (the
        // sender's loss-based estimate needs them); the reference time comes from the first received packet.
        long firstReceived = base;
        while (firstReceived <= highest && arrivalMicros[(int) (firstReceived & mask)] < 0) firstReceived++;
        if (firstReceived > highest) return 0;
        if (firstReceived - base >= MAX_STATUS_PER_FEEDBACK) base = firstReceived; // a long outage: skip it
        long first = base;
        long firstArrival = arrivalMicros[(int) (firstReceived & mask)];
        long referenceTime = Math.floorDiv(firstArrival, 64_000);  // 64 ms units
        long prevTicks = referenceTime * 256;                       // in 250 µs units
        int statusCount = (int) Math.min(highest - first + 1, MAX_STATUS_PER_FEEDBACK);
        int chunks = (statusCount + 6) / 7;
        int p = off + 20;
        int deltaPos = p + 2 * chunks;
        int written = 0;
        int chunk = 0;
        int inChunk = 0;
        int chunkPos = p;
        for (int k = 0; k < statusCount; k++) {
            long seq = first + k;
            int slot = (int) (seq & mask);
            long at = arrivalMicros[slot];
            int symbol;
            if (at < 0) {
                symbol = 0;
            } else {
                long ticks = Math.floorDiv(at, 250);
                long delta = ticks - prevTicks;
                if (delta >= 0 && delta <= 255) {
                    symbol = 1;
                    b[deltaPos++] = (byte) delta;
                } else if (delta >= Short.MIN_VALUE && delta <= Short.MAX_VALUE) {
                    symbol = 2;
                    b[deltaPos++] = (byte) (delta >> 8);
                    b[deltaPos++] = (byte) delta;
                } else {
                    // Not representable: end this feedback before it, the next one starts here.
                    statusCount = k;
                    break;
                }
                prevTicks = ticks;
                arrivalMicros[slot] = -1;
            }
            chunk |= symbol << (2 * (6 - inChunk));
            inChunk++;
            written++;
            if (inChunk == 7) {
                RtcpWriter.put16(b, chunkPos, 0xC000 | chunk);
                chunkPos += 2;
                chunk = 0;
                inChunk = 0;
            }
        }
        if (inChunk > 0) {
            RtcpWriter.put16(b, chunkPos, 0xC000 | chunk);
            chunkPos += 2;
        }
        if (written == 0) return 0;
        int usedChunks = (chunkPos - p) / 2;
        if (usedChunks < chunks) {
            // Fewer statuses than planned (delta overflow): close the gap between chunks and deltas.
            int deltaStart = p + 2 * chunks;
            System.arraycopy(b, deltaStart, b, chunkPos, deltaPos - deltaStart);
            deltaPos -= deltaStart - chunkPos;
        }
        int length = deltaPos - off;
        int padding = (4 - (length & 3)) & 3;
        for (int i = 0; i < padding; i++) b[deltaPos + i] = 0;
        if (padding > 0) b[deltaPos + padding - 1] = (byte) padding;
        length += padding;
        b[off] = (byte) ((padding > 0 ? 0xA0 : 0x80) | 15);
        b[off + 1] = (byte) 205;
        RtcpWriter.put16(b, off + 2, length / 4 - 1);
        RtcpWriter.put32(b, off + 4, senderSsrc);
        RtcpWriter.put32(b, off + 8, mediaSsrc);
        RtcpWriter.put16(b, off + 12, (int) (first & 0xFFFF));
        RtcpWriter.put16(b, off + 14, written);
        b[off + 16] = (byte) (referenceTime >>> 16);
        b[off + 17] = (byte) (referenceTime >>> 8);
        b[off + 18] = (byte) referenceTime;
        b[off + 19] = (byte) feedbackCount++;
        base = first + written;
        return length;
    }
}
