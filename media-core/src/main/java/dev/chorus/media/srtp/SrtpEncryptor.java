package dev.chorus.media.srtp;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;

/**
 * Protects the SRTP and SRTCP packets sent to one remote peer. One owner thread (see {@link SrtpDecryptor}).
 * Protection is in place and grows the packet by at most {@link #MAX_OVERHEAD} bytes: callers leave that much room
 * after the packet in its array.
 */
public final class SrtpEncryptor implements AutoCloseable {
    static { JitsiSrtp.init(); }

    /** Largest growth of a protected packet: 16-byte GCM tag + 4-byte SRTCP index (E flag). */
    public static final int MAX_OVERHEAD = 16 + 4;

    private final SrtpProfile profile;
    private final SrtpContextFactory factory;
    private final SrtpContexts<SrtpCryptoContext> rtp;
    private final SrtpContexts<SrtcpCryptoContext> rtcp;
    /** Separate contexts for plain retransmissions (see {@link #protectRtpRetransmission}). */
    private final SrtpContexts<SrtpCryptoContext> retransmit;
    private final SrtpStats stats;

    private SrtpEncryptor(SrtpProfile profile, byte[] key, byte[] salt, int maxStreams, SrtpStats stats) {
        this.profile = profile;
        this.factory = new SrtpContextFactory(true, key, salt, profile.policy(), profile.policy(), JitsiSrtp.LOGGER);
        SrtpContexts.Derive<SrtpCryptoContext> deriveRtp = (f, ssrc, roc) -> f.deriveContext(ssrc, roc);
        SrtpContexts.Transform<SrtpCryptoContext> protectRtp = (c, p) -> JitsiSrtp.map(c.transformPacket(p));
        this.rtp = new SrtpContexts<>(factory, maxStreams, deriveRtp, protectRtp, false);
        this.rtcp = new SrtpContexts<>(factory, maxStreams, (f, ssrc, roc) -> f.deriveControlContext(ssrc),
                (c, p) -> JitsiSrtp.map(c.transformPacket(p)), false);
        this.retransmit = new SrtpContexts<>(factory, maxStreams, deriveRtp, protectRtp, false);
        this.stats = stats;
    }

    /** The server side: protects with the server's key and salt. */
    public static SrtpEncryptor forServer(SrtpKeys keys, int maxStreams, SrtpStats stats) {
        return new SrtpEncryptor(keys.profile(), keys.serverKey(), keys.serverSalt(), maxStreams, stats);
    }

    /** The client side (test clients, load generator): protects with the client's key and salt. */
    public static SrtpEncryptor forClient(SrtpKeys keys, int maxStreams, SrtpStats stats) {
        return new SrtpEncryptor(keys.profile(), keys.clientKey(), keys.clientSalt(), maxStreams, stats);
    }

    public SrtpProfile profile() { return profile; }

    /** The AES/HMAC provider jitsi-srtp uses in this JVM ({@code OpenSSL} or {@code SunJCE}), see {@link JitsiSrtp}. */
    public static String cryptoProvider() { return JitsiSrtp.PROVIDER; }

    /** Encrypts and appends the tag in place. */
    public SrtpResult protectRtp(PacketBuffer packet) {
        SrtpResult result = doProtectRtp(packet);
        if (result == SrtpResult.OK) stats.rtpProtected++; else stats.protectFailures++;
        return result;
    }

    /**
     * Protects a plain retransmission: a packet whose SSRC and sequence number were already protected once (RFC 4585
     * NACK answered without RTX). jitsi-srtp's context refuses to protect an index twice, so retransmissions use a
     * second context per SSRC, created with the stream's current rollover counter {@code roc} (the same key stream:
     * the same index always carries the same plaintext). Each packet can be retransmitted once; packets more than
     * the replay window behind the latest retransmission are refused.
     */
    public SrtpResult protectRtpRetransmission(PacketBuffer packet, int roc) {
        SrtpResult result = packet.getLength() < 12 ? SrtpResult.INVALID
                : retransmit.apply(JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 8), roc, packet);
        if (result == SrtpResult.OK) stats.rtpProtected++; else stats.protectFailures++;
        return result;
    }

    /** Encrypts, appends the SRTCP index and the tag in place. */
    public SrtpResult protectRtcp(PacketBuffer packet) {
        SrtpResult result = doProtectRtcp(packet);
        if (result == SrtpResult.OK) stats.rtcpProtected++; else stats.protectFailures++;
        return result;
    }

    private SrtpResult doProtectRtp(PacketBuffer packet) {
        if (packet.getLength() < 12) return SrtpResult.INVALID;
        return rtp.apply(JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 8), 0, packet);
    }

    private SrtpResult doProtectRtcp(PacketBuffer packet) {
        if (packet.getLength() < 8) return SrtpResult.INVALID;
        return rtcp.apply(JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 4), 0, packet);
    }

    /**
     * Drops the contexts of an SSRC no longer sent (a forwarded stream that ended), so that streams coming and going
     * over a long session never exhaust {@code maxStreams}. A later packet with that SSRC would start a new context.
     */
    public void forget(long ssrc) {
        int key = (int) ssrc;
        rtp.forget(key);
        rtcp.forget(key);
        retransmit.forget(key);
    }

    /** SSRCs with a live RTP context. */
    public int rtpStreams() {
        return rtp.size();
    }

    @Override
    public void close() {
        rtp.clear();
        rtcp.clear();
        retransmit.clear();
        factory.close();
    }
}
