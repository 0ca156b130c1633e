package dev.chorus.signaling.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The operator's secret as stored: a PBKDF2-HMAC-SHA256 hash (the JDK's password KDF; OWASP's 600 000 iterations),
 * a random 16-byte salt and the parameters, so the cost can be raised later without breaking stored hashes. The
 * secret itself is never stored, logged or printed. {@link #toString()} prints neither salt nor hash.
 */
public record OperatorCredential(String kdf, int iterations, byte[] salt, byte[] hash, Instant createdAt) {
    public static final String PBKDF2_SHA256 = "PBKDF2WithHmacSHA256";
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Shortest secret accepted: an operator secret guards every project of the deployment. */
    public static final int MIN_SECRET_CHARS = 16;
    public static final int MAX_SECRET_CHARS = 1024;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public OperatorCredential {
        Objects.requireNonNull(kdf, "kdf");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!PBKDF2_SHA256.equals(kdf)) throw new IllegalArgumentException("unsupported KDF " + kdf);
        if (iterations < 1) throw new IllegalArgumentException("iterations");
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hashes a new secret; refuses one that is too short or too long (message says which, never the secret). */
    public static OperatorCredential create(String secret, Instant now) {
        return create(secret, DEFAULT_ITERATIONS, now);
    }

    static OperatorCredential create(String secret, int iterations, Instant now) {
        checkSecret(secret);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new OperatorCredential(PBKDF2_SHA256, iterations, salt, derive(secret, salt, iterations), now);
    }

    /** Throws {@link IllegalArgumentException} when the secret cannot be an operator secret. */
    public static void checkSecret(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException("the operator secret must have at least " + MIN_SECRET_CHARS
                    + " characters");
        }
        if (secret.length() > MAX_SECRET_CHARS) {
            throw new IllegalArgumentException("the operator secret must have at most " + MAX_SECRET_CHARS
                    + " characters");
        }
        for (int i = 0; i < secret.length(); i++) {
            if (Character.isISOControl(secret.charAt(i))) {
                throw new IllegalArgumentException("the operator secret must not contain control characters");
            }
        }
    }

    /** Derives the presented secret with this credential's salt and cost and compares in constant time. */
    public boolean matches(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > MAX_SECRET_CHARS) {
            // still derive, so a refusal takes as long as a wrong secret
            MessageDigest.isEqual(hash, derive("-", salt, iterations));
            return false;
        }
        return MessageDigest.isEqual(hash, derive(presented, salt, iterations));
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        char[] chars = secret.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(PBKDF2_SHA256).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2 unavailable", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    /** SHA-256 of a presented secret (the authenticator's in-memory memo of the last verified secret). */
    static byte[] fingerprint(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperatorCredential c && kdf.equals(c.kdf) && iterations == c.iterations
                && Arrays.equals(salt, c.salt) && Arrays.equals(hash, c.hash) && createdAt.equals(c.createdAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kdf, iterations, createdAt);
    }

    @Override
    public String toString() {
        return "OperatorCredential[kdf=" + kdf + ", iterations=" + iterations + ", createdAt=" + createdAt
                + ", salt/hash=<redacted>]";
    }
}
