package dev.chorus.media.transport;

import java.util.concurrent.atomic.AtomicInteger;

/** Test sink: re-protects every decrypted packet with the transport's outbound contexts and sends it back. */
final class EchoSink implements MediaSink {
    final AtomicInteger rtp = new AtomicInteger();
    final AtomicInteger rtcp = new AtomicInteger();

    @Override
    public void onRtp(WebRtcTransport transport, byte[] buffer, int offset, int length) {
        rtp.incrementAndGet();
        transport.sendRtp(buffer, offset, length);
    }

    @Override
    public void onRtcp(WebRtcTransport transport, byte[] buffer, int offset, int length) {
        rtcp.incrementAndGet();
        transport.sendRtcp(buffer, offset, length);
    }
}
