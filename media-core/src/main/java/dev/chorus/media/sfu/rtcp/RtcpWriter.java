package dev.chorus.media.sfu.rtcp;

/**
 * Writes the RTCP packets the SFU sends (RFC 3550 SR/RR, RFC 4585 PLI, RFC 4588 RTX helpers) into a caller's
 * array; each method returns the number of bytes written. No allocation.
 */
public final class RtcpWriter {
    private RtcpWriter() { }

    /** Offset between the NTP epoch (1900) and the Unix epoch in seconds. */
    private static final long NTP_UNIX_OFFSET = 2_208_988_800L;

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void header(byte[] b, int off, int countOrFmt, int pt, int lengthBytes) {
        b[off] = (byte) (0x80 | (countOrFmt & 0x1F));
        b[off + 1] = (byte) pt;
        put16(b, off + 2, lengthBytes / 4 - 1);
    }

    /** A receiver report from {@code senderSsrc} with room for {@code blocks} report blocks, written after it. */
    public static int receiverReportHeader(byte[] b, int off, long senderSsrc, int blocks) {
        header(b, off, blocks, 201, 8 + 24 * blocks);
        put32(b, off + 4, senderSsrc);
        return 8;
    }

    /** A sender report without report blocks (28 bytes). */
    public static int senderReport(byte[] b, int off, long ssrc, long ntp, long rtpTimestamp, long packets,
                                   long octets) {
        header(b, off, 0, 200, 28);
        put32(b, off + 4, ssrc);
        put32(b, off + 8, ntp >>> 32);
        put32(b, off + 12, ntp & 0xFFFFFFFFL);
        put32(b, off + 16, rtpTimestamp & 0xFFFFFFFFL);
        put32(b, off + 20, packets & 0xFFFFFFFFL);
        put32(b, off + 24, octets & 0xFFFFFFFFL);
        return 28;
    }

    /** A picture loss indication (12 bytes). */
    public static int pli(byte[] b, int off, long senderSsrc, long mediaSsrc) {
        header(b, off, 1, 206, 12);
        put32(b, off + 4, senderSsrc);
        put32(b, off + 8, mediaSsrc);
        return 12;
    }

    /** A generic NACK with one entry (16 bytes); used by tests and by NACK forwarding. */
    public static int nack(byte[] b, int off, long senderSsrc, long mediaSsrc, int pid, int blp) {
        header(b, off, 1, 205, 16);
        put32(b, off + 4, senderSsrc);
        put32(b, off + 8, mediaSsrc);
        put16(b, off + 12, pid);
        put16(b, off + 14, blp);
        return 16;
    }

    /**
     * A generic NACK (RFC 4585 §6.2.1) for {@code seqs[0..n)}, given in sequence order (wrapping allowed): each FCI
     * entry names a PID and, in its bitmask, the following 16 sequence numbers that are also asked for. At most
     * {@code maxEntries} entries are written; returns the bytes written (0 if {@code n} is 0).
     */
    public static int nack(byte[] b, int off, long senderSsrc, long mediaSsrc, int[] seqs, int n, int maxEntries) {
        if (n <= 0 || maxEntries <= 0) return 0;
        put32(b, off + 4, senderSsrc);
        put32(b, off + 8, mediaSsrc);
        int p = off + 12;
        int entries = 0;
        int k = 0;
        while (k < n && entries < maxEntries) {
            int pid = seqs[k++] & 0xFFFF;
            int blp = 0;
            while (k < n) {
                int d = (seqs[k] - pid) & 0xFFFF;
                if (d < 1 || d > 16) break;
                blp |= 1 << (d - 1);
                k++;
            }
            put16(b, p, pid);
            put16(b, p + 2, blp);
            p += 4;
            entries++;
        }
        header(b, off, 1, 205, p - off);
        return p - off;
    }

    /** NTP timestamp (64-bit, 32.32 fixed point) of a wall-clock instant in milliseconds since the Unix epoch. */
    public static long ntp(long unixMillis) {
        long seconds = unixMillis / 1000 + NTP_UNIX_OFFSET;
        long fraction = ((unixMillis % 1000) << 32) / 1000;
        return (seconds << 32) | fraction;
    }
}
