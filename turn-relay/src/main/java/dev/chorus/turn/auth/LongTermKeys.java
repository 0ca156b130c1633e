package dev.chorus.turn.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 8489 §9.2.2 long-term credential keys: {@code H(username ":" realm ":" password)} with MD5 (the legacy,
 * default algorithm, used with MESSAGE-INTEGRITY) or SHA-256 (PASSWORD-ALGORITHM 0x0002). Our usernames, realm
 * and base64 passwords are ASCII, so OpaqueString/SASLprep leave them unchanged.
 */
public final class LongTermKeys {
    public static final int ALG_MD5 = 0x0001;
    public static final int ALG_SHA256 = 0x0002;

    private LongTermKeys() {}

    public static byte[] key(int algorithm, String username, String realm, String password) {
        String input = username + ":" + realm + ":" + password;
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm == ALG_SHA256 ? "SHA-256" : "MD5");
            return md.digest(input.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
