package dev.chorus.media.sfu;

/** Why a room worker dropped a packet (counted per worker, exported as {@code chorus.sfu.drops{reason}}). */
public enum SfuDropReason {
    /** The worker's queue was full (counted by the producer, the UDP event loop). */
    QUEUE_FULL,
    /** SRTP/SRTCP authentication, replay or format failure (details in the SRTP counters). */
    DECRYPT_FAILED,
    /** Decrypted RTP/RTCP whose header does not fit (SECURITY-CHECKLIST 40). */
    MALFORMED,
    /** RTP from an SSRC the publisher did not announce (checklist 39). */
    UNKNOWN_SSRC,
    /** RTP on a subscribe transport, or from a participant that has no published track for the SSRC. */
    NOT_PUBLISHED,
    /** A payload type that was not negotiated for the track. */
    BAD_PAYLOAD_TYPE,
    /** The track is muted. */
    MUTED,
    /** The publisher exceeds its {@code maxKbps} (checklist 41). */
    OVER_BITRATE,
    /** RTX padding (bandwidth probing) or an RTX packet without an original sequence number. */
    RTX_PADDING,
    /** RTX repeating a packet that already arrived (Chromium's bandwidth probes): nothing to repair. */
    RTX_DUPLICATE,
    /** The packet's transport or participant is already closed. */
    CLOSED
}
