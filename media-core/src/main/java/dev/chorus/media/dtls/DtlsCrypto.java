package dev.chorus.media.dtls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.SignatureScheme;
import org.bouncycastle.tls.crypto.TlsStreamVerifier;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * BouncyCastle's TLS crypto on the JDK's JCA providers (AES-GCM through SunJCE with AES-NI, EC through SunEC, RSA
 * through SunRsaSign; not BouncyCastle's pure-Java engines), made honest about signatures:
 * <ul>
 *   <li>BouncyCastle verifies RSA-PSS under the BouncyCastle-provider name {@code SHA256WITHRSAANDMGF1}, which the
 *       JDK providers do not have; a client that signs its CertificateVerify with {@code rsa_pss_rsae_sha256}
 *       (OpenSSL 3 with an RSA key, e.g. GStreamer's webrtcbin) then failed with internal_error(80). Here such a
 *       signature is verified through the standard JCA name {@code RSASSA-PSS} with explicit parameters.</li>
 *   <li>{@link #hasSignatureAndHashAlgorithm} answers by actually creating a verifier, so the CertificateRequest
 *       built from {@link #verifiableSignatureAlgorithms} lists exactly what this crypto can verify (BouncyCastle's
 *       answer is "yes" for every signature algorithm it knows, whatever the provider).</li>
 * </ul>
 */
final class DtlsCrypto extends JcaTlsCrypto {
    /** The standard JCA name (Java Security Standard Algorithm Names) of RSA-PSS with parameters set separately. */
    private static final String RSASSA_PSS = "RSASSA-PSS";

    /**
     * What a DTLS 1.2 WebRTC client may sign its CertificateVerify with, in our order of preference: ECDSA first
     * (browsers' default keys), then RSA-PSS (OpenSSL 3 and BoringSSL prefer it for RSA keys), then PKCS#1 v1.5.
     */
    private static final List<SignatureAndHashAlgorithm> CLIENT_SIGNATURE_PREFERENCE = List.of(
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha384,
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha512,
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha512, SignatureAlgorithm.rsa));

    private final Map<String, Boolean> available = new ConcurrentHashMap<>();

    DtlsCrypto(SecureRandom random) {
        super(new DefaultJcaJceHelper(), random, new SecureRandom());
    }

    /** The client signature algorithms a CertificateRequest may offer: the preference list minus what cannot be verified. */
    List<SignatureAndHashAlgorithm> verifiableSignatureAlgorithms() {
        return CLIENT_SIGNATURE_PREFERENCE.stream().filter(this::hasSignatureAndHashAlgorithm).toList();
    }

    @Override
    public boolean hasSignatureAndHashAlgorithm(SignatureAndHashAlgorithm algorithm) {
        int scheme = SignatureScheme.from(algorithm);
        if (SignatureScheme.isRSAPSS(scheme)) {
            String digest = pssDigest(scheme);
            return digest != null && (hasJcaSignature(bouncyCastlePssName(digest)) || hasJcaSignature(RSASSA_PSS));
        }
        String hash = HashAlgorithm.getName(algorithm.getHash());
        String signature = SignatureAlgorithm.getName(algorithm.getSignature());
        return switch (algorithm.getSignature()) {
            case SignatureAlgorithm.rsa, SignatureAlgorithm.ecdsa, SignatureAlgorithm.dsa ->
                    hasJcaSignature(hash + "with" + signature) && super.hasSignatureAndHashAlgorithm(algorithm);
            case SignatureAlgorithm.ed25519 -> hasJcaSignature("Ed25519");
            case SignatureAlgorithm.ed448 -> hasJcaSignature("Ed448");
            default -> false;
        };
    }

    @Override
    protected Boolean isSupportedSignatureScheme(int signatureScheme) {
        SignatureAndHashAlgorithm algorithm = SignatureScheme.getSignatureAndHashAlgorithm(signatureScheme);
        return algorithm != null && hasSignatureAndHashAlgorithm(algorithm);
    }

    /**
     * BouncyCastle asks for {@code <digest>WITHRSAANDMGF1} with a {@link PSSParameterSpec}; when the providers do not
     * know that name, the same verification runs as {@code RSASSA-PSS} with the same explicit parameters.
     */
    @Override
    protected TlsStreamVerifier createStreamVerifier(String algorithmName, AlgorithmParameterSpec parameter,
                                                     byte[] signature, PublicKey publicKey) throws IOException {
        if (parameter instanceof PSSParameterSpec && !hasJcaSignature(algorithmName)) {
            return super.createStreamVerifier(RSASSA_PSS, parameter, signature, publicKey);
        }
        return super.createStreamVerifier(algorithmName, parameter, signature, publicKey);
    }

    private boolean hasJcaSignature(String name) {
        return available.computeIfAbsent(name.toUpperCase(Locale.ROOT), n -> {
            try {
                Signature verifier = getHelper().createSignature(n);
                if (n.equals(RSASSA_PSS)) {
                    // Parameters must be accepted too (SHA-256/MGF1/32-byte salt is what rsa_pss_rsae_sha256 uses).
                    verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                }
                return true;
            } catch (GeneralSecurityException | RuntimeException e) {
                return false;
            }
        });
    }

    private static String pssDigest(int scheme) {
        return switch (scheme) {
            case SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_pss_sha256 -> "SHA256";
            case SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pss_pss_sha384 -> "SHA384";
            case SignatureScheme.rsa_pss_rsae_sha512, SignatureScheme.rsa_pss_pss_sha512 -> "SHA512";
            default -> null;
        };
    }

    private static String bouncyCastlePssName(String digest) {
        return digest + "WITHRSAANDMGF1";
    }
}
