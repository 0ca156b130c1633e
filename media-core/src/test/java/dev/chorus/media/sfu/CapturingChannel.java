package dev.chorus.media.sfu;

import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.transport.MediaChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A MediaChannel that keeps a copy of everything sent (subclasses may model a link instead). */
class CapturingChannel implements MediaChannel {
    final List<byte[]> rtp = new ArrayList<>();
    final List<byte[]> rtcp = new ArrayList<>();

    @Override public SrtpResult unprotect(byte[] buf, int off, int len, boolean isRtcp, int[] newLength) {
        newLength[0] = len;
        return SrtpResult.OK;
    }
    @Override public boolean send(byte[] buf, int off, int len, boolean isRtcp) {
        (isRtcp ? rtcp : rtp).add(Arrays.copyOfRange(buf, off, off + len));
        return true;
    }
    @Override public boolean sendRetransmission(byte[] buf, int off, int len, int roc) {
        return send(buf, off, len, false);
    }
    @Override public void forgetOutboundSsrc(long ssrc) { }
    @Override public void forgetInboundSsrc(long ssrc) { }
    @Override public boolean restartIce(IceCredentials local, String remoteUfrag) { return true; }
    @Override public void close() { }
}
