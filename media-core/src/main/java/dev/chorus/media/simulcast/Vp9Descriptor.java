package dev.chorus.media.simulcast;

/**
 * A reusable view of the VP9 payload descriptor (RFC 9628 §4.2) at the start of an RTP payload: which picture,
 * spatial layer (SID) and temporal layer (TID) a packet belongs to, whether it starts or ends a layer frame, and
 * the scalability structure (SS) a key picture carries. The SFU reads it to select SVC layers ({@link SvcSelector})
 * or, for VP9 simulcast (one spatial layer per rid), to splice layers ({@link LayerSelector}); it rewrites the
 * picture id and TL0PICIDX in place. {@link #parse} returns false (drop and count the packet) when a field runs
 * past the payload or a count is out of range. No allocation.
 *
 * <pre>
 *  I|P|L|F|B|E|V|Z                 required byte
 *  M| PICTURE ID (7/15)            if I
 *  TID|U| SID |D                   if L
 *  TL0PICIDX                       if L and not F (non-flexible mode)
 *  P_DIFF |N  (up to 3)            if F and P (flexible mode)
 *  scalability structure           if V:
 *    N_S|Y|G|-|-|-                   N_S + 1 spatial layers
 *    WIDTH(16) HEIGHT(16)            per spatial layer, if Y
 *    N_G                             if G
 *    TID|U| R |-|-  P_DIFF × R       per picture of the group, if G
 * </pre>
 */
public final class Vp9Descriptor implements PayloadDescriptor {
    /** Spatial layers an SS can describe (N_S is 3 bits). */
    public static final int MAX_SPATIAL = 8;

    private byte[] buf;
    private int length;
    private boolean interPicture;
    private boolean flexible;
    private boolean beginOfFrame;
    private boolean endOfFrame;
    private boolean hasStructure;
    private boolean notReference;
    private int pictureIdAt;
    private boolean longPictureId;
    private int pictureId;
    private int tl0At;
    private int tl0PicIdx;
    private int temporalId;
    private int spatialId;
    private boolean switchingUp;
    private boolean interLayer;
    private int referenceCount;
    private int structureLayers;
    private final int[] widths = new int[MAX_SPATIAL];
    private final int[] heights = new int[MAX_SPATIAL];
    private int groupSize;
    private int structureEnd;

    @Override
    public boolean parse(byte[] buf, int off, int len) {
        this.buf = buf;
        pictureIdAt = -1;
        tl0At = -1;
        pictureId = ABSENT;
        tl0PicIdx = ABSENT;
        temporalId = ABSENT;
        spatialId = ABSENT;
        switchingUp = false;
        interLayer = false;
        referenceCount = 0;
        structureLayers = 0;
        groupSize = 0;
        longPictureId = false;
        if (len < 1) return false;
        int p = off;
        int end = off + len;
        int b0 = buf[p++] & 0xFF;
        boolean hasPictureId = (b0 & 0x80) != 0;
        interPicture = (b0 & 0x40) != 0;
        boolean hasLayers = (b0 & 0x20) != 0;
        flexible = (b0 & 0x10) != 0;
        beginOfFrame = (b0 & 0x08) != 0;
        endOfFrame = (b0 & 0x04) != 0;
        hasStructure = (b0 & 0x02) != 0;
        notReference = (b0 & 0x01) != 0;
        if (hasPictureId) {
            if (p >= end) return false;
            pictureIdAt = p;
            longPictureId = PictureIdField.isLong(buf, p);
            if (longPictureId && p + 2 > end) return false;
            pictureId = PictureIdField.read(buf, p, longPictureId);
            p += longPictureId ? 2 : 1;
        }
        if (hasLayers) {
            if (p >= end) return false;
            int l = buf[p++] & 0xFF;
            temporalId = l >>> 5;
            switchingUp = (l & 0x10) != 0;
            spatialId = (l >>> 1) & 0x07;
            interLayer = (l & 0x01) != 0;
            if (!flexible) {
                if (p >= end) return false;
                tl0At = p;
                tl0PicIdx = buf[p++] & 0xFF;
            }
        }
        if (flexible && interPicture) {
            // Up to 3 reference indices, each with N = another follows (RFC 9628: "up to 3").
            boolean more = true;
            while (more) {
                if (p >= end || referenceCount == 3) return false;
                more = (buf[p++] & 0x01) != 0;
                referenceCount++;
            }
        }
        if (hasStructure && !structure(buf, p, end)) return false;
        if (hasStructure) p = structureEnd;
        length = p - off;
        return true;
    }

    private boolean structure(byte[] buf, int p, int end) {
        if (p >= end) return false;
        int h = buf[p++] & 0xFF;
        structureLayers = (h >>> 5) + 1;
        boolean sizes = (h & 0x10) != 0;
        boolean group = (h & 0x08) != 0;
        if (sizes) {
            if (end - p < 4 * structureLayers) return false;
            for (int i = 0; i < structureLayers; i++) {
                widths[i] = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
                heights[i] = ((buf[p + 2] & 0xFF) << 8) | (buf[p + 3] & 0xFF);
                p += 4;
            }
        } else {
            for (int i = 0; i < structureLayers; i++) {
                widths[i] = 0;
                heights[i] = 0;
            }
        }
        if (group) {
            if (p >= end) return false;
            groupSize = buf[p++] & 0xFF;
            for (int i = 0; i < groupSize; i++) {
                if (p >= end) return false;
                int r = (buf[p++] >>> 2) & 0x03;
                if (end - p < r) return false;
                p += r;
            }
        }
        structureEnd = p;
        return true;
    }

    /** Descriptor length in bytes (where the VP9 payload starts). */
    public int length() { return length; }
    /** P bit: the layer frame is predicted from an earlier picture. */
    public boolean interPicture() { return interPicture; }
    /** F bit: flexible mode (references in the descriptor; no TL0PICIDX). */
    public boolean flexible() { return flexible; }
    /** B bit: the packet starts a layer frame. */
    public boolean beginOfFrame() { return beginOfFrame; }
    /** E bit: the packet ends a layer frame. */
    public boolean endOfFrame() { return endOfFrame; }
    /** V bit: the packet carries a scalability structure. */
    public boolean hasStructure() { return hasStructure; }
    /** Z bit: no frame of a higher spatial layer of this picture refers to this one. */
    public boolean notReference() { return notReference; }
    /** Spatial layer index (SID) or {@link #ABSENT} (one spatial layer: treat as 0). */
    public int spatialId() { return spatialId; }
    /** D bit: the layer frame depends on the lower spatial layer of the same picture. */
    public boolean interLayer() { return interLayer; }
    /** Reference indices (P_DIFF) of a flexible-mode inter picture. */
    public int referenceCount() { return referenceCount; }
    /** Spatial layers in the scalability structure (0 without one). */
    public int structureLayers() { return structureLayers; }
    /** Width of spatial layer {@code i} in the scalability structure (0: not given). */
    public int structureWidth(int i) { return i < structureLayers ? widths[i] : 0; }
    /** Height of spatial layer {@code i} in the scalability structure (0: not given). */
    public int structureHeight(int i) { return i < structureLayers ? heights[i] : 0; }
    /** Pictures in the structure's group of frames (N_G; 0 without one). */
    public int groupSize() { return groupSize; }
    /** The packet starts a layer frame of the lowest spatial layer: a new picture. */
    public boolean startOfPicture() { return beginOfFrame && (spatialId == ABSENT || spatialId == 0); }

    /** The start of a key picture: its base layer frame is intra-coded (P = 0, B = 1, SID 0). */
    @Override public boolean keyframe() { return !interPicture && startOfPicture(); }
    @Override public int pictureId() { return pictureId; }
    @Override public int pictureIdModulus() { return longPictureId ? 0x8000 : 0x80; }
    @Override public int tl0PicIdx() { return tl0PicIdx; }
    @Override public int temporalId() { return temporalId; }
    /** U bit: a switching-up point to this packet's temporal layer. */
    @Override public boolean layerSync() { return switchingUp; }
    /** Width of the largest spatial layer the SS gives (one spatial layer per simulcast stream); else 0. */
    @Override public int frameWidth() { return structureLayers == 0 ? 0 : widths[structureLayers - 1]; }
    @Override public int frameHeight() { return structureLayers == 0 ? 0 : heights[structureLayers - 1]; }

    @Override
    public void setPictureId(int id) {
        if (pictureIdAt < 0) return;
        pictureId = PictureIdField.write(buf, pictureIdAt, longPictureId, id);
    }

    @Override
    public void setTl0PicIdx(int idx) {
        if (tl0At < 0) return;
        buf[tl0At] = (byte) idx;
        tl0PicIdx = idx & 0xFF;
    }
}
