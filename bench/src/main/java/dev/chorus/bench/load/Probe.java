package dev.chorus.bench.load;

/**
 * The generator's RTP packets: a plain RTP header (V=2, the publisher's SSRC, its sequence number and a 90 kHz /
 * 48 kHz timestamp) and a payload that starts with a marker, the stream id, a 64-bit sequence and the send time
 * ({@link System#nanoTime()}, same host as the receiver), padded to the requested size. The SFU rewrites the header
 * per subscriber but forwards the payload untouched, so receivers can measure loss, reordering and one-way latency.
 */
final class Probe {
    static final int MAGIC = 0x43484c42; // "CHLB"
    static final int HEADER = 12;
    static final int FIELDS = 4 + 4 + 8 + 8;

    private Probe() {}

    static byte[] packet(int bytes, int payloadType, long ssrc, int streamId, long seq, long clockRate, long sendNanos) {
        byte[] p = new byte[size(bytes)];
        write(p, payloadType, ssrc, streamId, seq, clockRate, sendNanos);
        return p;
    }

    /** The packet size for {@code bytes} asked: never below header + probe fields. */
    static int size(int bytes) {
        return Math.max(bytes, HEADER + FIELDS);
    }

    /** Writes header and probe fields into {@code p} (a reused buffer: the padding keeps whatever it held). */
    static void write(byte[] p, int payloadType, long ssrc, int streamId, long seq, long clockRate, long sendNanos) {
        p[0] = (byte) 0x80;
        p[1] = (byte) payloadType;
        p[2] = (byte) (seq >>> 8);
        p[3] = (byte) seq;
        putInt(p, 4, (int) (sendNanos / (1_000_000_000L / clockRate)));
        putInt(p, 8, (int) ssrc);
        putInt(p, 12, MAGIC);
        putInt(p, 16, streamId);
        putLong(p, 20, seq);
        putLong(p, 28, sendNanos);
    }

    /** The payload offset of a plain (no CSRC, no extension) or rewritten RTP packet, or -1 if not a probe. */
    static int payloadOffset(byte[] p) {
        return payloadOffset(p, p.length);
    }

    /** {@link #payloadOffset(byte[])} of a packet in the first {@code length} bytes of {@code p}. */
    static int payloadOffset(byte[] p, int length) {
        if (length < HEADER + FIELDS) return -1;
        int off = HEADER + 4 * (p[0] & 0x0F);
        if ((p[0] & 0x10) != 0) {
            if (length < off + 4) return -1;
            off += 4 + 4 * (((p[off + 2] & 0xFF) << 8) | (p[off + 3] & 0xFF));
        }
        return length >= off + FIELDS && getInt(p, off) == MAGIC ? off : -1;
    }

    static int streamId(byte[] p, int off) { return getInt(p, off + 4); }
    static long sequence(byte[] p, int off) { return getLong(p, off + 8); }
    static long sendNanos(byte[] p, int off) { return getLong(p, off + 16); }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24); b[at + 1] = (byte) (v >>> 16); b[at + 2] = (byte) (v >>> 8); b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    static long getLong(byte[] b, int at) {
        return ((long) getInt(b, at) << 32) | (getInt(b, at + 4) & 0xFFFF_FFFFL);
    }
}
