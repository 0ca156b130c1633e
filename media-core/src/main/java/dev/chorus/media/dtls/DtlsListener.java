package dev.chorus.media.dtls;

import dev.chorus.media.srtp.SrtpKeys;

/**
 * Outcome of one transport's DTLS session. Called on the session's virtual thread: implementations hand the
 * result over to the thread that owns the transport rather than touching its state directly.
 */
public interface DtlsListener {
    /** Handshake finished and the client proved possession of the fingerprinted certificate. */
    void onConnected(SrtpKeys keys, long handshakeNanos);

    /** Handshake failed; the session is closed. */
    void onFailed(DtlsFailure reason, long handshakeNanos);

    /**
     * One DTLS application data record of an established session (SCTP packets of the data channels, RFC 8261).
     * {@code data} is reused after the call: copy what is kept.
     */
    default void onApplicationData(byte[] data, int offset, int length) { }

    /** An established session ended (close_notify from the peer, or a fatal error after the handshake). */
    void onClosed();
}
