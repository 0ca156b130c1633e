package dev.chorus.media.simulcast;

import java.util.Locale;

/**
 * The video codecs the SFU forwards, each with what layer selection needs of it ({@link #newDescriptor()}) and how
 * the SFU offers it to subscribers (payload types, the fmtp of its single accepted variant). A track's codec is the
 * one its publisher's section negotiated ({@link #of}); layer selection and the subscriber's offer follow it.
 *
 * <ul>
 *   <li>VP8 (RFC 7741): picture id, TL0PICIDX and temporal layers in the descriptor.
 *   <li>VP9 profile 0 (RFC 9628): as VP8, plus spatial layers (SVC) in one stream.
 *   <li>H.264 packetization-mode 1 (RFC 6184): key frames from the NAL unit types; no picture id. The fmtp (profile,
 *       level) is the publisher's, so a subscriber is offered exactly what the publisher sends.
 * </ul>
 */
public enum VideoCodec {
    VP8("VP8", 96, 97),
    VP9("VP9", 98, 99),
    H264("H264", 102, 103);

    private final String encoding;
    private final int payloadType;
    private final int rtxPayloadType;

    VideoCodec(String encoding, int payloadType, int rtxPayloadType) {
        this.encoding = encoding;
        this.payloadType = payloadType;
        this.rtxPayloadType = rtxPayloadType;
    }

    /** The rtpmap encoding name. */
    public String encoding() { return encoding; }
    /** The payload type of this codec in the SFU's subscriber offers. */
    public int payloadType() { return payloadType; }
    /** The RTX payload type (apt = {@link #payloadType()}) in the SFU's subscriber offers. */
    public int rtxPayloadType() { return rtxPayloadType; }

    /** A fresh descriptor for this codec's payloads (one per worker: it is reused for every packet). */
    public PayloadDescriptor newDescriptor() {
        return switch (this) {
            case VP8 -> new Vp8Descriptor();
            case VP9 -> new Vp9Descriptor();
            case H264 -> new H264Descriptor();
        };
    }

    /**
     * The codec of an offered format, or null when the SFU does not forward it: H.264 only in packetization-mode 1
     * (mode 0 sends one NAL unit per packet, which Chromium's large key frames do not fit; mode 2 interleaves), VP9
     * only profile 0 (8-bit 4:2:0, what every browser decodes).
     *
     * @param fmtp the format's fmtp parameters, or null
     */
    public static VideoCodec of(String encoding, String fmtp) {
        String e = encoding.toUpperCase(Locale.ROOT);
        return switch (e) {
            case "VP8" -> VP8;
            case "VP9" -> parameter(fmtp, "profile-id", "0").equals("0") ? VP9 : null;
            case "H264" -> parameter(fmtp, "packetization-mode", "0").equals("1") ? H264 : null;
            default -> null;
        };
    }

    /** The value of {@code name} in an fmtp parameter list ("a=1;b=2"), or {@code absent}. */
    static String parameter(String fmtp, String name, String absent) {
        if (fmtp == null) return absent;
        for (String kv : fmtp.split(";")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).trim().equalsIgnoreCase(name)) return kv.substring(eq + 1).trim();
        }
        return absent;
    }
}
