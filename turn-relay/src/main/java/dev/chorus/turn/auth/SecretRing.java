package dev.chorus.turn.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secrets a TURN REST password may be derived from. The first one is used to issue credentials;
 * all of them verify, so a deployment rotates by adding the new secret first, waiting one credential lifetime,
 * then removing the old one. A removed (retired) secret verifies nothing.
 * Replaced atomically ({@link #replace}); readers see one consistent list. Secrets are never logged.
 */
public final class SecretRing {
    private volatile List<byte[]> secrets;

    public SecretRing(List<String> secrets) {
        replace(secrets);
    }

    public void replace(List<String> newSecrets) {
        if (newSecrets == null || newSecrets.isEmpty()) throw new IllegalArgumentException("at least one TURN secret");
        List<byte[]> copy = new ArrayList<>(newSecrets.size());
        for (String s : newSecrets) {
            if (s == null || s.length() < 16) throw new IllegalArgumentException("TURN secrets need at least 16 characters");
            copy.add(s.getBytes(StandardCharsets.UTF_8));
        }
        this.secrets = List.copyOf(copy);
    }

    public int size() {
        return secrets.size();
    }

    /** Passwords the username could have, one per accepted secret, newest first. */
    public List<String> candidatePasswords(String username) {
        List<byte[]> current = secrets;
        List<String> out = new ArrayList<>(current.size());
        for (byte[] s : current) out.add(password(s, username));
        return out;
    }

    /** The password for {@code username} under the issuing (first) secret. */
    public String issuingPassword(String username) {
        return password(secrets.getFirst(), username);
    }

    /** base64(HMAC-SHA1(secret, username)), the TURN REST API convention coturn and browsers' backends use. */
    public static String password(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "SecretRing[" + secrets.size() + " secrets]";  // never the secrets themselves
    }
}
