package dev.chorus.media.sctp;

import java.util.zip.CRC32C;

/**
 * The SCTP checksum (RFC 9260 appendix A): CRC32c over the whole packet with the checksum field set to zero, stored
 * in the header least significant byte first (the reflected CRC's natural byte order). Uses the JDK's CRC32C, which
 * is intrinsified with the SSE4.2 / CLMUL instructions.
 */
public final class SctpChecksum {
    private SctpChecksum() {}

    /** Computes the checksum of {@code buf[off, off+len)} as if bytes 8..11 of the packet were zero. */
    public static int compute(byte[] buf, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf, off, 8);
        crc.update(ZEROS, 0, 4);
        crc.update(buf, off + 12, len - 12);
        return (int) crc.getValue();
    }

    /** Writes the checksum of a finished packet into its header. */
    public static void fill(byte[] buf, int off, int len) {
        int c = compute(buf, off, len);
        buf[off + 8] = (byte) c;
        buf[off + 9] = (byte) (c >>> 8);
        buf[off + 10] = (byte) (c >>> 16);
        buf[off + 11] = (byte) (c >>> 24);
    }

    /** True when the packet's stored checksum matches its content. */
    public static boolean verify(byte[] buf, int off, int len) {
        int stored = (buf[off + 8] & 0xFF) | (buf[off + 9] & 0xFF) << 8 | (buf[off + 10] & 0xFF) << 16
                | (buf[off + 11] & 0xFF) << 24;
        return stored == compute(buf, off, len);
    }

    private static final byte[] ZEROS = new byte[4];
}
