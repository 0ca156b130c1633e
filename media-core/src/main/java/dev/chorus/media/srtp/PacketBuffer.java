package dev.chorus.media.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A reusable, mutable view of a packet inside a {@code byte[]}, as jitsi-srtp wants it. One instance is owned by
 * one thread and re-pointed at each packet ({@link #wrap}), so the hot path allocates nothing. Protecting grows the
 * packet in place (GCM tag, HMAC tag, SRTCP index): the array must have {@link SrtpEncryptor#MAX_OVERHEAD} bytes of
 * room after the packet, otherwise jitsi-srtp would allocate a bigger array ({@link #grow}).
 */
public final class PacketBuffer implements ByteArrayBuffer {
    private byte[] buffer;
    private int offset;
    private int length;

    public PacketBuffer() {
        this(new byte[0], 0, 0);
    }

    public PacketBuffer(byte[] buffer, int offset, int length) {
        wrap(buffer, offset, length);
    }

    /** Points this view at {@code buffer[offset, offset+length)}. */
    public PacketBuffer wrap(byte[] buffer, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buffer.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " in " + buffer.length);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    @Override public byte[] getBuffer() { return buffer; }
    @Override public int getOffset() { return offset; }
    @Override public int getLength() { return length; }

    @Override
    public void setLength(int len) {
        if (len < 0 || offset + len > buffer.length) throw new IndexOutOfBoundsException("length " + len);
        this.length = len;
    }

    @Override
    public void setOffset(int off) {
        if (off < 0 || off + length > buffer.length) throw new IndexOutOfBoundsException("offset " + off);
        this.offset = off;
    }

    @Override public boolean isInvalid() { return false; }

    @Override
    public void readRegionToBuff(int off, int len, byte[] outBuf) {
        System.arraycopy(buffer, offset + off, outBuf, 0, len);
    }

    /** Makes room for {@code howMuch} more bytes; allocates only if the array has no room left (a sizing bug). */
    @Override
    public void grow(int howMuch) {
        if (howMuch < 0) throw new IllegalArgumentException("howMuch " + howMuch);
        int needed = offset + length + howMuch;
        if (needed > buffer.length) {
            byte[] bigger = new byte[needed];
            System.arraycopy(buffer, offset, bigger, offset, length);
            buffer = bigger;
        }
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        if (len <= 0) return;
        length = Math.max(0, length - len);
    }
}
