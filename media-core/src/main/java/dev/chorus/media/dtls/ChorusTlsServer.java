package dev.chorus.media.dtls;

import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;

/**
 * The DTLS-SRTP server policy of one transport (RFC 5763/5764): DTLS 1.2 only, ECDHE-ECDSA with AES-GCM only,
 * a client certificate is required and must match the fingerprint from the client's SDP, {@code use_srtp} is
 * required. Everything not allowed here is refused by BouncyCastle with a fatal alert.
 */
final class ChorusTlsServer extends DefaultTlsServer {
    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    };
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private final DtlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final Fingerprint expectedClientFingerprint;
    private final int handshakeTimeoutMillis;

    private volatile SrtpProfile profile;
    private volatile SrtpKeys keys;
    /** The first reason we refused the handshake (set before BC raises the alert). */
    private volatile DtlsFailure failure;
    private volatile boolean peerAlert;
    /** The first fatal alert of the handshake, raised by us or received from the peer, for the failure log. */
    private volatile AlertRecord alert;

    /** A fatal alert with what BouncyCastle said about it ({@code cause} only for alerts we raised). */
    record AlertRecord(boolean raisedByUs, short description, String message, Throwable cause) {
        String describe() {
            String text = (raisedByUs ? "sent " : "received ") + AlertDescription.getText(description);
            if (message != null) text += ": " + message;
            return text;
        }
    }

    ChorusTlsServer(DtlsCrypto crypto, DtlsCertificate certificate, Fingerprint expectedClientFingerprint,
                    int handshakeTimeoutMillis) {
        super(crypto);
        this.crypto = crypto;
        this.certificate = certificate;
        this.expectedClientFingerprint = expectedClientFingerprint;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return CIPHER_SUITES.clone();
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        Certificate chain = new Certificate(
                new org.bouncycastle.tls.crypto.TlsCertificate[] {crypto.createCertificate(certificate.derUnsafe())});
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), chain, ECDSA_SHA256);
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        // Exactly what our crypto can verify: a client may sign CertificateVerify with any algorithm listed here.
        Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>(crypto.verifiableSignatureAlgorithms());
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                algorithms, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        if (clientCertificate == null || clientCertificate.isEmpty()) {
            fail(DtlsFailure.NO_CLIENT_CERTIFICATE);
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
        // Only the end-entity certificate is what the SDP fingerprint names (RFC 8122 §5).
        byte[] der = clientCertificate.getCertificateAt(0).getEncoded();
        if (!expectedClientFingerprint.matches(der)) {
            fail(DtlsFailure.FINGERPRINT_MISMATCH);
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
        // BouncyCastle then verifies CertificateVerify with this certificate's key: possession is proven.
    }

    @Override
    public void processClientExtensions(@SuppressWarnings("rawtypes") Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offered == null) {
            fail(DtlsFailure.NO_USE_SRTP);
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
        for (SrtpProfile candidate : SrtpProfile.PREFERENCE) {
            for (int id : offered.getProtectionProfiles()) {
                if (id == candidate.id()) {
                    profile = candidate;
                    return;
                }
            }
        }
        fail(DtlsFailure.NO_COMMON_SRTP_PROFILE);
        throw new TlsFatalAlert(AlertDescription.handshake_failure);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
        // Server's MKI must be empty; we echo the one chosen profile.
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {profile.id()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        SrtpProfile chosen = profile;
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, chosen.keyingMaterialLength());
        keys = SrtpKeys.fromKeyingMaterial(chosen, material);
        java.util.Arrays.fill(material, (byte) 0);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        if (alertLevel != AlertLevel.fatal) return;
        peerAlert = true;
        if (alert == null) alert = new AlertRecord(false, alertDescription, null, null);
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        // Deliberately silent (BouncyCastle's default prints to stderr); the reason goes to DtlsSession's report.
        if (alertLevel != AlertLevel.fatal) return;
        if (alert == null) alert = new AlertRecord(true, alertDescription, message, cause);
        if (alertDescription == AlertDescription.protocol_version) {
            fail(DtlsFailure.UNSUPPORTED_VERSION);
        }
    }

    /** BouncyCastle asks for this message exactly when none of the client's suites is selectable. */
    @Override
    protected String getDetailMessageNoCipherSuite() {
        fail(DtlsFailure.NO_COMMON_CIPHER_SUITE);
        return super.getDetailMessageNoCipherSuite();
    }

    private void fail(DtlsFailure reason) {
        if (failure == null) failure = reason;
    }

    SrtpKeys keys() { return keys; }

    /** The first fatal alert of a failed handshake, or null (timeout, close, I/O error). */
    AlertRecord alert() { return alert; }

    /** Best reason for a failed handshake given what this policy saw. */
    DtlsFailure failureReason(boolean timedOut, boolean closed) {
        if (failure != null) return failure;
        if (closed) return DtlsFailure.CLOSED;
        if (timedOut) return DtlsFailure.TIMEOUT;
        if (peerAlert) return DtlsFailure.PEER_ALERT;
        return DtlsFailure.NEGOTIATION;
    }
}
