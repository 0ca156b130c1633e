package dev.chorus.media.transport;

/**
 * Receives decrypted, header-checked RTP and RTCP of one transport. Called on the UDP event loop; the bytes are
 * valid only during the call (the array is reused for the next packet) and the array has at least
 * {@link dev.chorus.media.srtp.SrtpEncryptor#MAX_OVERHEAD} spare bytes after {@code offset + length}.
 * Implementations hand packets to their owner (the room worker) and must not block.
 */
public interface MediaSink {
    void onRtp(WebRtcTransport transport, byte[] buffer, int offset, int length);

    void onRtcp(WebRtcTransport transport, byte[] buffer, int offset, int length);

    /** A sink that discards everything. */
    MediaSink DISCARD = new MediaSink() {
        @Override public void onRtp(WebRtcTransport transport, byte[] buffer, int offset, int length) { }
        @Override public void onRtcp(WebRtcTransport transport, byte[] buffer, int offset, int length) { }
    };
}
