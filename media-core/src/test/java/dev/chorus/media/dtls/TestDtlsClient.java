package dev.chorus.media.dtls;

import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.tls.crypto.impl.AbstractTlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * A real DTLS-SRTP client (BouncyCastle, like a browser's role in WebRTC) for tests: its own P-256 certificate,
 * {@code use_srtp}, and knobs to misbehave (no use_srtp, DTLS 1.0 only, a chosen cipher suite list) for checklist
 * cases 34–36. Reusable through media-core's test-jar. Verifies the server's certificate against the server's SDP
 * fingerprint, as a browser does.
 */
public final class TestDtlsClient {
    /**
     * What the client offers. Defaults are what Chromium offers for our purposes.
     *
     * @param signature what CertificateVerify is signed with; null = ECDSA-SHA256 with the JCA crypto (as
     *                  Chromium/BoringSSL with its P-256 key). Any other algorithm is signed by BouncyCastle's own
     *                  lightweight crypto (an implementation independent of the server's JCA providers, as OpenSSL
     *                  is), and the handshake fails if the server's CertificateRequest does not list it.
     */
    public record Options(int[] srtpProfiles, ProtocolVersion[] versions, int[] cipherSuites, boolean sendCertificate,
                          SignatureAndHashAlgorithm signature) {
        public static Options standard() {
            return new Options(new int[] {SrtpProfile.AEAD_AES_128_GCM.id(), SrtpProfile.AES_CM_128_HMAC_SHA1_80.id()},
                    ProtocolVersion.DTLSv12.only(),
                    new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                               CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, true, null);
        }

        public Options withSrtpProfiles(int... ids) { return new Options(ids, versions, cipherSuites, sendCertificate, signature); }
        public Options withoutUseSrtp() { return new Options(null, versions, cipherSuites, sendCertificate, signature); }
        public Options withVersions(ProtocolVersion... v) { return new Options(srtpProfiles, v, cipherSuites, sendCertificate, signature); }
        public Options withCipherSuites(int... suites) { return new Options(srtpProfiles, versions, suites, sendCertificate, signature); }
        /** Answers the server's CertificateRequest with an empty certificate list. */
        public Options withoutCertificate() { return new Options(srtpProfiles, versions, cipherSuites, false, signature); }
        /** Signs CertificateVerify with {@code algorithm} (the certificate's key must fit it), using BouncyCastle's lightweight crypto. */
        public Options signingWith(SignatureAndHashAlgorithm algorithm) {
            return new Options(srtpProfiles, versions, cipherSuites, sendCertificate, algorithm);
        }
    }

    /** Keys and the live DTLS transport after a successful handshake. */
    public record Connected(SrtpKeys keys, DTLSTransport transport) {}

    private final DtlsCertificate certificate;
    private final Fingerprint expectedServerFingerprint;
    private final Options options;
    private final AbstractTlsCrypto crypto;

    public TestDtlsClient(DtlsCertificate certificate, Fingerprint expectedServerFingerprint, Options options) {
        this.certificate = certificate;
        this.expectedServerFingerprint = expectedServerFingerprint;
        this.options = options;
        this.crypto = options.signature() == null ? new JcaTlsCryptoProvider().create(new SecureRandom())
                : new BcTlsCrypto(new SecureRandom());
    }

    /** A fresh RSA key and self-signed certificate (the kind GStreamer, aiortc or Firefox may use as a DTLS client). */
    public static DtlsCertificate generateRsaCertificate(String commonName, int bits) {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            java.security.KeyPair pair = generator.generateKeyPair();
            org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=" + commonName);
            java.time.Instant now = java.time.Instant.now();
            byte[] der = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name,
                    java.math.BigInteger.valueOf(now.toEpochMilli()), java.util.Date.from(now.minusSeconds(86_400)),
                    java.util.Date.from(now.plusSeconds(86_400)), name, pair.getPublic())
                    .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()))
                    .getEncoded();
            return new DtlsCertificate(pair.getPrivate(), der);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate an RSA test certificate", e);
        }
    }

    public DtlsCertificate certificate() { return certificate; }

    /** Runs the handshake over {@code transport} (blocking) and derives the SRTP keys. */
    public Connected connect(DatagramTransport transport) throws IOException {
        Policy policy = new Policy();
        DTLSTransport dtls = new DTLSClientProtocol().connect(policy, transport);
        return new Connected(policy.keys, dtls);
    }

    private final class Policy extends DefaultTlsClient {
        private SrtpProfile profile;
        private SrtpKeys keys;

        Policy() {
            super(crypto);
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return options.versions();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return options.cipherSuites();
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return 10_000;
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
            if (options.srtpProfiles() != null) {
                TlsSRTPUtils.addUseSRTPExtension(extensions,
                        new UseSRTPData(options.srtpProfiles(), TlsUtils.EMPTY_BYTES));
            }
            return extensions;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (chosen != null && chosen.getProtectionProfiles().length == 1) {
                profile = SrtpProfile.byId(chosen.getProtectionProfiles()[0]);
            }
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            if (profile == null) throw new TlsFatalAlert(org.bouncycastle.tls.AlertDescription.handshake_failure);
            byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
            keys = SrtpKeys.fromKeyingMaterial(profile, material);
        }

        @Override
        public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
            // quiet
        }

        @Override
        public void notifyAlertReceived(short alertLevel, short alertDescription) {
            if (alertLevel == AlertLevel.fatal) { /* surfaces as an exception from connect */ }
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    Certificate chain = serverCertificate.getCertificate();
                    if (chain.isEmpty() || !expectedServerFingerprint.matches(chain.getCertificateAt(0).getEncoded())) {
                        throw new TlsFatalAlert(org.bouncycastle.tls.AlertDescription.bad_certificate);
                    }
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                    if (!options.sendCertificate()) return null;
                    Certificate chain = new Certificate(new TlsCertificate[] {crypto.createCertificate(certificate.der())});
                    if (options.signature() == null) {
                        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), (JcaTlsCrypto) crypto,
                                certificate.privateKey(), chain,
                                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
                    }
                    // As OpenSSL does: sign with an algorithm of our choice if the server listed it, else give up.
                    if (!request.getSupportedSignatureAlgorithms().contains(options.signature())) {
                        throw new TlsFatalAlert(org.bouncycastle.tls.AlertDescription.handshake_failure);
                    }
                    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), (BcTlsCrypto) crypto,
                            PrivateKeyFactory.createKey(certificate.privateKey().getEncoded()), chain, options.signature());
                }
            };
        }
    }

    /**
     * A real ClientHello (the first flight, without cookie) as this client sends it: connects over a transport that
     * keeps the first datagram sent and fails the first receive. Waits at most 5 s.
     */
    public static byte[] captureClientHello(DtlsCertificate clientCert, Fingerprint expectedServerFingerprint)
            throws Exception {
        java.util.concurrent.CompletableFuture<byte[]> first = new java.util.concurrent.CompletableFuture<>();
        DatagramTransport capture = new DatagramTransport() {
            @Override public int getReceiveLimit() { return 1500; }
            @Override public int getSendLimit() { return 1200; }
            @Override public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                throw new IOException("capture only");
            }
            @Override public void send(byte[] buf, int off, int len) {
                first.complete(java.util.Arrays.copyOfRange(buf, off, off + len));
            }
            @Override public void close() { }
        };
        try {
            new TestDtlsClient(clientCert, expectedServerFingerprint, Options.standard()).connect(capture);
        } catch (IOException expected) {
            // stops after the first flight
        }
        return first.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
