package dev.chorus.signaling.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * How an app backend mints Chorus tokens with its own ES256 private key. Deliberately self-contained (JDK only, no
 * JSON library, no Chorus types) so it can be copied into a backend as is. Used by Chorus's own tests, so it stays
 * correct.
 *
 * <pre>{@code
 * PrivateKey key = BackendTokenMinter.readPrivateKeyPem(Files.readString(Path.of("dev-signing-key.pem")));
 * String token = BackendTokenMinter.joinToken(key, kid, projectId, deploymentId, "room-1", "user-7f3a",
 *         "room:join media:subscribe media:publish:audio", Duration.ofMinutes(10));
 * }</pre>
 */
public final class BackendTokenMinter {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private BackendTokenMinter() {
    }

    /** A join token ({@code typ} = {@code chorus-join+jwt}) signed with ES256. */
    public static String joinToken(PrivateKey es256Key, String kid, String projectId, String audience, String room,
                                   String subject, String scope, Duration ttl) {
        long now = Instant.now().getEpochSecond();
        String payload = "{\"iss\":" + str(projectId) + ",\"aud\":" + str(audience) + ",\"sub\":" + str(subject)
                + ",\"jti\":" + str(newJti()) + ",\"iat\":" + now + ",\"nbf\":" + now + ",\"exp\":"
                + (now + ttl.toSeconds()) + ",\"room\":" + str(room) + ",\"scope\":" + str(scope) + "}";
        return sign(es256Key, kid, "chorus-join+jwt", payload);
    }

    /** A short-lived backend JWT ({@code typ} = {@code chorus-backend+jwt}) for the HTTP API's Bearer scheme. */
    public static String backendToken(PrivateKey es256Key, String kid, String projectId, String audience,
                                      Duration ttl) {
        long now = Instant.now().getEpochSecond();
        String payload = "{\"iss\":" + str(projectId) + ",\"aud\":" + str(audience) + ",\"jti\":" + str(newJti())
                + ",\"iat\":" + now + ",\"exp\":" + (now + ttl.toSeconds()) + "}";
        return sign(es256Key, kid, "chorus-backend+jwt", payload);
    }

    /** Signs any payload JSON with ES256 under the given header type. */
    public static String sign(PrivateKey es256Key, String kid, String typ, String payloadJson) {
        String header = "{\"alg\":\"ES256\",\"typ\":" + str(typ) + ",\"kid\":" + str(kid) + "}";
        String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        try {
            // P1363 format = the fixed 64-byte R||S that JWS requires (not DER)
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(es256Key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed", e);
        }
    }

    public static PrivateKey readPrivateKeyPem(String pem) {
        String b64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PKCS#8 EC private key", e);
        }
    }

    private static String newJti() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    /** A JSON string literal: quotes, backslashes and every control or non-ASCII character escaped. */
    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
