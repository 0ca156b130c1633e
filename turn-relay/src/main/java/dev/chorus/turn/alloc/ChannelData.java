package dev.chorus.turn.alloc;

import io.netty.buffer.ByteBuf;

/**
 * ChannelData framing (RFC 8656 §12.4): 2 bytes channel number (0x4000–0x4FFF), 2 bytes length, then the data.
 * Over UDP the datagram may carry padding after the data; over TCP/TLS the frame is padded to a multiple of four
 * and the padding is not counted in the length.
 */
public final class ChannelData {
    public static final int MIN_CHANNEL = 0x4000;
    public static final int MAX_CHANNEL = 0x4FFF;
    /** RFC 5766 allowed up to 0x7FFE; coturn's clients (4.6) still pick numbers up to there. */
    public static final int MAX_LEGACY_CHANNEL = 0x7FFE;
    public static final int HEADER = 4;

    private ChannelData() {}

    public static boolean validChannel(int n) {
        return n >= MIN_CHANNEL && n <= MAX_CHANNEL;
    }

    /** First two bits 01 (0x40–0x7F) mark ChannelData (RFC 7983 demux); 0x50–0x7F are unassigned numbers. */
    public static boolean looksLikeChannelData(ByteBuf buf) {
        return buf.readableBytes() >= HEADER && (buf.getUnsignedByte(buf.readerIndex()) & 0xC0) == 0x40;
    }

    /**
     * The data length of the ChannelData message at the reader index, or -1 when the buffer is not a valid
     * ChannelData message (bad channel number, length beyond the buffer).
     */
    public static int dataLength(ByteBuf buf) {
        return dataLength(buf, MAX_CHANNEL);
    }

    /** As {@link #dataLength(ByteBuf)} with channel numbers accepted up to {@code maxChannel}. */
    public static int dataLength(ByteBuf buf, int maxChannel) {
        if (buf.readableBytes() < HEADER) return -1;
        int ri = buf.readerIndex();
        int channel = buf.getUnsignedShort(ri);
        if (channel < MIN_CHANNEL || channel > maxChannel) return -1;
        int len = buf.getUnsignedShort(ri + 2);
        return len <= buf.readableBytes() - HEADER ? len : -1;
    }

    /** Frame size on a stream transport: header + data padded to 4. */
    public static int streamFrameLength(int dataLength) {
        return HEADER + ((dataLength + 3) & ~3);
    }

    /** Writes a header; the caller writes the data (and, for streams, the padding). */
    public static void writeHeader(ByteBuf out, int channel, int dataLength) {
        out.writeShort(channel);
        out.writeShort(dataLength);
    }
}
