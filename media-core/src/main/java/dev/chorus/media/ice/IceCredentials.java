package dev.chorus.media.ice;

import java.security.SecureRandom;

/**
 * A local ICE username fragment and password (RFC 8445 §5.3): fresh per transport, from a CSPRNG, ufrag of 8
 * ice-chars (48 bits, enough to be unique in a directory that re-rolls collisions) and pwd of 24 ice-chars
 * (144 bits ≥ the required 128). {@link #toString()} never prints the password.
 */
public record IceCredentials(String ufrag, String pwd) {
    /** ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). */
    private static final char[] ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Length of generated ufrags. */
    public static final int UFRAG_LENGTH = 8;
    /** Length of generated passwords. */
    public static final int PWD_LENGTH = 24;

    public IceCredentials {
        if (ufrag == null || ufrag.length() < 4 || ufrag.length() > 256 || !isIceChars(ufrag)) {
            throw new IllegalArgumentException("ufrag must be 4..256 ice-chars");
        }
        if (pwd == null || pwd.length() < 22 || pwd.length() > 256 || !isIceChars(pwd)) {
            throw new IllegalArgumentException("pwd must be 22..256 ice-chars");
        }
    }

    /** Fresh random credentials. */
    public static IceCredentials generate() {
        return generate(RANDOM);
    }

    /** Fresh credentials from the given random source. */
    public static IceCredentials generate(SecureRandom random) {
        return new IceCredentials(randomIceString(random, UFRAG_LENGTH), randomIceString(random, PWD_LENGTH));
    }

    static String randomIceString(SecureRandom random, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ICE_CHARS[random.nextInt(ICE_CHARS.length)];
        }
        return new String(c);
    }

    /** True if every character is an ice-char. */
    public static boolean isIceChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
                    || ch == '+' || ch == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + ", pwd=<redacted>]";
    }
}
