package dev.chorus.media.sfu;

import dev.chorus.media.srtp.SrtpResult;

/**
 * What the worker needs from one transport: decrypt what came in, protect and queue what goes out. The real one
 * wraps a {@link dev.chorus.media.transport.WebRtcTransport}; benchmarks use one without a socket. All methods are
 * called by the owning worker only.
 */
interface Link {
    /** Decrypts in place; the plaintext length is left in {@code newLength[0]}. */
    SrtpResult unprotect(byte[] buf, int off, int len, boolean rtcp, int[] newLength);

    /** Protects a copy and queues it for the next flush; false if it cannot be sent (not connected, closed). */
    boolean queue(byte[] buf, int off, int len, boolean rtcp);

    /** Queues a plain retransmission (same SSRC and sequence number as before); {@code roc}: its rollover counter. */
    boolean queueRetransmission(byte[] buf, int off, int len, int roc);

    /** Forgets the outbound SRTP state of an SSRC that will not be sent again. */
    void forgetSsrc(long ssrc);

    /** Forgets the inbound SRTP state of a sender SSRC that ended. */
    void forgetInboundSsrc(long ssrc);

    /** Closes the underlying transport (idempotent). */
    void close();
}
