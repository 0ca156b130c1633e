package dev.chorus.media.transport;

/** Why a {@link WebRtcTransport} closed. */
public enum CloseReason {
    /** Its owner (the SFU or signaling) closed it. */
    CLOSED_BY_OWNER,
    /** No ICE consent check for 30 s (RFC 7675, SECURITY-CHECKLIST 32). */
    CONSENT_EXPIRED,
    /** The DTLS handshake failed (see the DTLS failure reason reported alongside). */
    DTLS_FAILED,
    /** The peer ended DTLS (close_notify or a fatal alert after the handshake). */
    DTLS_CLOSED,
    /** The media server stopped. */
    SERVER_STOPPED
}
