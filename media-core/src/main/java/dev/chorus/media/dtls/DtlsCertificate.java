package dev.chorus.media.dtls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's DTLS identity: one ECDSA P-256 key and self-signed certificate per server instance. WebRTC
 * authenticates DTLS peers by the certificate fingerprint carried in signed-off SDP, not by a CA, so the
 * certificate's names and validity are cosmetic; the SHA-256 fingerprint is what matters.
 * The private key never leaves this object except into the TLS signer; {@link #toString()} omits it.
 */
public final class DtlsCertificate {
    private final PrivateKey privateKey;
    private final byte[] der;
    private final Fingerprint fingerprint;

    DtlsCertificate(PrivateKey privateKey, byte[] der) {
        this.privateKey = privateKey;
        this.der = der;
        this.fingerprint = Fingerprint.sha256Of(der);
    }

    /** Generates a fresh P-256 key pair (JCE, SunEC) and a self-signed certificate valid for 30 days. */
    public static DtlsCertificate generate(String commonName) {
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            // Random positive serial: browsers cache nothing about it, but two instances should never collide.
            BigInteger serial = new BigInteger(64, random).setBit(62);
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                    pair.getPublic());
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
            X509CertificateHolder holder = builder.build(signer);
            return new DtlsCertificate(pair.getPrivate(), holder.getEncoded());
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot generate the DTLS certificate", e);
        }
    }

    public PrivateKey privateKey() { return privateKey; }

    /** DER encoding of the certificate (a copy). */
    public byte[] der() { return der.clone(); }

    byte[] derUnsafe() { return der; }

    public Fingerprint fingerprint() { return fingerprint; }

    /** The SDP attribute value, for example {@code sha-256 AB:CD:…} (RFC 8122). */
    public String sdpFingerprint() { return fingerprint.toSdp(); }

    @Override
    public String toString() {
        return "DtlsCertificate[" + fingerprint.toSdp() + "]";
    }

    /** SHA-256 over bytes (a fresh digest each call; only used per handshake, never per packet). */
    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String colonHex(byte[] bytes) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(bytes);
    }
}
