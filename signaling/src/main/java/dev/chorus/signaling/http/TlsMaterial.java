package dev.chorus.signaling.http;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * TLS for the HTTPS/WSS listener: TLS 1.3 and 1.2 only, forward-secret AEAD suites only, JDK provider.
 * Also generates the dev-mode self-signed certificate (ECDSA P-256, SAN localhost / 127.0.0.1 / ::1).
 */
public final class TlsMaterial {
    /** The only protocol versions offered or accepted. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** ECDHE + AEAD suites only; no CBC, no RSA key exchange, no SHA-1 MACs. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsMaterial() {}

    /** Builds the server context from a PEM certificate chain and a PEM (PKCS#8) private key. */
    public static SslContext serverContext(Path certChainPem, Path privateKeyPem) throws IOException {
        if (!Files.isReadable(certChainPem)) throw new IOException("TLS certificate file is not readable: " + certChainPem);
        if (!Files.isReadable(privateKeyPem)) throw new IOException("TLS private key file is not readable: " + privateKeyPem);
        try {
            return SslContextBuilder.forServer(certChainPem.toFile(), privateKeyPem.toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (Exception e) {
            // Netty wraps PEM parse errors in IllegalArgumentException / SSLException; one clear message is enough.
            throw new IOException("cannot load TLS material (" + certChainPem.getFileName() + ", "
                    + privateKeyPem.getFileName() + "): " + e.getMessage(), e);
        }
    }

    /**
     * Writes a self-signed ECDSA P-256 certificate for local development. The key file is created with mode 0600
     * where the file system supports POSIX permissions.
     */
    public static X509Certificate generateSelfSigned(Path certPem, Path keyPem, Duration validity) throws IOException {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair kp = kpg.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=Chorus dev (self-signed)");
            byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            serial[0] &= 0x7f;
            List<GeneralName> sans = new ArrayList<>();
            sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
            sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            sans.add(new GeneralName(GeneralName.iPAddress, "::1"));
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(1, serial),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            Files.createDirectories(certPem.toAbsolutePath().getParent());
            Files.writeString(certPem, pem(cert), StandardCharsets.US_ASCII);
            writePrivate(keyPem, pem(kp.getPrivate()));
            return cert;
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            // JcaPEMWriter writes a PrivateKey as PKCS#8 ("PRIVATE KEY"), which Netty reads directly.
            w.writeObject(o instanceof java.security.PrivateKey pk
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pk, null) : o);
        }
        return sw.toString();
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
