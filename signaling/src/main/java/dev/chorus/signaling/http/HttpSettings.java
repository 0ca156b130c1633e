package dev.chorus.signaling.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the HTTPS listener. Every size, count and time is bounded.
 *
 * @param bindAddress          address to listen on (e.g. 127.0.0.1, 0.0.0.0, ::)
 * @param port                 TCP port; 0 picks a free one (tests)
 * @param maxBodyBytes         largest request body accepted (413 above)
 * @param maxHeaderBytes       largest header block (431 above)
 * @param maxInitialLineBytes  longest request line (414 above)
 * @param requestTimeout       a complete request must arrive within this time of connecting or of the previous
 *                             response; also the keep-alive idle limit (slowloris defence)
 * @param tlsHandshakeTimeout  the TLS handshake must finish within this time
 * @param maxConnectionsPerIp  concurrent TCP connections per source (IPv4 address or IPv6 /64)
 * @param hstsMaxAgeSeconds    Strict-Transport-Security max-age; 0 leaves the header out
 * @param maxInFlightRequests  requests processed at once across the server (503 above)
 */
public record HttpSettings(
        String bindAddress,
        int port,
        int maxBodyBytes,
        int maxHeaderBytes,
        int maxInitialLineBytes,
        Duration requestTimeout,
        Duration tlsHandshakeTimeout,
        int maxConnectionsPerIp,
        long hstsMaxAgeSeconds,
        int maxInFlightRequests) {

    public HttpSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(tlsHandshakeTimeout, "tlsHandshakeTimeout");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (maxBodyBytes < 1 || maxHeaderBytes < 256 || maxInitialLineBytes < 64 || maxConnectionsPerIp < 1
                || maxInFlightRequests < 1 || hstsMaxAgeSeconds < 0) {
            throw new IllegalArgumentException("HTTP limits must be positive");
        }
    }

    /** Defaults suitable for production; tests shorten the times. */
    public static HttpSettings defaults(String bindAddress, int port) {
        return new HttpSettings(bindAddress, port, 64 * 1024, 8 * 1024, 4 * 1024,
                Duration.ofSeconds(10), Duration.ofSeconds(10), 64, 31_536_000L, 256);
    }
}
