package dev.chorus.signaling.auth;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureGenerationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * EdDSA (Ed25519, RFC 8037) for java-jwt. java-jwt 4.5.0 ships only HMAC, RSA and ECDSA algorithms (checked:
 * {@code com.auth0.jwt.algorithms} holds HMACAlgorithm, RSAAlgorithm, ECDSAAlgorithm, NoneAlgorithm), so this small
 * subclass signs and verifies with the JDK's own {@code Signature.getInstance("Ed25519")}. Ed448 keys are refused:
 * a kid pins exactly one curve.
 */
public final class Ed25519Algorithm extends Algorithm {
    private final PublicKey publicKey;
    private final PrivateKey privateKey;

    private Ed25519Algorithm(PublicKey publicKey, PrivateKey privateKey) {
        super("EdDSA", "Ed25519");
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    public static Ed25519Algorithm verifying(PublicKey publicKey) {
        if (!KeyMaterial.isEd25519(publicKey)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return new Ed25519Algorithm(publicKey, null);
    }

    public static Ed25519Algorithm signing(PrivateKey privateKey) {
        return new Ed25519Algorithm(null, privateKey);
    }

    @Override
    public void verify(DecodedJWT jwt) throws SignatureVerificationException {
        if (publicKey == null) {
            throw new SignatureVerificationException(this);
        }
        try {
            byte[] sig = Base64.getUrlDecoder().decode(jwt.getSignature());
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(publicKey);
            v.update(jwt.getHeader().getBytes(StandardCharsets.US_ASCII));
            v.update((byte) '.');
            v.update(jwt.getPayload().getBytes(StandardCharsets.US_ASCII));
            if (sig.length != 64 || !v.verify(sig)) {
                throw new SignatureVerificationException(this);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignatureVerificationException(this, e);
        }
    }

    @Override
    public byte[] sign(byte[] headerBytes, byte[] payloadBytes) throws SignatureGenerationException {
        byte[] content = new byte[headerBytes.length + 1 + payloadBytes.length];
        System.arraycopy(headerBytes, 0, content, 0, headerBytes.length);
        content[headerBytes.length] = '.';
        System.arraycopy(payloadBytes, 0, content, headerBytes.length + 1, payloadBytes.length);
        return sign(content);
    }

    @Override
    @SuppressWarnings("deprecation")
    public byte[] sign(byte[] contentBytes) throws SignatureGenerationException {
        if (privateKey == null) {
            throw new SignatureGenerationException(this, new IllegalStateException("no private key"));
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(contentBytes);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new SignatureGenerationException(this, e);
        }
    }
}
