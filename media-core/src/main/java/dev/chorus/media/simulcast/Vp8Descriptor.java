package dev.chorus.media.simulcast;

/**
 * A reusable view of the VP8 payload descriptor (RFC 7741 §4.2) at the start of an RTP payload, plus the key frame
 * bit of the VP8 payload header (§4.3) when the packet starts a frame. The SFU reads it to learn which picture and
 * temporal layer a packet belongs to and rewrites picture id and TL0PICIDX in place so a subscriber's decoder sees
 * one continuous stream across layer switches. {@link #parse} returns false (and the packet must be dropped and
 * counted) when the descriptor runs past the payload. No allocation.
 *
 * <pre>
 *  X|R|N|S|R| PID      required byte
 *  I|L|T|K| RSV        if X
 *  M| PictureID(7/15)  if I (M = 15-bit)
 *  TL0PICIDX           if L
 *  TID|Y| KEYIDX       if T or K
 * </pre>
 */
public final class Vp8Descriptor implements PayloadDescriptor {
    /** No picture id / TL0PICIDX / TID in the descriptor. */
    public static final int ABSENT = -1;

    private byte[] buf;
    private int payloadOff;
    private int payloadLen;
    private int pictureIdAt;
    private int tl0At;
    private int length;
    private boolean startOfPartition;
    private boolean nonReference;
    private int partitionIndex;
    private int pictureId;
    private boolean longPictureId;
    private int tl0PicIdx;
    private int temporalId;
    private boolean layerSync;
    private boolean keyframe;

    /** Parses the descriptor of the payload {@code buf[off, off+len)}; false if it is truncated. */
    public boolean parse(byte[] buf, int off, int len) {
        this.buf = buf;
        payloadOff = off;
        payloadLen = len;
        pictureIdAt = -1;
        tl0At = -1;
        pictureId = ABSENT;
        tl0PicIdx = ABSENT;
        temporalId = ABSENT;
        layerSync = false;
        keyframe = false;
        longPictureId = false;
        if (len < 1) return false;
        int p = off;
        int end = off + len;
        int b0 = buf[p++] & 0xFF;
        startOfPartition = (b0 & 0x10) != 0;
        nonReference = (b0 & 0x20) != 0;
        partitionIndex = b0 & 0x07;
        if ((b0 & 0x80) != 0) {
            if (p >= end) return false;
            int x = buf[p++] & 0xFF;
            if ((x & 0x80) != 0) { // I
                if (p >= end) return false;
                pictureIdAt = p;
                longPictureId = PictureIdField.isLong(buf, p);
                if (longPictureId && p + 2 > end) return false;
                pictureId = PictureIdField.read(buf, p, longPictureId);
                p += longPictureId ? 2 : 1;
            }
            if ((x & 0x40) != 0) { // L
                if (p >= end) return false;
                tl0At = p;
                tl0PicIdx = buf[p++] & 0xFF;
            }
            if ((x & 0x30) != 0) { // T or K
                if (p >= end) return false;
                int t = buf[p++] & 0xFF;
                if ((x & 0x20) != 0) {
                    temporalId = t >>> 6;
                    layerSync = (t & 0x20) != 0;
                }
            }
        }
        length = p - off;
        // The VP8 payload header's P bit (0 = key frame) is only present at the start of partition 0.
        if (startOfPartition && partitionIndex == 0) {
            if (p >= end) return false;
            keyframe = (buf[p] & 0x01) == 0;
        }
        return true;
    }

    /** Descriptor length in bytes (where the VP8 payload starts). */
    public int length() { return length; }
    /** S bit: the packet starts a VP8 partition. */
    public boolean startOfPartition() { return startOfPartition; }
    public int partitionIndex() { return partitionIndex; }
    /** The packet starts a new picture (S = 1, partition 0). */
    public boolean startOfPicture() { return startOfPartition && partitionIndex == 0; }
    /** The packet starts a key frame. */
    public boolean keyframe() { return keyframe; }
    /** Picture id (7 or 15 bits) or {@link #ABSENT}. */
    public int pictureId() { return pictureId; }
    /** True if the picture id field is 15 bits (M bit). */
    public boolean longPictureId() { return longPictureId; }
    /** TL0PICIDX or {@link #ABSENT}. */
    public int tl0PicIdx() { return tl0PicIdx; }
    /** Temporal layer index (TID) or {@link #ABSENT} (then the stream has a single temporal layer: treat as 0). */
    public int temporalId() { return temporalId; }
    /** Y bit: this frame only depends on TL0 frames, so a receiver can switch up to its layer here. */
    public boolean layerSync() { return layerSync; }
    /** N bit: no other frame refers to this one (RFC 7741 §4.2; libwebrtc sets it on L1T3's TL2 frames). */
    @Override public boolean discardable() { return nonReference; }

    /** Rewrites the picture id in place keeping the field's width (7 or 15 bits); no-op without one. */
    public void setPictureId(int id) {
        if (pictureIdAt < 0) return;
        pictureId = PictureIdField.write(buf, pictureIdAt, longPictureId, id);
    }

    /** Rewrites TL0PICIDX in place; no-op without one. */
    public void setTl0PicIdx(int idx) {
        if (tl0At < 0) return;
        buf[tl0At] = (byte) idx;
        tl0PicIdx = idx & 0xFF;
    }

    /** Modulus of the picture id field (128 or 32768). */
    public int pictureIdModulus() {
        return longPictureId ? 0x8000 : 0x80;
    }

    /** A key frame's width from its VP8 frame header (RFC 6386 §9.1: start code 9d 01 2a, then 14 bits); else 0. */
    @Override
    public int frameWidth() {
        int p = keyFrameHeader();
        return p < 0 ? 0 : ((buf[p + 6] & 0xFF) | ((buf[p + 7] & 0xFF) << 8)) & 0x3FFF;
    }

    /** A key frame's height, like {@link #frameWidth()}. */
    @Override
    public int frameHeight() {
        int p = keyFrameHeader();
        return p < 0 ? 0 : ((buf[p + 8] & 0xFF) | ((buf[p + 9] & 0xFF) << 8)) & 0x3FFF;
    }

    /** Where the key frame's VP8 header starts, or -1 (not a key frame's start, too short, no start code). */
    private int keyFrameHeader() {
        if (!keyframe || payloadLen - length < 10) return -1;
        int p = payloadOff + length;
        if ((buf[p + 3] & 0xFF) != 0x9d || (buf[p + 4] & 0xFF) != 0x01 || (buf[p + 5] & 0xFF) != 0x2a) return -1;
        return p;
    }
}
