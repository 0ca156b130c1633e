package dev.chorus.signaling.ws;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.http.Json;

/**
 * A well-formed {@code resume} first message (docs/protocol.md, "Session resume"): exactly
 * {@code {"type":"resume","room":string,"token":string,"credential":string}}. The token and the credential are
 * secrets: never logged.
 */
record ResumeRequest(String credential, String token, String room) {

    /** The resume request in {@code text}, or null if it is not one (then it may still be a join). */
    static ResumeRequest parse(String text, int maxTokenBytes) {
        if (!text.contains("\"resume\"")) return null; // cheap: joins never parse twice
        JsonNode n;
        try {
            n = Json.mapper().readTree(text);
        } catch (JacksonException e) {
            return null;
        }
        if (!(n instanceof ObjectNode o) || o.size() != 4) return null;
        if (!(o.get("type") instanceof JsonNode type) || !"resume".equals(type.textValue())) return null;
        JsonNode room = o.get("room");
        JsonNode token = o.get("token");
        JsonNode credential = o.get("credential");
        if (room == null || !room.isTextual() || room.textValue().isEmpty() || room.textValue().length() > 128) return null;
        if (token == null || !token.isTextual() || token.textValue().isEmpty()
                || token.textValue().length() > maxTokenBytes) return null;
        if (credential == null || !credential.isTextual() || credential.textValue().isEmpty()
                || credential.textValue().length() > 128) return null;
        return new ResumeRequest(credential.textValue(), token.textValue(), room.textValue());
    }

    @Override
    public String toString() {
        return "ResumeRequest[room=" + room + "]"; // never the token or the credential
    }
}
