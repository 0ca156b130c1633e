package dev.chorus.media.sctp;

/** What an association counts (read with {@link SctpAssociation#count(SctpCounter)}); drops say why. */
public enum SctpCounter {
    PACKETS_RECEIVED,
    PACKETS_SENT,
    /** Shorter than a common header plus one chunk header. */
    DROP_TOO_SHORT,
    DROP_BAD_CHECKSUM,
    /** A chunk length below 4 or past the end of the packet. */
    DROP_BAD_CHUNK_LENGTH,
    DROP_INIT_NOT_ALONE,
    DROP_WRONG_PORT,
    DROP_BAD_VERIFICATION_TAG,
    /** A packet for no association (anything but INIT / COOKIE-ECHO before set-up, or after close). */
    DROP_OUT_OF_THE_BLUE,
    /** A chunk whose body does not match its type's layout: dropped, the rest of the packet still processed. */
    MALFORMED_CHUNK,
    /** A chunk type we do not implement (handled per its two high bits, RFC 9260 section 3.2). */
    UNKNOWN_CHUNK,
    /** A well-formed chunk that makes no sense in the current state. */
    UNEXPECTED_CHUNK,
    BAD_COOKIE,
    STALE_COOKIE,
    DUPLICATE_TSN,
    /** DATA beyond the receive buffer: not acknowledged, so the peer sends it again. */
    DATA_NO_BUFFER,
    /** DATA more than 65535 TSNs ahead of the cumulative TSN. */
    DATA_TOO_FAR,
    DATA_INVALID_STREAM,
    /** DATA without user data (RFC 9260 section 6.2). */
    DATA_EMPTY,
    MESSAGES_SENT,
    MESSAGES_DELIVERED,
    /** Partially reliable messages given up (retransmission or lifetime limit, RFC 3758). */
    MESSAGES_ABANDONED,
    RETRANSMITTED_CHUNKS,
    FAST_RETRANSMITS,
    T3_EXPIRIES,
    FORWARD_TSN_SENT,
    HEARTBEATS_SENT,
    STREAM_RESETS_DENIED
}
