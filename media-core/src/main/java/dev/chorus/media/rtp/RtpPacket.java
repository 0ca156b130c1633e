package dev.chorus.media.rtp;

/**
 * A zero-copy, reusable view of one RTP packet (RFC 3550 §5.1, header extensions RFC 8285) in a {@code byte[]}
 * region. SRTP (jitsi-srtp) works on {@code byte[]}, so the views do too; for a heap {@code ByteBuf} pass
 * {@code array(), arrayOffset() + readerIndex(), readableBytes()}.
 *
 * <p>{@link #wrap} validates everything the accessors rely on — version, CSRC list, extension header and elements,
 * padding — and returns a reason instead of throwing. The mutators rewrite SSRC, sequence number, timestamp,
 * payload type and marker in place (the SFU rewrites them per subscriber). One view per thread, reused per packet.
 */
public final class RtpPacket {
    /** Fixed header length. */
    public static final int FIXED_HEADER = 12;
    /** One-byte header extension profile (RFC 8285 §4.2). */
    public static final int PROFILE_ONE_BYTE = 0xBEDE;
    /** Two-byte header extension profile prefix (RFC 8285 §4.3): 0x100X. */
    public static final int PROFILE_TWO_BYTE_MASK = 0xFFF0;
    /** Value of the two-byte profile under the mask. */
    public static final int PROFILE_TWO_BYTE = 0x1000;

    private byte[] buf;
    private int off;
    private int len;
    private int headerLength;
    private int paddingLength;
    private int extensionOffset = -1; // start of extension data (after the 4-byte extension header)
    private int extensionLength;
    private int extensionProfile;
    private RtpStatus status = RtpStatus.TOO_SHORT;

    /** True if the packet at {@code off} is RTCP rather than RTP by RFC 5761 §4 (second byte 192–223). */
    public static boolean isRtcp(byte[] buf, int off, int len) {
        if (len < 2) {
            return false;
        }
        int pt = buf[off + 1] & 0xFF;
        return pt >= 192 && pt <= 223;
    }

    /** True if the first byte is in the RTP/RTCP range of RFC 7983 (128–191). */
    public static boolean isRtpOrRtcp(byte[] buf, int off, int len) {
        if (len < 1) {
            return false;
        }
        int b = buf[off] & 0xFF;
        return b >= 128 && b <= 191;
    }

    /** Validates and points the view at {@code buf[off, off+len)}. */
    public RtpStatus wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.extensionOffset = -1;
        this.extensionLength = 0;
        this.extensionProfile = 0;
        this.paddingLength = 0;
        this.headerLength = 0;
        status = check();
        return status;
    }

    private RtpStatus check() {
        if (len < FIXED_HEADER || off < 0 || off + len > buf.length) {
            return RtpStatus.TOO_SHORT;
        }
        int b0 = buf[off] & 0xFF;
        if ((b0 >>> 6) != 2) {
            return RtpStatus.BAD_VERSION;
        }
        if (isRtcp(buf, off, len)) {
            return RtpStatus.IS_RTCP;
        }
        int hl = FIXED_HEADER + 4 * (b0 & 0x0F);
        if (hl > len) {
            return RtpStatus.CSRC_PAST_END;
        }
        if ((b0 & 0x10) != 0) {
            if (hl + 4 > len) {
                return RtpStatus.EXTENSION_PAST_END;
            }
            int profile = BigEndian.u16(buf, off + hl);
            int words = BigEndian.u16(buf, off + hl + 2);
            int extStart = hl + 4;
            if (extStart + 4 * words > len) {
                return RtpStatus.EXTENSION_PAST_END;
            }
            extensionProfile = profile;
            extensionOffset = off + extStart;
            extensionLength = 4 * words;
            hl = extStart + 4 * words;
            if (!elementsValid()) {
                return RtpStatus.BAD_EXTENSION_ELEMENT;
            }
        }
        headerLength = hl;
        if ((b0 & 0x20) != 0) {
            int p = buf[off + len - 1] & 0xFF;
            if (p == 0 || p > len - hl) {
                return RtpStatus.BAD_PADDING;
            }
            paddingLength = p;
        }
        return RtpStatus.OK;
    }

    /** Walks RFC 8285 elements once so that {@link #findExtension} can trust them. */
    private boolean elementsValid() {
        boolean oneByte = extensionProfile == PROFILE_ONE_BYTE;
        boolean twoByte = (extensionProfile & PROFILE_TWO_BYTE_MASK) == PROFILE_TWO_BYTE;
        if (!oneByte && !twoByte) {
            return true; // another profile: opaque
        }
        int p = extensionOffset;
        int end = extensionOffset + extensionLength;
        while (p < end) {
            int b = buf[p] & 0xFF;
            if (b == 0) { // padding
                p++;
                continue;
            }
            if (oneByte) {
                int id = b >>> 4;
                if (id == 15) {
                    return true; // stop: ignore the rest (RFC 8285 §4.2)
                }
                int l = (b & 0x0F) + 1;
                if (p + 1 + l > end) {
                    return false;
                }
                p += 1 + l;
            } else {
                if (p + 2 > end) {
                    return false;
                }
                int l = buf[p + 1] & 0xFF;
                if (p + 2 + l > end) {
                    return false;
                }
                p += 2 + l;
            }
        }
        return true;
    }

    /** Status of the last {@link #wrap}. */
    public RtpStatus status() { return status; }
    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }
    public int version() { return (buf[off] & 0xFF) >>> 6; }
    public boolean hasPadding() { return (buf[off] & 0x20) != 0; }
    public boolean hasExtension() { return (buf[off] & 0x10) != 0; }
    public int csrcCount() { return buf[off] & 0x0F; }
    public boolean marker() { return (buf[off + 1] & 0x80) != 0; }
    public int payloadType() { return buf[off + 1] & 0x7F; }
    public int sequenceNumber() { return BigEndian.u16(buf, off + 2); }
    public long timestamp() { return BigEndian.u32(buf, off + 4); }
    public long ssrc() { return BigEndian.u32(buf, off + 8); }

    /** CSRC {@code i} (0-based). */
    public long csrc(int i) {
        if (i < 0 || i >= csrcCount()) {
            throw new IndexOutOfBoundsException(i);
        }
        return BigEndian.u32(buf, off + FIXED_HEADER + 4 * i);
    }

    /** Header length including CSRCs and extension. */
    public int headerLength() { return headerLength; }
    /** Padding bytes at the end (0 without P). */
    public int paddingLength() { return paddingLength; }
    /** Absolute offset of the payload in {@link #buffer()}. */
    public int payloadOffset() { return off + headerLength; }
    /** Payload length without padding. */
    public int payloadLength() { return len - headerLength - paddingLength; }
    /** Extension profile (0xBEDE, 0x100X, ...) or 0 without extension. */
    public int extensionProfile() { return extensionProfile; }
    /** Absolute offset of the extension data (after its 4-byte header), or -1. */
    public int extensionOffset() { return extensionOffset; }
    /** Extension data length in bytes. */
    public int extensionLength() { return extensionLength; }

    /**
     * Finds RFC 8285 element {@code id}: returns {@code (absoluteOffset << 16) | length}, or -1 if absent.
     * No allocation.
     */
    public long findExtension(int id) {
        if (extensionOffset < 0 || id <= 0) {
            return -1;
        }
        boolean oneByte = extensionProfile == PROFILE_ONE_BYTE;
        boolean twoByte = (extensionProfile & PROFILE_TWO_BYTE_MASK) == PROFILE_TWO_BYTE;
        if (!oneByte && !twoByte) {
            return -1;
        }
        int p = extensionOffset;
        int end = extensionOffset + extensionLength;
        while (p < end) {
            int b = buf[p] & 0xFF;
            if (b == 0) {
                p++;
                continue;
            }
            int eid;
            int l;
            int data;
            if (oneByte) {
                eid = b >>> 4;
                if (eid == 15) {
                    return -1;
                }
                l = (b & 0x0F) + 1;
                data = p + 1;
            } else {
                eid = b;
                l = buf[p + 1] & 0xFF;
                data = p + 2;
            }
            if (eid == id) {
                return ((long) data << 16) | l;
            }
            p = data + l;
        }
        return -1;
    }

    // --- in-place rewriting -------------------------------------------------------------------------------------

    public void setSsrc(long ssrc) { BigEndian.put32(buf, off + 8, ssrc); }
    public void setTimestamp(long ts) { BigEndian.put32(buf, off + 4, ts); }

    public void setSequenceNumber(int seq) {
        buf[off + 2] = (byte) (seq >>> 8);
        buf[off + 3] = (byte) seq;
    }

    public void setPayloadType(int pt) {
        buf[off + 1] = (byte) ((buf[off + 1] & 0x80) | (pt & 0x7F));
    }

    public void setMarker(boolean marker) {
        buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7F);
    }

    @Override
    public String toString() {
        return status != RtpStatus.OK ? "RtpPacket[" + status + "]"
                : "RtpPacket[pt=" + payloadType() + ", seq=" + sequenceNumber() + ", ts=" + timestamp()
                + ", ssrc=" + ssrc() + ", payload=" + payloadLength() + "]";
    }
}
