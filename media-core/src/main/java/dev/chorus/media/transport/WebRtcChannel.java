package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;

/**
 * {@link MediaChannel} over a {@link WebRtcTransport} whose inbound SRTP is decrypted by the channel's owner: the
 * transport's sink and listener callbacks become {@link MediaChannel.Events}.
 */
final class WebRtcChannel implements MediaChannel, SrtpSink, TransportListener {
    private final MediaChannel.Events events;
    WebRtcTransport transport;

    WebRtcChannel(MediaChannel.Events events) {
        this.events = events;
    }

    @Override
    public SrtpResult unprotect(byte[] buf, int off, int len, boolean rtcp, int[] newLength) {
        return rtcp ? transport.unprotectRtcp(buf, off, len, newLength) : transport.unprotectRtp(buf, off, len, newLength);
    }

    @Override
    public boolean send(byte[] buf, int off, int len, boolean rtcp) {
        return rtcp ? transport.queueRtcp(buf, off, len) : transport.queueRtp(buf, off, len);
    }

    @Override
    public boolean sendRetransmission(byte[] buf, int off, int len, int roc) {
        return transport.queueRtpRetransmission(buf, off, len, roc);
    }

    @Override
    public void forgetOutboundSsrc(long ssrc) {
        transport.forgetOutboundSsrc(ssrc);
    }

    @Override
    public void forgetInboundSsrc(long ssrc) {
        transport.forgetInboundSsrc(ssrc);
    }

    @Override
    public boolean restartIce(dev.chorus.media.ice.IceCredentials local, String remoteUfrag) {
        return transport.restartIce(local, remoteUfrag);
    }

    @Override
    public boolean sendData(byte[] packet) {
        return transport.sendApplicationData(packet, 0, packet.length);
    }

    @Override
    public void onApplicationData(WebRtcTransport t, byte[] data) {
        events.onData(data);
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public void onSrtp(WebRtcTransport t, byte[] buffer, int offset, int length) {
        events.onDatagram(buffer, offset, length);
    }

    @Override
    public void onConnected(WebRtcTransport t, SrtpProfile profile, long handshakeNanos) {
        events.onConnected(profile);
    }

    @Override
    public void onDtlsFailed(WebRtcTransport t, DtlsFailure reason) {
        events.onDtlsFailed(reason);
    }

    @Override
    public void onClosed(WebRtcTransport t, CloseReason reason) {
        events.onClosed(reason);
    }

    @Override
    public String toString() {
        return "WebRtcChannel[" + transport + "]";
    }
}
