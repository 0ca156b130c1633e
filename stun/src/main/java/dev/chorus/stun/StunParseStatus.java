package dev.chorus.stun;

/**
 * Outcome of {@link StunMessage#wrap}. Everything but {@link #OK} is a reason to drop the packet;
 * callers count drops by {@link #ordinal()} into a plain {@code long[]} (no map, no boxing).
 */
public enum StunParseStatus {
    /** A well-formed STUN message. */
    OK,
    /** Fewer than 20 bytes: no complete header. */
    TRUNCATED_HEADER,
    /** The first two bits are not 0: not STUN (RFC 7983 demux puts this elsewhere). */
    NOT_STUN,
    /** The magic cookie is not 0x2112A442. */
    BAD_MAGIC_COOKIE,
    /** The length field is not a multiple of 4. */
    MISALIGNED_LENGTH,
    /** The length field does not match the readable bytes after the header. */
    LENGTH_MISMATCH,
    /** The message is larger than the configured cap. */
    TOO_LARGE,
    /** An attribute header or value (with padding) runs past the end of the message. */
    ATTRIBUTE_PAST_END,
    /** An attribute value length is not allowed for its type. */
    BAD_ATTRIBUTE_LENGTH,
    /** More attributes than the configured cap. */
    TOO_MANY_ATTRIBUTES,
    /** Something other than nothing follows FINGERPRINT, or MESSAGE-INTEGRITY follows MESSAGE-INTEGRITY-SHA256. */
    BAD_ATTRIBUTE_ORDER
}
