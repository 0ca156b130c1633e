package dev.chorus.media.sfu;

import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.transport.WebRtcTransport;

/** {@link Link} over a real transport whose inbound SRTP is decrypted by the worker. */
final class WebRtcLink implements Link {
    final WebRtcTransport transport;

    WebRtcLink(WebRtcTransport transport) {
        this.transport = transport;
    }

    @Override
    public SrtpResult unprotect(byte[] buf, int off, int len, boolean rtcp, int[] newLength) {
        return rtcp ? transport.unprotectRtcp(buf, off, len, newLength) : transport.unprotectRtp(buf, off, len, newLength);
    }

    @Override
    public boolean queue(byte[] buf, int off, int len, boolean rtcp) {
        return rtcp ? transport.queueRtcp(buf, off, len) : transport.queueRtp(buf, off, len);
    }

    @Override
    public boolean queueRetransmission(byte[] buf, int off, int len, int roc) {
        return transport.queueRtpRetransmission(buf, off, len, roc);
    }

    @Override
    public void forgetSsrc(long ssrc) {
        transport.forgetOutboundSsrc(ssrc);
    }

    @Override
    public void forgetInboundSsrc(long ssrc) {
        transport.forgetInboundSsrc(ssrc);
    }

    @Override
    public void close() {
        transport.close();
    }
}
