package dev.chorus.bench.srtp;

/** The per-packet IVs of RFC 7714 (AES-GCM, 12 bytes) and RFC 3711 (AES counter mode, 16 bytes). */
final class SrtpIv {
    private SrtpIv() {}

    static int ssrc(byte[] b, int off) {
        return ((b[off + 8] & 0xff) << 24) | ((b[off + 9] & 0xff) << 16) | ((b[off + 10] & 0xff) << 8) | (b[off + 11] & 0xff);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** RFC 7714 §8.1: 00 00 || SSRC || ROC || SEQ, XOR the 12-byte salt. */
    static void gcm(byte[] iv, byte[] salt, int ssrc, int index) {
        iv[0] = 0;
        iv[1] = 0;
        putInt(iv, 2, ssrc);
        putInt(iv, 6, index >>> 16);
        iv[10] = (byte) (index >>> 8);
        iv[11] = (byte) index;
        for (int i = 0; i < 12; i++) iv[i] ^= salt[i];
    }

    /** RFC 3711 §4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), 16 bytes. */
    static void ctr(byte[] iv, byte[] salt, int ssrc, int index) {
        java.util.Arrays.fill(iv, (byte) 0);
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[4] ^= (byte) (ssrc >>> 24);
        iv[5] ^= (byte) (ssrc >>> 16);
        iv[6] ^= (byte) (ssrc >>> 8);
        iv[7] ^= (byte) ssrc;
        // index is 48 bits (ROC << 16 | seq); the top 16 bits of the ROC are zero for our benchmark.
        iv[10] ^= (byte) (index >>> 24);
        iv[11] ^= (byte) (index >>> 16);
        iv[12] ^= (byte) (index >>> 8);
        iv[13] ^= (byte) index;
    }
}
