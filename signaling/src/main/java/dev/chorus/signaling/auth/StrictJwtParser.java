package dev.chorus.signaling.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * Step 1 of verification: bounded, strict decoding of a compact JWS before anything is looked up. Refuses
 * <ul>
 *   <li>anything over {@code maxChars} ({@link RefusalReason#TOO_LARGE}) — checked first, so a 10 MB token costs
 *       one length comparison;</li>
 *   <li>not exactly three dot-separated parts; characters outside the base64url alphabet, padding, or
 *       non-canonical encodings (stray low bits); bytes that are not well-formed UTF-8; JSON that is not a single
 *       object, has duplicate keys, trailing data, nesting deeper than {@link #MAX_DEPTH} or over-long numbers
 *       ({@link RefusalReason#MALFORMED});</li>
 *   <li>any header parameter other than {@code alg}, {@code typ}, {@code kid} — in particular {@code jku},
 *       {@code x5u}, {@code jwk}, {@code x5c} and {@code crit} ({@link RefusalReason#FORBIDDEN_HEADER}). Chorus never
 *       fetches or embeds keys and understands no critical extensions, so nothing in a token can choose its key.</li>
 * </ul>
 */
final class StrictJwtParser {
    static final int MAX_TOKEN_CHARS = 8 * 1024;
    static final int MAX_DEPTH = 8;
    private static final Set<String> ALLOWED_HEADER = Set.of("alg", "typ", "kid");

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(24)
                    .maxStringLength(MAX_TOKEN_CHARS)
                    .maxDocumentLength(MAX_TOKEN_CHARS)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJwtParser() {
    }

    static ParsedJwt parse(String token) {
        return parse(token, MAX_TOKEN_CHARS);
    }

    static ParsedJwt parse(String token, int maxChars) {
        if (token == null || token.isEmpty()) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        if (token.length() > maxChars) {
            throw new TokenRefusedException(RefusalReason.TOO_LARGE);
        }
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 < 0 || dot2 == dot1 + 1 || token.indexOf('.', dot2 + 1) >= 0) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        String h = token.substring(0, dot1);
        String p = token.substring(dot1 + 1, dot2);
        String s = token.substring(dot2 + 1);
        ObjectNode header = json(base64Url(h));
        ObjectNode payload = json(base64Url(p));
        if (!s.isEmpty()) {
            base64Url(s); // the signature must be canonical base64url too
        }
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            if (!ALLOWED_HEADER.contains(it.next())) {
                throw new TokenRefusedException(RefusalReason.FORBIDDEN_HEADER);
            }
        }
        for (String name : ALLOWED_HEADER) {
            JsonNode v = header.get(name);
            if (v != null && !v.isTextual()) {
                throw new TokenRefusedException(RefusalReason.MALFORMED);
            }
        }
        return new ParsedJwt(token, header, payload);
    }

    /** Decodes unpadded base64url, refusing any other alphabet, padding and non-canonical trailing bits. */
    static byte[] base64Url(String part) {
        if (part.length() % 4 == 1) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                throw new TokenRefusedException(RefusalReason.MALFORMED);
            }
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        return bytes;
    }

    private static ObjectNode json(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenRefusedException(RefusalReason.MALFORMED);
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // duplicate keys, depth/length constraints, trailing tokens, syntax: all the same to the caller
        }
        throw new TokenRefusedException(RefusalReason.MALFORMED);
    }
}
