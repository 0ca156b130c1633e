package dev.chorus.media.rtp;

/** Result of validating an RTP header; anything but {@link #OK} means drop and count (SECURITY-CHECKLIST 40). */
public enum RtpStatus {
    OK,
    /** Fewer than 12 bytes. */
    TOO_SHORT,
    /** Version is not 2. */
    BAD_VERSION,
    /** The second byte is an RTCP packet type (192–223, RFC 5761): hand it to the RTCP path. */
    IS_RTCP,
    /** The CSRC list runs past the end. */
    CSRC_PAST_END,
    /** The header extension (or its length) runs past the end. */
    EXTENSION_PAST_END,
    /** An RFC 8285 extension element runs past the extension block or has a reserved id. */
    BAD_EXTENSION_ELEMENT,
    /** P is set but the padding count is 0 or larger than the payload. */
    BAD_PADDING
}
