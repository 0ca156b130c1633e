package dev.chorus.signaling.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The one canonical serialisation of an audit line: fixed field order, no whitespace, and every character that
 * could mean something to a terminal, log viewer, HTML page or line-based tool escaped as {@code \\uXXXX}
 * (all control characters including CR/LF, all non-ASCII including U+2028/U+2029, and {@code < > & ' $ %}).
 * The output is therefore pure printable ASCII: user text like {@code ${jndi:ldap://x}} is stored as
 * {@code \\u0024{jndi:ldap://x}}, which no logger or shell will expand.
 */
final class AuditJson {
    static final String GENESIS_HASH = "0".repeat(64);

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8).maxStringLength(64 * 1024).maxNumberLength(32).build())
            .build();
    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private static final CharacterEscapes ESCAPES = new CharacterEscapes() {
        private final int[] table;

        {
            table = standardAsciiEscapesForJSON();
            for (char c : new char[] {'<', '>', '&', '\'', '$', '%', '`'}) {
                table[c] = ESCAPE_STANDARD;
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return table;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    };

    private AuditJson() {
    }

    /** Serialises the event without its {@code hash} field: these exact bytes are what the hash covers. */
    static String body(long id, Instant time, AuditEvent e, String prevHash) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.setCharacterEscapes(ESCAPES);
            g.writeStartObject();
            g.writeNumberField("id", id);
            g.writeStringField("time", time.toString());
            g.writeStringField("project", e.project());
            g.writeStringField("actor", e.actor());
            g.writeStringField("source", e.source());
            g.writeStringField("action", e.action());
            g.writeStringField("resource", e.resource());
            g.writeStringField("outcome", e.outcome().wire());
            g.writeStringField("reason", e.reason());
            g.writeObjectFieldStart("changes");
            for (Map.Entry<String, String> c : e.changes().entrySet()) {
                g.writeStringField(c.getKey(), c.getValue());
            }
            g.writeEndObject();
            g.writeStringField("prev_hash", prevHash);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return w.toString();
    }

    /** The full line (without newline): the body with {@code ,"hash":"…"} appended inside the object. */
    static String line(String body, String hash) {
        return body.substring(0, body.length() - 1) + ",\"hash\":\"" + hash + "\"}";
    }

    /** Length of the {@code ,"hash":"<64 hex>"}} suffix of a line. */
    static final int HASH_SUFFIX_LENGTH = ",\"hash\":\"\"}".length() + 64;
}
