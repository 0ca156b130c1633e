package dev.chorus.signaling.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.ws.ProtocolError;

import java.util.Iterator;
import java.util.Set;

/** Strict field checks for call messages: unknown fields and wrong types are errors, not ignored. */
public final class Messages {
    private Messages() {}

    public static void onlyFields(ObjectNode m, String... allowed) throws ProtocolError {
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
            if (!ok.contains(it.next())) {
                throw new ProtocolError("bad_message", "Unknown field in \"" + m.get("type").textValue()
                        + "\"; allowed: " + String.join(", ", allowed) + ".");
            }
        }
    }

    public static String string(ObjectNode m, String field, int maxLength) throws ProtocolError {
        JsonNode n = m.get(field);
        if (n == null || !n.isTextual() || n.textValue().isEmpty() || n.textValue().length() > maxLength) {
            throw new ProtocolError("bad_message", "\"" + field + "\" must be a string of 1-" + maxLength + " characters.");
        }
        return n.textValue();
    }
}
