package dev.chorus.stun;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key material for MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 (RFC 8489 §9). Build one per credential and keep
 * it: the {@link SecretKeySpec}s are made once, so verifying a packet does not rebuild them.
 * {@link #toString()} never shows the key.
 */
public final class StunKey {
    private final byte[] key;
    final SecretKeySpec hmacSha1;
    final SecretKeySpec hmacSha256;

    private StunKey(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("empty key");
        }
        this.key = key;
        this.hmacSha1 = new SecretKeySpec(key, "HmacSHA1");
        this.hmacSha256 = new SecretKeySpec(key, "HmacSHA256");
    }

    /** Raw key bytes (copied). */
    public static StunKey ofBytes(byte[] key) {
        return new StunKey(key.clone());
    }

    /**
     * Short-term credential (ICE): the key is the password's UTF-8 bytes. ICE passwords are ASCII, so the
     * OpaqueString profile (RFC 8265) is the identity for them; callers with other passwords must prepare them.
     */
    public static StunKey shortTerm(String password) {
        return new StunKey(password.getBytes(StandardCharsets.UTF_8));
    }

    /** Long-term credential, MD5 algorithm: key = MD5(username ":" realm ":" password) (RFC 8489 §9.2.2). */
    public static StunKey longTermMd5(String username, String realm, String password) {
        return new StunKey(longTermKey("MD5", username, realm, password));
    }

    /** Long-term credential, SHA-256 algorithm: key = SHA-256(username ":" realm ":" password). */
    public static StunKey longTermSha256(String username, String realm, String password) {
        return new StunKey(longTermKey("SHA-256", username, realm, password));
    }

    /** The long-term key bytes for {@code digest} ("MD5" or "SHA-256"). */
    public static byte[] longTermKey(String digest, String username, String realm, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance(digest);
            return md.digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(digest + " missing from the JDK", e);
        }
    }

    /** A copy of the key bytes. */
    public byte[] bytes() {
        return key.clone();
    }

    /** Constant-time comparison of key material. */
    public boolean sameKey(StunKey other) {
        return MessageDigest.isEqual(key, other.key);
    }

    @Override
    public String toString() {
        return "StunKey[" + key.length + " bytes, redacted]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunKey k && MessageDigest.isEqual(key, k.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }
}
