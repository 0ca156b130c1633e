package dev.chorus.media.sctp;

/**
 * Validates one SCTP packet (RFC 9260 section 3) and indexes its chunks, without copying. Checks the common header
 * size, the CRC32c, that every chunk's length is at least its 4-byte header and fits the packet, and that an INIT
 * chunk travels alone (section 6.10). Chunk bodies are checked by their handlers. One instance per association, reused:
 * it holds no state beyond the packet being read.
 */
public final class SctpPacketParser {

    /** Why a whole packet was refused. */
    public enum Status { OK, TOO_SHORT, BAD_CHECKSUM, BAD_CHUNK_LENGTH, NO_CHUNKS, INIT_NOT_ALONE }

    private byte[] buf;
    private int sourcePort;
    private int destinationPort;
    private int verificationTag;
    private int count;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];

    /** Parses {@code buf[off, off+len)}; on anything but {@link Status#OK} the parser's chunk view is empty. */
    public Status parse(byte[] buf, int off, int len) {
        this.buf = buf;
        this.count = 0;
        if (buf == null || off < 0 || len < SctpChunks.COMMON_HEADER + 4 || off + len > buf.length) {
            return Status.TOO_SHORT;
        }
        if (!SctpChecksum.verify(buf, off, len)) {
            return Status.BAD_CHECKSUM;
        }
        sourcePort = Bytes.u16(buf, off);
        destinationPort = Bytes.u16(buf, off + 2);
        verificationTag = Bytes.i32(buf, off + 4);
        int end = off + len;
        int p = off + SctpChunks.COMMON_HEADER;
        int n = 0;
        boolean sawInit = false;
        while (p < end) {
            if (end - p < 4) {
                count = 0;
                return Status.BAD_CHUNK_LENGTH;
            }
            int chunkLength = Bytes.u16(buf, p + 2);
            if (chunkLength < 4 || chunkLength > end - p) {
                count = 0;
                return Status.BAD_CHUNK_LENGTH;
            }
            if (n == offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, n * 2);
                lengths = java.util.Arrays.copyOf(lengths, n * 2);
            }
            offsets[n] = p;
            lengths[n] = chunkLength;
            sawInit |= Bytes.u8(buf, p) == SctpChunks.INIT;
            n++;
            // The last chunk may end without its padding; any other chunk is padded to 4 bytes.
            p += Math.min(Bytes.pad4(chunkLength), end - p);
        }
        if (n == 0) {
            return Status.NO_CHUNKS;
        }
        if (sawInit && n > 1) {
            return Status.INIT_NOT_ALONE;
        }
        count = n;
        return Status.OK;
    }

    public byte[] buffer() { return buf; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }
    public int verificationTag() { return verificationTag; }
    public int chunkCount() { return count; }
    /** Offset of chunk {@code i}'s header (type byte) in {@link #buffer()}. */
    public int chunkOffset(int i) { return offsets[i]; }
    /** The chunk's Length field: header plus value, without padding. */
    public int chunkLength(int i) { return lengths[i]; }
    public int chunkType(int i) { return Bytes.u8(buf, offsets[i]); }
    public int chunkFlags(int i) { return Bytes.u8(buf, offsets[i] + 1); }
}
