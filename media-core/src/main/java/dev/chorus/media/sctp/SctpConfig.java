package dev.chorus.media.sctp;

/**
 * Parameters of one association. {@link #webRtc(byte[])} gives the WebRTC profile: port 5000 on both sides
 * (RFC 8841's default), 1191-byte packets (what libwebrtc uses so that SCTP + DTLS + UDP + IPv6 fits 1280 bytes),
 * a 256 KiB max message size (Chromium's advertised {@code a=max-message-size}) and a 1 MiB receive window.
 *
 * @param cookieSecret HMAC-SHA256 key of the stateless state cookie (RFC 9260 section 5.1.3); 32 random bytes
 * @param rtoMinMillis RFC 9260 says 1 s; WebRTC stacks (libwebrtc's dcsctp) use a lower floor so that a lost packet
 *                     on a LAN does not stall a channel for a second
 */
public record SctpConfig(int localPort, int remotePort, int mtu, int maxMessageSize, int receiveBufferSize,
                         int sendBufferSize, int streams, long rtoInitialMillis, long rtoMinMillis, long rtoMaxMillis,
                         int maxInitRetransmits, int maxAssociationRetransmits, long heartbeatIntervalMillis,
                         long delayedAckMillis, long cookieLifetimeMillis, byte[] cookieSecret) {

    public SctpConfig {
        if (mtu < 256 || mtu > 65_535) throw new IllegalArgumentException("mtu " + mtu);
        if (maxMessageSize < 1 || receiveBufferSize < 1500 || sendBufferSize < 1) {
            throw new IllegalArgumentException("buffer sizes");
        }
        if (streams < 1 || streams > 65_535) throw new IllegalArgumentException("streams " + streams);
        if (cookieSecret == null || cookieSecret.length < 16) throw new IllegalArgumentException("cookie secret");
        cookieSecret = cookieSecret.clone();
    }

    public static SctpConfig webRtc(byte[] cookieSecret) {
        return new SctpConfig(5000, 5000, 1191, 262_144, 1 << 20, 4 << 20, 65_535, 1_000, 200, 10_000, 8, 10,
                30_000, 200, 60_000, cookieSecret);
    }

    public SctpConfig withMaxMessageSize(int size) {
        return new SctpConfig(localPort, remotePort, mtu, size, receiveBufferSize, sendBufferSize, streams,
                rtoInitialMillis, rtoMinMillis, rtoMaxMillis, maxInitRetransmits, maxAssociationRetransmits,
                heartbeatIntervalMillis, delayedAckMillis, cookieLifetimeMillis, cookieSecret);
    }

    public SctpConfig withBuffers(int receive, int send) {
        return new SctpConfig(localPort, remotePort, mtu, maxMessageSize, receive, send, streams,
                rtoInitialMillis, rtoMinMillis, rtoMaxMillis, maxInitRetransmits, maxAssociationRetransmits,
                heartbeatIntervalMillis, delayedAckMillis, cookieLifetimeMillis, cookieSecret);
    }

    /** Largest user data in one DATA chunk: a packet minus the common and DATA headers, kept a multiple of 4. */
    int maxChunkPayload() { return (mtu - SctpChunks.COMMON_HEADER - SctpChunks.DATA_HEADER) & ~3; }
}
