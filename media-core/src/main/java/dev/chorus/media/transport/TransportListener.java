package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.srtp.SrtpProfile;

/** Lifecycle events of one transport, for its owner and the audit trail. Called on the UDP event loop. */
public interface TransportListener {
    /** DTLS finished; SRTP in both directions is ready. */
    default void onConnected(WebRtcTransport transport, SrtpProfile profile, long handshakeNanos) { }

    /** DTLS failed (reported before {@link #onClosed} with {@link CloseReason#DTLS_FAILED}). */
    default void onDtlsFailed(WebRtcTransport transport, DtlsFailure reason) { }

    /**
     * One DTLS application data record (an SCTP packet of the data channels): called on the DTLS session's thread,
     * not the event loop; {@code data} is a copy the listener may keep.
     */
    default void onApplicationData(WebRtcTransport transport, byte[] data) { }

    /** The transport is closed and forgotten; called once. */
    default void onClosed(WebRtcTransport transport, CloseReason reason) { }

    TransportListener NONE = new TransportListener() { };
}
