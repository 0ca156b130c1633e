package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsConfig;
import java.net.InetAddress;
import java.util.List;

/**
 * Configuration of the media UDP edge.
 *
 * @param bindAddress        local address to bind ({@code 0.0.0.0}, {@code ::} for dual stack, or one interface)
 * @param port               UDP port for all participants (0 picks a free one, for tests)
 * @param announcedAddresses host candidate addresses put in SDP answers (behind NAT: the public ones); empty means
 *                           the bound address (a wildcard bind then needs explicit announced addresses)
 * @param maxTransports      upper bound of concurrent transports (ICE directory capacity)
 * @param maxStreamsPerTransport SRTP contexts (SSRCs) per transport and direction
 * @param preferEpoll        use native epoll with recvmmsg when available (NIO otherwise)
 * @param recvBatch          datagrams per recvmmsg call (epoll only)
 * @param socketBufferBytes  SO_RCVBUF / SO_SNDBUF
 * @param dtls               DTLS limits
 */
public record MediaTransportConfig(
        InetAddress bindAddress,
        int port,
        List<InetAddress> announcedAddresses,
        int maxTransports,
        int maxStreamsPerTransport,
        boolean preferEpoll,
        int recvBatch,
        int socketBufferBytes,
        DtlsConfig dtls) {

    /** Largest datagram accepted on the media socket (Ethernet MTU; WebRTC stays below ~1250). */
    public static final int MAX_DATAGRAM = 1500;

    public MediaTransportConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port");
        if (maxTransports < 1) throw new IllegalArgumentException("maxTransports");
        if (maxStreamsPerTransport < 1) throw new IllegalArgumentException("maxStreamsPerTransport");
        if (recvBatch < 1) throw new IllegalArgumentException("recvBatch");
        announcedAddresses = List.copyOf(announcedAddresses);
    }

    /** Loopback on an ephemeral port: what tests use. */
    public static MediaTransportConfig loopback() {
        return new MediaTransportConfig(InetAddress.getLoopbackAddress(), 0, List.of(), 1000, 32, true, 32,
                1 << 20, DtlsConfig.defaults());
    }

    public MediaTransportConfig withBindAddress(InetAddress address) {
        return new MediaTransportConfig(address, port, announcedAddresses, maxTransports, maxStreamsPerTransport,
                preferEpoll, recvBatch, socketBufferBytes, dtls);
    }

    public MediaTransportConfig withAnnouncedAddresses(List<InetAddress> addresses) {
        return new MediaTransportConfig(bindAddress, port, addresses, maxTransports, maxStreamsPerTransport,
                preferEpoll, recvBatch, socketBufferBytes, dtls);
    }

    public MediaTransportConfig withEpoll(boolean prefer) {
        return new MediaTransportConfig(bindAddress, port, announcedAddresses, maxTransports, maxStreamsPerTransport,
                prefer, recvBatch, socketBufferBytes, dtls);
    }

    public MediaTransportConfig withDtls(DtlsConfig dtlsConfig) {
        return new MediaTransportConfig(bindAddress, port, announcedAddresses, maxTransports, maxStreamsPerTransport,
                preferEpoll, recvBatch, socketBufferBytes, dtlsConfig);
    }
}
