package dev.chorus.media.transport;

/**
 * Receives still-protected SRTP/SRTCP datagrams of one transport, for an owner that decrypts on its own thread
 * (the SFU's room worker, ARCHITECTURE.md "decrypt on the worker, not on the event loop"). Called on the UDP event
 * loop only for datagrams from the 5-tuple ICE validated, after DTLS produced keys; the bytes are valid only during
 * the call (copy them: a bounded queue of pooled buffers) and the array has {@link
 * dev.chorus.media.srtp.SrtpEncryptor#MAX_OVERHEAD} spare bytes. The owner then calls {@link
 * WebRtcTransport#unprotectRtp} / {@link WebRtcTransport#unprotectRtcp} on its thread. Must not block.
 */
public interface SrtpSink {
    void onSrtp(WebRtcTransport transport, byte[] buffer, int offset, int length);
}
