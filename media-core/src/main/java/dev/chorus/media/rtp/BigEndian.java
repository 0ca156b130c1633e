package dev.chorus.media.rtp;

/** Network-order (big-endian) reads and writes in a byte array, shared by the RTP and RTCP views (no bounds checks: callers validated lengths). */
final class BigEndian {
    private BigEndian() {}

    static int u16(byte[] buf, int at) {
        return ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
    }

    static long u32(byte[] buf, int at) {
        return ((long) (buf[at] & 0xFF) << 24) | ((buf[at + 1] & 0xFF) << 16) | ((buf[at + 2] & 0xFF) << 8)
                | (buf[at + 3] & 0xFF);
    }

    static void put32(byte[] buf, int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }
}
