package dev.chorus.media.srtp;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;

/**
 * Unprotects the SRTP and SRTCP packets one remote peer sends (one direction of one transport). Not thread-safe by
 * design: one thread owns it (jitsi-srtp's transform methods are {@code synchronized}, which stays uncontended
 * only if a single thread calls them). Decryption is in place; the packet shrinks by the tag (and SRTCP index).
 *
 * <p>Contexts are created per sender SSRC on first use (the SSRC's key derivation is cheap compared to the
 * handshake) and bounded by {@code maxStreams}; a context whose very first packet fails is discarded again, so
 * garbage with random SSRCs leaves no state behind.
 */
public final class SrtpDecryptor implements AutoCloseable {
    static { JitsiSrtp.init(); }

    private final SrtpProfile profile;
    private final SrtpContextFactory factory;
    private final SrtpContexts<SrtpCryptoContext> rtp;
    private final SrtpContexts<SrtcpCryptoContext> rtcp;
    private final SrtpStats stats;

    private SrtpDecryptor(SrtpProfile profile, byte[] key, byte[] salt, int maxStreams, SrtpStats stats) {
        this.profile = profile;
        this.factory = new SrtpContextFactory(false, key, salt, profile.policy(), profile.policy(), JitsiSrtp.LOGGER);
        this.rtp = new SrtpContexts<>(factory, maxStreams, (f, ssrc, roc) -> f.deriveContext(ssrc, roc),
                (c, p) -> JitsiSrtp.map(c.reverseTransformPacket(p, false)), true);
        this.rtcp = new SrtpContexts<>(factory, maxStreams, (f, ssrc, roc) -> f.deriveControlContext(ssrc),
                (c, p) -> JitsiSrtp.map(c.reverseTransformPacket(p)), true);
        this.stats = stats;
    }

    /** The server side: unprotects what the DTLS client sent, with the client's key and salt. */
    public static SrtpDecryptor forServer(SrtpKeys keys, int maxStreams, SrtpStats stats) {
        return new SrtpDecryptor(keys.profile(), keys.clientKey(), keys.clientSalt(), maxStreams, stats);
    }

    /** The client side (test clients, load generator): unprotects what the DTLS server sent. */
    public static SrtpDecryptor forClient(SrtpKeys keys, int maxStreams, SrtpStats stats) {
        return new SrtpDecryptor(keys.profile(), keys.serverKey(), keys.serverSalt(), maxStreams, stats);
    }

    public SrtpProfile profile() { return profile; }

    /** Decrypts and authenticates an SRTP packet in place. On anything but OK the packet must be dropped. */
    public SrtpResult unprotectRtp(PacketBuffer packet) {
        SrtpResult result = doUnprotectRtp(packet);
        stats.count(result, false);
        return result;
    }

    /** Decrypts and authenticates an SRTCP packet in place. On anything but OK the packet must be dropped. */
    public SrtpResult unprotectRtcp(PacketBuffer packet) {
        SrtpResult result = doUnprotectRtcp(packet);
        stats.count(result, true);
        return result;
    }

    private SrtpResult doUnprotectRtp(PacketBuffer packet) {
        if (packet.getLength() < 12 + profile.tagLength()) return SrtpResult.INVALID;
        return rtp.apply(JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 8), 0, packet);
    }

    private SrtpResult doUnprotectRtcp(PacketBuffer packet) {
        if (packet.getLength() < 8 + 4 + profile.tagLength()) return SrtpResult.INVALID;
        return rtcp.apply(JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 4), 0, packet);
    }

    /** Drops the contexts of a sender SSRC that ended (a track unpublished), so churn never exhausts the bound. */
    public void forget(long ssrc) {
        rtp.forget((int) ssrc);
        rtcp.forget((int) ssrc);
    }

    /** Number of sender SSRCs with live SRTP contexts (for tests and bounds). */
    public int rtpStreams() { return rtp.size(); }

    @Override
    public void close() {
        rtp.clear();
        rtcp.clear();
        factory.close();
    }
}
