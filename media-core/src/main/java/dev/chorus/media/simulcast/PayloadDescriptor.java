package dev.chorus.media.simulcast;

/**
 * What the SFU reads and rewrites of one video RTP payload to select and splice layers, whatever the codec: the
 * per-codec half of layer selection ({@link LayerSelector}). One reusable instance per codec and worker parses
 * each packet in place ({@link #parse}); the rest are answers about that packet. Implementations: {@link
 * Vp8Descriptor} (RFC 7741), {@link H264Descriptor} (RFC 6184), {@link Vp9Descriptor} (RFC 9628); {@link
 * VideoCodec#newDescriptor()} picks one by the negotiated codec. No allocation per packet.
 */
public interface PayloadDescriptor {
    /** No picture id / TL0PICIDX / layer index in the packet. */
    int ABSENT = -1;

    /** Parses the payload {@code buf[off, off+len)}; false if it is malformed or truncated (drop and count it). */
    boolean parse(byte[] buf, int off, int len);

    /**
     * The packet starts what a decoder can begin with (a key frame of its layer, with the parameter sets it needs):
     * the only place a spatial switch may land.
     */
    boolean keyframe();

    /** Picture id or {@link #ABSENT} (H.264 has none: pictures are told apart by timestamp). */
    int pictureId();

    /** Modulus of the picture id field (its width). */
    int pictureIdModulus();

    /** Rewrites the picture id in place keeping the field's width; no-op without one. */
    void setPictureId(int id);

    /** TL0PICIDX or {@link #ABSENT}. */
    int tl0PicIdx();

    /** Rewrites TL0PICIDX in place; no-op without one. */
    void setTl0PicIdx(int idx);

    /** Temporal layer index or {@link #ABSENT} (a single temporal layer: treat as 0). */
    int temporalId();

    /** An up-switch to this packet's temporal layer may happen here (VP8 Y bit, VP9 U bit). */
    boolean layerSync();

    /**
     * No later frame refers to this one (VP8 N bit): it may be dropped without harm to the rest, which is the only
     * temporal structure a publisher leaves when it sends no temporal layer index (Chromium's VP8 simulcast, measured:
     * no picture id, no TID, N set on every other frame).
     */
    default boolean discardable() { return false; }

    /**
     * The temporal layer a picture counts as: its TID; without one, 1 for a discardable picture and 0 for the rest
     * (dropping the discardable ones halves Chromium's L1T3 frame rate, and a switch back up may happen at any one of
     * them since nothing refers to it).
     */
    default int effectiveTemporalId() {
        int tid = temporalId();
        return tid != ABSENT ? tid : discardable() ? 1 : 0;
    }

    /** Frame width read from a key frame's start (0: not in this packet or unknown). */
    int frameWidth();

    /** Frame height read from a key frame's start (0: not in this packet or unknown). */
    int frameHeight();
}
