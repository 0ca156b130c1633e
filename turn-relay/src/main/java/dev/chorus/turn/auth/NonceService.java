package dev.chorus.turn.auth;

import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless nonces bound to the client: {@code "obMatJos2" + features + base64url(time ‖ HMAC(key, time ‖ source))}.
 * The RFC 8489 §9.2 nonce cookie advertises the password-algorithms feature, so an RFC 8489 client may pick
 * SHA-256. Nothing is stored per source: a nonce checks out when its MAC matches the (transport, address, port)
 * it arrives from and it is younger than the TTL; otherwise the request gets 438 Stale Nonce and a fresh one.
 * The key is random per process: a restart simply makes old nonces stale. Not thread-safe (one owner thread).
 */
public final class NonceService {
    /** RFC 8489 §9.2 cookie + base64 of the 24 security-feature bits with bit 0 (password algorithms) set. */
    public static final String PREFIX = "obMatJos2" + "gAAA";
    private static final int MAC_LEN = 15;

    private final Mac mac;
    private final long ttlMillis;
    private final byte[] scratch = new byte[8 + 1 + 16 + 2];

    public NonceService(long ttlMillis) {
        this(ttlMillis, random32());
    }

    NonceService(long ttlMillis, byte[] key) {
        this.ttlMillis = ttlMillis;
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random32() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    public String issue(long nowMillis, int transport, InetAddress source, int port) {
        long seconds = nowMillis / 1000;
        byte[] tag = tag(seconds, transport, source, port);
        byte[] body = new byte[8 + MAC_LEN];
        for (int i = 0; i < 8; i++) body[i] = (byte) (seconds >>> (56 - 8 * i));
        System.arraycopy(tag, 0, body, 8, MAC_LEN);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
    }

    /** True when {@code nonce} was issued by us to this source less than the TTL ago. */
    public boolean valid(String nonce, long nowMillis, int transport, InetAddress source, int port) {
        if (nonce == null || !nonce.startsWith(PREFIX) || nonce.length() != PREFIX.length() + 31) return false;
        byte[] body;
        try {
            body = Base64.getUrlDecoder().decode(nonce.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (body.length != 8 + MAC_LEN) return false;
        long seconds = 0;
        for (int i = 0; i < 8; i++) seconds = (seconds << 8) | (body[i] & 0xff);
        long age = nowMillis - seconds * 1000;
        if (age < -1000 || age > ttlMillis) return false;
        byte[] expected = tag(seconds, transport, source, port);
        byte[] got = new byte[MAC_LEN];
        System.arraycopy(body, 8, got, 0, MAC_LEN);
        return MessageDigest.isEqual(java.util.Arrays.copyOf(expected, MAC_LEN), got);
    }

    private byte[] tag(long seconds, int transport, InetAddress source, int port) {
        byte[] a = source.getAddress();
        int n = 0;
        for (int i = 0; i < 8; i++) scratch[n++] = (byte) (seconds >>> (56 - 8 * i));
        scratch[n++] = (byte) transport;
        System.arraycopy(a, 0, scratch, n, a.length);
        n += a.length;
        scratch[n++] = (byte) (port >>> 8);
        scratch[n++] = (byte) port;
        mac.update(scratch, 0, n);
        return mac.doFinal();
    }

}
