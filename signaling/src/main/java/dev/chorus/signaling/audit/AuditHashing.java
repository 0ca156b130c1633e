package dev.chorus.signaling.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code hash = hex(HMAC-SHA256(key, prev_hash || body))}, both as their UTF-8 (here: ASCII) bytes. Logs written
 * before the chain was keyed used {@code hex(SHA-256(prev_hash || body))}; {@link #legacy} still checks those
 * lines, but only before the first keyed line.
 */
final class AuditHashing {
    private AuditHashing() {
    }

    static String chain(byte[] key, String prevHash, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prevHash.getBytes(StandardCharsets.US_ASCII));
            mac.update(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The unkeyed chain of logs written before the audit key existed. */
    static String legacy(String prevHash, String body) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(prevHash.getBytes(StandardCharsets.US_ASCII));
            md.update(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
