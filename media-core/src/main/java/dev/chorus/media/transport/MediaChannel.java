package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsFailure;

import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;

/**
 * One media transport as its owner thread (an SFU room worker) uses it: the lower half of the seam between the SFU
 * and the network (the other half is {@link MediaNetwork}). Incoming datagrams arrive, still protected, through
 * {@link Events#onDatagram} on the network's thread; the owner decrypts them here with {@link #unprotect} and hands
 * outgoing packets over with {@link #send}, which protects a copy and queues it until the owner's next
 * {@link MediaNetwork#flush(int)}.
 *
 * <p>Every method except {@link #close()} is called by the owner thread only (SRTP contexts are single-threaded).
 * The real implementation runs over UDP ({@link MediaTransportServer#open}); tests and benchmarks plug in ones
 * without sockets.
 */
public interface MediaChannel {
    /** Decrypts SRTP/SRTCP in place; the plaintext length is left in {@code newLength[0]}. */
    SrtpResult unprotect(byte[] buf, int off, int len, boolean rtcp, int[] newLength);

    /**
     * Protects a copy of one plaintext RTP packet or RTCP compound and queues it for the owner's next flush; the
     * caller keeps its buffer. False (nothing queued) before the transport connected, after close, or if protection
     * failed.
     */
    boolean send(byte[] buf, int off, int len, boolean rtcp);

    /** Queues a plain RTP retransmission (same SSRC and sequence number as before); {@code roc}: its rollover counter. */
    boolean sendRetransmission(byte[] buf, int off, int len, int roc);

    /** Forgets the outbound SRTP state of an SSRC that will not be sent again. */
    void forgetOutboundSsrc(long ssrc);

    /** Forgets the inbound SRTP state of a sender SSRC that ended. */
    void forgetInboundSsrc(long ssrc);

    /**
     * ICE restart (RFC 8445 §9): the transport answers connectivity checks only with {@code local} and the peer's
     * new {@code remoteUfrag} from now on, keeping its DTLS session, SRTP contexts and current path, so media resumes
     * on whatever pair the peer nominates next without renegotiating tracks.
     *
     * @return false (nothing changed) if the transport is closed or the new ufrag is taken
     */
    boolean restartIce(dev.chorus.media.ice.IceCredentials local, String remoteUfrag);

    /**
     * Sends one SCTP packet of the data channels as DTLS application data (RFC 8261). False (nothing sent) before
     * DTLS finished, after close, or on a channel without DTLS.
     */
    default boolean sendData(byte[] packet) { return false; }

    /** Closes the transport (any thread, idempotent); {@link Events#onClosed} follows once. */
    void close();

    /** What the network tells the owner of a channel. Implementations hand over to the owner and never block. */
    interface Events {
        /**
         * A protected SRTP/SRTCP datagram from the validated remote address, on the network's thread. The bytes are
         * valid only during the call (copy them) and the array has {@link
         * dev.chorus.media.srtp.SrtpEncryptor#MAX_OVERHEAD} spare bytes after them.
         */
        void onDatagram(byte[] buf, int off, int len);

        /** Keys are ready in both directions (DTLS finished). */
        void onConnected(SrtpProfile profile);

        /**
         * The DTLS handshake failed, with the precise reason (for the operator's log); {@link #onClosed} with
         * {@code DTLS_FAILED} follows.
         */
        default void onDtlsFailed(DtlsFailure reason) { }

        /**
         * One SCTP packet the peer sent as DTLS application data, on the DTLS session's thread; the array is the
         * owner's to keep.
         */
        default void onData(byte[] packet) { }

        /** The channel is closed and forgotten; called once. */
        void onClosed(CloseReason reason);
    }
}
