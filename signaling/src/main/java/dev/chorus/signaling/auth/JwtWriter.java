package dev.chorus.signaling.auth;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Compact JWS serialisation of a header and payload we built ourselves (so the exact header — {@code typ},
 * {@code kid}, {@code alg} — is under our control), signed by a java-jwt {@link Algorithm}.
 */
public final class JwtWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private JwtWriter() {
    }

    public static String sign(ObjectNode header, ObjectNode payload, Algorithm algorithm) {
        try {
            String h = B64.encodeToString(MAPPER.writeValueAsBytes(header));
            String p = B64.encodeToString(MAPPER.writeValueAsBytes(payload));
            byte[] sig = algorithm.sign(h.getBytes(StandardCharsets.US_ASCII), p.getBytes(StandardCharsets.US_ASCII));
            return h + "." + p + "." + B64.encodeToString(sig);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode header(String alg, String kid, String typ) {
        ObjectNode h = MAPPER.createObjectNode();
        h.put("alg", alg);
        h.put("typ", typ);
        h.put("kid", kid);
        return h;
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
