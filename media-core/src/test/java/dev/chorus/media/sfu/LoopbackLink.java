package dev.chorus.media.sfu;

import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.transport.MediaChannel;

/**
 * A {@link MediaChannel} without a socket, for benchmarks: real SRTP (decrypt with the publisher's context, protect a copy
 * with the subscriber's context, as {@link dev.chorus.media.transport.WebRtcTransport#queueRtp} does) and a counter
 * where the datagram would be written.
 */
final class LoopbackLink implements MediaChannel {
    private final SrtpDecryptor decryptor;
    SrtpEncryptor encryptor;
    private final PacketBuffer view = new PacketBuffer();
    private final byte[] out = new byte[PacketRing.SLOT_BYTES];
    long sent;
    long sentBytes;

    LoopbackLink(SrtpDecryptor decryptor, SrtpEncryptor encryptor) {
        this.decryptor = decryptor;
        this.encryptor = encryptor;
    }

    @Override
    public SrtpResult unprotect(byte[] buf, int off, int len, boolean rtcp, int[] newLength) {
        view.wrap(buf, off, len);
        SrtpResult r = rtcp ? decryptor.unprotectRtcp(view) : decryptor.unprotectRtp(view);
        newLength[0] = view.getLength();
        return r;
    }

    @Override
    public boolean send(byte[] buf, int off, int len, boolean rtcp) {
        System.arraycopy(buf, off, out, 0, len);
        view.wrap(out, 0, len);
        SrtpResult r = rtcp ? encryptor.protectRtcp(view) : encryptor.protectRtp(view);
        if (r != SrtpResult.OK) return false;
        sent++;
        sentBytes += view.getLength();
        return true;
    }

    @Override
    public boolean sendRetransmission(byte[] buf, int off, int len, int roc) {
        System.arraycopy(buf, off, out, 0, len);
        view.wrap(out, 0, len);
        if (encryptor.protectRtpRetransmission(view, roc) != SrtpResult.OK) return false;
        sent++;
        return true;
    }

    @Override
    public void forgetOutboundSsrc(long ssrc) {
        if (encryptor != null) encryptor.forget(ssrc);
    }

    @Override
    public void forgetInboundSsrc(long ssrc) {
        if (decryptor != null) decryptor.forget(ssrc);
    }

    /** A loopback has no ICE: a restart keeps delivering as before. */
    @Override
    public boolean restartIce(dev.chorus.media.ice.IceCredentials local, String remoteUfrag) { return true; }

    @Override
    public void close() { }
}
