package dev.chorus.signaling.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One event as a receiver sees it: the JSON body of a webhook request,
 * {@code {"id","type","time","project","actor":{"kind","id"},"data":{…}}}. The id is unique per event (not per
 * endpoint or attempt), so a receiver can de-duplicate retries and refuse replays.
 */
public record WebhookEvent(String id, WebhookEventType type, Instant time, String project, WebhookActor actor,
                           Map<String, String> data) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public WebhookEvent {
        data = Map.copyOf(data);
    }

    public static WebhookEvent of(WebhookEventType type, Instant time, String project, WebhookActor actor,
                                  Map<String, String> data) {
        return new WebhookEvent("evt_" + UUID.randomUUID().toString().replace("-", ""), type, time, project, actor,
                data);
    }

    /** The request body (fields in a fixed order; data keys sorted, so the same event has the same bytes). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("type", type.wire());
        root.put("time", time.toString());
        root.put("project", project);
        ObjectNode a = root.putObject("actor");
        a.put("kind", actor.kind());
        if (actor.id() != null) {
            a.put("id", actor.id());
        }
        ObjectNode d = root.putObject("data");
        data.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> d.put(e.getKey(), e.getValue()));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("encode webhook event", e);
        }
    }
}
