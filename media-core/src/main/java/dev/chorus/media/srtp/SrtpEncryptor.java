package dev.chorus.media.srtp;

import io.netty.util.collection.IntObjectHashMap;
import java.security.GeneralSecurityException;
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
    private final IntObjectHashMap<SrtpCryptoContext> rtp = new IntObjectHashMap<>();
    private final IntObjectHashMap<SrtcpCryptoContext> rtcp = new IntObjectHashMap<>();
    /** Separate contexts for plain retransmissions (see {@link #protectRtpRetransmission}). */
    private final IntObjectHashMap<SrtpCryptoContext> retransmit = new IntObjectHashMap<>();
    private final int maxStreams;
    private final SrtpStats stats;

    private SrtpEncryptor(SrtpProfile profile, byte[] key, byte[] salt, int maxStreams, SrtpStats stats) {
        this.profile = profile;
        this.factory = new SrtpContextFactory(true, key, salt, profile.policy(), profile.policy(), JitsiSrtp.LOGGER);
        this.maxStreams = maxStreams;
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
        SrtpResult result;
        if (packet.getLength() < 12) {
            result = SrtpResult.INVALID;
        } else {
            int ssrc = JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 8);
            SrtpCryptoContext context = retransmit.get(ssrc);
            result = SrtpResult.OK;
            if (context == null) {
                if (retransmit.size() >= maxStreams) {
                    result = SrtpResult.TOO_MANY_STREAMS;
                } else {
                    try {
                        context = factory.deriveContext(ssrc, roc);
                        retransmit.put(ssrc, context);
                    } catch (GeneralSecurityException e) {
                        result = SrtpResult.INVALID;
                    }
                }
            }
            if (context != null) {
                try {
                    result = JitsiSrtp.map(context.transformPacket(packet));
                } catch (GeneralSecurityException | RuntimeException e) {
                    result = SrtpResult.INVALID;
                }
            }
        }
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
        int ssrc = JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 8);
        SrtpCryptoContext context = rtp.get(ssrc);
        if (context == null) {
            if (rtp.size() >= maxStreams) return SrtpResult.TOO_MANY_STREAMS;
            try {
                context = factory.deriveContext(ssrc, 0);
            } catch (GeneralSecurityException e) {
                return SrtpResult.INVALID;
            }
            rtp.put(ssrc, context);
        }
        try {
            return JitsiSrtp.map(context.transformPacket(packet));
        } catch (GeneralSecurityException | RuntimeException e) {
            return SrtpResult.INVALID;
        }
    }

    private SrtpResult doProtectRtcp(PacketBuffer packet) {
        if (packet.getLength() < 8) return SrtpResult.INVALID;
        int ssrc = JitsiSrtp.readInt(packet.getBuffer(), packet.getOffset() + 4);
        SrtcpCryptoContext context = rtcp.get(ssrc);
        if (context == null) {
            if (rtcp.size() >= maxStreams) return SrtpResult.TOO_MANY_STREAMS;
            try {
                context = factory.deriveControlContext(ssrc);
            } catch (GeneralSecurityException e) {
                return SrtpResult.INVALID;
            }
            rtcp.put(ssrc, context);
        }
        try {
            return JitsiSrtp.map(context.transformPacket(packet));
        } catch (GeneralSecurityException | RuntimeException e) {
            return SrtpResult.INVALID;
        }
    }

    /**
     * Drops the contexts of an SSRC no longer sent (a forwarded stream that ended), so that streams coming and going
     * over a long session never exhaust {@code maxStreams}. A later packet with that SSRC would start a new context.
     */
    public void forget(long ssrc) {
        int key = (int) ssrc;
        rtp.remove(key);
        rtcp.remove(key);
        retransmit.remove(key);
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
