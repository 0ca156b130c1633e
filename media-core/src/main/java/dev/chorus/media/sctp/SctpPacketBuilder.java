package dev.chorus.media.sctp;

/**
 * Assembles outgoing packets chunk by chunk into one reusable buffer of the path MTU; {@link #finish()} fills in the
 * CRC32c and hands out a copy sized to the packet. Chunks are padded to 4 bytes (RFC 9260 section 3.2).
 */
final class SctpPacketBuilder {
    private final byte[] buf;
    private int pos;
    private int chunkStart = -1;
    private boolean open;

    SctpPacketBuilder(int mtu) {
        this.buf = new byte[mtu];
    }

    void begin(int sourcePort, int destinationPort, int verificationTag) {
        Bytes.put16(buf, 0, sourcePort);
        Bytes.put16(buf, 2, destinationPort);
        Bytes.put32(buf, 4, verificationTag);
        Bytes.put32(buf, 8, 0);
        pos = SctpChunks.COMMON_HEADER;
        open = true;
    }

    boolean isOpen() { return open; }

    boolean isEmpty() { return pos == SctpChunks.COMMON_HEADER; }

    /** Room left for one more chunk (header included), after padding what is already there. */
    int remaining() { return buf.length - pos; }

    int capacity() { return buf.length; }

    void startChunk(int type, int flags) {
        chunkStart = pos;
        buf[pos] = (byte) type;
        buf[pos + 1] = (byte) flags;
        pos += 4;
    }

    void put8(int v) { buf[pos++] = (byte) v; }

    void put16(int v) { Bytes.put16(buf, pos, v); pos += 2; }

    void put32(long v) { Bytes.put32(buf, pos, v); pos += 4; }

    void put(byte[] src, int off, int len) { System.arraycopy(src, off, buf, pos, len); pos += len; }

    void endChunk() {
        Bytes.put16(buf, chunkStart + 2, pos - chunkStart);
        while ((pos & 3) != 0) {
            buf[pos++] = 0;
        }
    }

    byte[] finish() {
        byte[] out = java.util.Arrays.copyOf(buf, pos);
        SctpChecksum.fill(out, 0, pos);
        open = false;
        return out;
    }
}
