package dev.chorus.signaling.webhook;

import java.util.Map;

/** Where the control plane reports what happened to a project's rooms and sessions (webhooks, when configured). */
@FunctionalInterface
public interface EventSink {
    EventSink NONE = (project, type, actor, data) -> { };

    /** Never blocks; {@code data} holds ids and reason codes only, never tokens or secrets. */
    void emit(String project, WebhookEventType type, WebhookActor actor, Map<String, String> data);
}
