package dev.chorus.media.dtls;

import java.time.Duration;

/**
 * DTLS limits of one server instance.
 *
 * @param handshakeTimeout       a handshake not finished by then fails (and frees its slot)
 * @param maxConcurrentHandshakes handshakes running at once across all transports; more cookie-verified
 *                               ClientHellos are dropped (the client retransmits), bounding CPU under a flood
 * @param queueCapacity          datagrams buffered per session between the event loop and its handshake thread
 */
public record DtlsConfig(Duration handshakeTimeout, int maxConcurrentHandshakes, int queueCapacity) {
    public DtlsConfig {
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) throw new IllegalArgumentException("handshakeTimeout");
        if (maxConcurrentHandshakes < 1) throw new IllegalArgumentException("maxConcurrentHandshakes");
        if (queueCapacity < 4) throw new IllegalArgumentException("queueCapacity");
    }

    public static DtlsConfig defaults() {
        return new DtlsConfig(Duration.ofSeconds(10), 64, 32);
    }
}
