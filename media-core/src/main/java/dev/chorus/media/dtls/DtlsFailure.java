package dev.chorus.media.dtls;

/** Why a DTLS handshake did not produce SRTP keys: a stable reason code for metrics and the audit trail. */
public enum DtlsFailure {
    /** The client presented no certificate although one is required. */
    NO_CLIENT_CERTIFICATE,
    /** The client certificate's SHA-256 is not the fingerprint from its SDP (checklist 34). */
    FINGERPRINT_MISMATCH,
    /** The client did not offer {@code use_srtp} (checklist 35). */
    NO_USE_SRTP,
    /** The client offered {@code use_srtp} but none of our profiles. */
    NO_COMMON_SRTP_PROFILE,
    /** The client offered no version we accept (DTLS 1.0 only) (checklist 35). */
    UNSUPPORTED_VERSION,
    /** None of the client's cipher suites is one of ours (weak suites only) (checklist 35). */
    NO_COMMON_CIPHER_SUITE,
    /** Another negotiation failure reported by a TLS alert we raised. */
    NEGOTIATION,
    /** The peer sent a fatal alert. */
    PEER_ALERT,
    /** Not finished within the handshake timeout. */
    TIMEOUT,
    /** The transport was closed while the handshake ran. */
    CLOSED,
    /** Anything else (I/O or internal error). */
    ERROR
}
