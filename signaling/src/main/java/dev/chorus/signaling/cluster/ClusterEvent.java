package dev.chorus.signaling.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.ProjectEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One live-authorization change travelling between the nodes of a cluster: the {@link ProjectEvents} callback a
 * node fired after its durable write, so the node holding an affected session applies it too. The durable store
 * stays the truth; an event only says "look again now" ({@link StoreResync} repairs a lost one).
 *
 * <p>Wire form: one compact JSON object, at most {@link #MAX_BYTES} bytes, e.g.
 * {@code {"v":1,"node":"n1","type":"tokenRevoked","project":"p","a":"<jti>"}}. Identifiers travel as the store
 * holds them (no tokens, secrets or keys).
 *
 * @param origin    node id of the sender (a node ignores its own events: it applied them locally already)
 * @param type      which callback
 * @param projectId the project
 * @param a         first argument (kid, jti, subject, room, ACL subscriber), or null
 * @param b         second argument (ACL publisher, identity), or null
 * @param at        subject revocation watermark, or null
 */
public record ClusterEvent(String origin, Type type, String projectId, String a, String b, Instant at) {
    public static final int MAX_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Type {
        keyRevoked, tokenRevoked, subjectRevoked, roomClosed, aclChanged, permissionsChanged, accessPolicyChanged
    }

    public ClusterEvent {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(projectId, "projectId");
        if (type == Type.subjectRevoked) Objects.requireNonNull(at, "at");
    }

    /** Calls the matching callback on {@code target}. */
    public void applyTo(ProjectEvents target) {
        switch (type) {
            case keyRevoked -> target.keyRevoked(projectId, a);
            case tokenRevoked -> target.tokenRevoked(projectId, a);
            case subjectRevoked -> target.subjectRevoked(projectId, a, at);
            case roomClosed -> target.roomClosed(projectId, a);
            case aclChanged -> target.aclChanged(projectId, a, b);
            case permissionsChanged -> target.permissionsChanged(projectId, a, b);
            case accessPolicyChanged -> target.accessPolicyChanged(projectId);
        }
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("v", 1);
        o.put("node", origin);
        o.put("type", type.name());
        o.put("project", projectId);
        if (a != null) o.put("a", a);
        if (b != null) o.put("b", b);
        if (at != null) o.put("at", at.toEpochMilli());
        return o.toString();
    }

    /**
     * Parses one message; empty for anything that is not a well-formed version-1 event (a newer node's event, a
     * stray publish on the channel), which the caller counts and drops.
     */
    public static Optional<ClusterEvent> parse(String text) {
        if (text == null || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) return Optional.empty();
        try {
            JsonNode o = JSON.readTree(text);
            if (o == null || !o.isObject() || o.path("v").asInt() != 1) return Optional.empty();
            Type type = Type.valueOf(o.path("type").asText(""));
            String node = text(o, "node");
            String project = text(o, "project");
            JsonNode at = o.get("at");
            Instant when = at != null && at.canConvertToLong() ? Instant.ofEpochMilli(at.asLong()) : null;
            if (node == null || project == null) return Optional.empty();
            return Optional.of(new ClusterEvent(node, type, project, text(o, "a"), text(o, "b"), when));
        } catch (Exception e) { // JSON syntax, unknown type, missing watermark: not an event we can apply
            return Optional.empty();
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isTextual() ? n.textValue() : null;
    }
}
