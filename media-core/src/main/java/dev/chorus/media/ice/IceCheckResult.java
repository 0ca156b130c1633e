package dev.chorus.media.ice;

/**
 * What happened to one STUN packet handed to the {@link StunRouter} or an {@link IceLiteAgent}. Only
 * {@link #RESPONDED} and {@link #ROLE_CONFLICT} leave a response in the output buffer; all others are silent drops
 * (counted by ordinal).
 */
public enum IceCheckResult {
    /** Valid check: a success response was written; the source 5-tuple is validated. */
    RESPONDED,
    /** Valid check from a peer that also claims the controlled role: a 487 error response was written. */
    ROLE_CONFLICT,
    /** Not a well-formed STUN message (the reason is counted separately by parse status). */
    MALFORMED,
    /** A Binding indication (keep-alive): ignored. */
    INDICATION,
    /** A STUN message other than a Binding request (a lite agent sends no requests, so expects no responses). */
    NOT_BINDING_REQUEST,
    /** No USERNAME, or one without {@code ':'}. */
    MISSING_USERNAME,
    /** The local ufrag is not in the directory. */
    UNKNOWN_UFRAG,
    /** The remote part of USERNAME is not the remote ufrag from the offer. */
    WRONG_REMOTE_UFRAG,
    /** No MESSAGE-INTEGRITY. */
    MISSING_INTEGRITY,
    /** MESSAGE-INTEGRITY does not verify with the local password. */
    BAD_INTEGRITY,
    /** FINGERPRINT present but wrong. */
    BAD_FINGERPRINT,
    /** The transport's consent has expired or it was closed: checks no longer revive it. */
    EXPIRED
}
