package dev.chorus.media.simulcast;

/**
 * What the SFU reads of an H.264 RTP payload (RFC 6184, packetization-mode 1, the only mode it negotiates): the NAL
 * unit types a packet carries, as a single NAL unit packet (types 1–23), an aggregation packet (STAP-A, 24: each unit
 * after a 16-bit size) or a fragment (FU-A, 28: the type is in the FU header, the start bit marks the first
 * fragment). A packet is a key frame start ({@link #keyframe()}) when it carries a sequence parameter set (7) or the
 * start of an IDR slice (5): libwebrtc sends SPS and PPS right before every IDR (an STAP-A, or single packets), so
 * the first such packet of the access unit is where a decoder can begin. The frame size comes from the SPS ({@link
 * H264Sps}). H.264 has no picture id or TL0PICIDX: layer switches rewrite only sequence numbers and timestamps.
 * Packetization-mode 2 types (STAP-B, MTAP, FU-B) and the reserved types are refused (drop and count). No
 * allocation.
 */
public final class H264Descriptor implements PayloadDescriptor {
    /** NAL unit types (ITU-T H.264 Table 7-1; RFC 6184 §5.2). */
    public static final int IDR = 5;
    public static final int SPS = 7;
    public static final int PPS = 8;
    public static final int STAP_A = 24;
    public static final int FU_A = 28;

    private final H264Sps sps = new H264Sps();
    private boolean keyframe;
    private int width;
    private int height;
    private int nalType;

    @Override
    public boolean parse(byte[] buf, int off, int len) {
        keyframe = false;
        width = 0;
        height = 0;
        if (len < 1) return false;
        int type = buf[off] & 0x1F;
        nalType = type;
        if (type >= 1 && type <= 23) {
            unit(buf, off, len);
            return true;
        }
        if (type == STAP_A) {
            int p = off + 1;
            int end = off + len;
            if (p >= end) return false;
            while (p < end) {
                if (end - p < 2) return false;
                int size = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
                p += 2;
                if (size == 0 || size > end - p) return false;
                unit(buf, p, size);
                p += size;
            }
            return true;
        }
        if (type == FU_A) {
            if (len < 3) return false;
            int fu = buf[off + 1] & 0xFF;
            boolean start = (fu & 0x80) != 0;
            boolean endBit = (fu & 0x40) != 0;
            int inner = fu & 0x1F;
            if (start && endBit || inner == 0 || inner >= STAP_A) return false;
            if (start && (inner == IDR || inner == SPS)) keyframe = true;
            return true;
        }
        return false;
    }

    /** One whole NAL unit {@code buf[off, off+len)}. */
    private void unit(byte[] buf, int off, int len) {
        int type = buf[off] & 0x1F;
        if (type == IDR) {
            keyframe = true;
        } else if (type == SPS) {
            keyframe = true;
            if (sps.parse(buf, off + 1, len - 1)) {
                width = sps.width();
                height = sps.height();
            }
        }
    }

    /** The packet's own NAL unit type (24 for STAP-A, 28 for FU-A). */
    public int nalType() { return nalType; }
    @Override public boolean keyframe() { return keyframe; }
    @Override public int pictureId() { return ABSENT; }
    @Override public int pictureIdModulus() { return 1; }
    @Override public void setPictureId(int id) { }
    @Override public int tl0PicIdx() { return ABSENT; }
    @Override public void setTl0PicIdx(int idx) { }
    @Override public int temporalId() { return ABSENT; }
    @Override public boolean layerSync() { return false; }
    @Override public int frameWidth() { return width; }
    @Override public int frameHeight() { return height; }
}
