package dev.chorus.media.transport;

/** Why the UDP edge dropped a datagram before it reached a protocol handler or the media sink. */
public enum DropReason {
    /** Zero-length datagram. */
    EMPTY,
    /** First byte outside the RFC 7983 ranges we serve (0–3 STUN, 20–63 DTLS, 128–191 RTP/RTCP). */
    UNKNOWN_FIRST_BYTE,
    /** Larger than any packet we accept. */
    TOO_LARGE,
    /** DTLS or SRTP from a 5-tuple ICE has not validated (SECURITY-CHECKLIST 33). */
    UNVALIDATED_SOURCE,
    /** SRTP before the DTLS handshake produced keys. */
    NOT_READY,
    /** Decrypted RTP whose header does not fit the packet (SECURITY-CHECKLIST 40). */
    MALFORMED_RTP,
    /** Decrypted RTCP whose compound structure does not fit the packet. */
    MALFORMED_RTCP,
    /** The media sink threw: the packet is dropped, the stream goes on. */
    SINK_ERROR,
    /** An unexpected exception while handling the datagram (a bug): dropped, the socket stays up. */
    INTERNAL_ERROR
}
