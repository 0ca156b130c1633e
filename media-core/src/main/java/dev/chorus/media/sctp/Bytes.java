package dev.chorus.media.sctp;

/** Big-endian field access on byte arrays (network order), bounds checked by the callers' length checks. */
final class Bytes {
    private Bytes() {}

    static int u8(byte[] b, int i) { return b[i] & 0xFF; }

    static int u16(byte[] b, int i) { return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF); }

    static int i32(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    static long u32(byte[] b, int i) { return i32(b, i) & 0xFFFF_FFFFL; }

    static void put16(byte[] b, int i, int v) { b[i] = (byte) (v >>> 8); b[i + 1] = (byte) v; }

    static void put32(byte[] b, int i, long v) {
        b[i] = (byte) (v >>> 24); b[i + 1] = (byte) (v >>> 16); b[i + 2] = (byte) (v >>> 8); b[i + 3] = (byte) v;
    }

    static int pad4(int n) { return (n + 3) & ~3; }
}
