package dev.chorus.media.dtls;

import java.security.SecureRandom;
import java.util.concurrent.Semaphore;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSVerifier;

/**
 * Server-wide DTLS state: the certificate, the JCE-backed TLS crypto ({@link DtlsCrypto}), the stateless cookie
 * verifier, the bound on concurrent handshakes and the log of handshake failures.
 * Creates one {@link DtlsSession} per transport.
 */
public final class DtlsEndpoint {
    private final DtlsCertificate certificate;
    private final DtlsConfig config;
    private final DtlsStats stats;
    private final DtlsCrypto crypto;
    private final DtlsFailureLog failureLog = new DtlsFailureLog();
    private final DTLSVerifier verifier;
    private final Semaphore handshakeSlots;

    public DtlsEndpoint(DtlsCertificate certificate, DtlsConfig config, DtlsStats stats) {
        this.certificate = certificate;
        this.config = config;
        this.stats = stats;
        this.crypto = new DtlsCrypto(new SecureRandom());
        // The verifier's cookie key is random per instance: cookies prove the client can receive at its address,
        // and a restart simply makes clients redo the (cheap) exchange.
        this.verifier = new DTLSVerifier(crypto);
        this.handshakeSlots = new Semaphore(config.maxConcurrentHandshakes());
    }

    public DtlsCertificate certificate() { return certificate; }
    public DtlsConfig config() { return config; }
    public DtlsStats stats() { return stats; }
    DtlsCrypto crypto() { return crypto; }
    DtlsFailureLog failureLog() { return failureLog; }

    /**
     * A DTLS session for one transport. {@code expectedClientFingerprint} comes from the client's SDP; the handshake
     * fails unless the client's certificate has exactly that SHA-256.
     */
    public DtlsSession newSession(Fingerprint expectedClientFingerprint, DatagramSink sink, DtlsListener listener) {
        return new DtlsSession(this, expectedClientFingerprint, sink, listener);
    }

    /**
     * Stateless cookie exchange (RFC 6347 §4.2.1): answers a ClientHello without a valid cookie with a
     * HelloVerifyRequest and keeps nothing. Returns the request only once the client echoed a valid cookie.
     * The verifier's MAC is not thread-safe, hence the (uncontended, DTLS-only) lock.
     */
    DTLSRequest verify(byte[] clientId, byte[] data, int offset, int length, DatagramSink sink) {
        boolean[] answered = new boolean[1];
        DTLSRequest request;
        synchronized (verifier) {
            request = verifier.verifyRequest(clientId, data, offset, length, new org.bouncycastle.tls.DatagramSender() {
                @Override public int getSendLimit() { return QueueDatagramTransport.SEND_LIMIT; }
                @Override public void send(byte[] buf, int off, int len) {
                    answered[0] = true;
                    sink.send(buf, off, len);
                }
            });
        }
        if (answered[0]) stats.cookieRequestsAnswered.increment();
        return request;
    }

    boolean tryAcquireSlot() {
        if (handshakeSlots.tryAcquire()) {
            stats.inProgress.incrementAndGet();
            return true;
        }
        stats.droppedBusy.increment();
        return false;
    }

    void releaseSlot() {
        stats.inProgress.decrementAndGet();
        handshakeSlots.release();
    }
}
