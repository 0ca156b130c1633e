package dev.chorus.signaling.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature on every webhook request, header {@value #HEADER}: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>}
 * where the MAC is over {@code "<t>." + body} with the endpoint's secret. Binding the timestamp into the MAC lets a
 * receiver refuse a captured request replayed later (outside {@link #DEFAULT_TOLERANCE}); the event id inside the
 * body lets it refuse a replay inside that window. Sans-IO: strings and times in, strings and verdicts out.
 */
public final class WebhookSignature {
    public static final String HEADER = "Chorus-Signature";
    /** How far a request's timestamp may be from the receiver's clock. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    /** A header longer than this is malformed (a real one is about 80 characters). */
    static final int MAX_HEADER_CHARS = 512;

    /** Why a request was refused (or {@link #VALID}). */
    public enum Verdict { VALID, MALFORMED, STALE, BAD_SIGNATURE }

    private WebhookSignature() {}

    /** The header value for {@code body} sent at {@code at}. */
    public static String sign(byte[] secret, Instant at, String body) {
        long t = at.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(secret, t, body));
    }

    /**
     * Checks a received header against the body and the receiver's clock: well-formed, timestamp within
     * {@code tolerance} of {@code now}, MAC equal (compared in constant time) to one computed with {@code secret}.
     */
    public static Verdict verify(byte[] secret, String header, String body, Instant now, Duration tolerance) {
        if (header == null || header.length() > MAX_HEADER_CHARS || body == null) {
            return Verdict.MALFORMED;
        }
        Long t = null;
        byte[] v1 = null;
        for (String part : header.split(",", 8)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                return Verdict.MALFORMED;
            }
            String k = part.substring(0, eq).trim();
            String v = part.substring(eq + 1).trim();
            try {
                if (k.equals("t") && t == null) {
                    t = Long.parseLong(v);
                } else if (k.equals("v1") && v1 == null && v.length() == 64) {
                    v1 = HexFormat.of().parseHex(v);
                }
            } catch (IllegalArgumentException e) {
                return Verdict.MALFORMED;
            }
        }
        if (t == null || v1 == null) {
            return Verdict.MALFORMED;
        }
        if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return Verdict.STALE;
        }
        return MessageDigest.isEqual(v1, mac(secret, t, body)) ? Verdict.VALID : Verdict.BAD_SIGNATURE;
    }

    private static byte[] mac(byte[] secret, long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
