package dev.chorus.signaling.webhook;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the audit events that are also webhook events into webhook events, so every permission change, revocation
 * and refused join that the audit trail records reaches the project's receivers too (one source of truth, no
 * second call site to forget). The actor is the audit actor: a backend key id, or a participant's identity hash.
 */
public final class AuditEventBridge implements Consumer<AuditEvent> {
    private final EventSink sink;

    public AuditEventBridge(EventSink sink) {
        this.sink = sink;
    }

    @Override
    public void accept(AuditEvent e) {
        if (e.project() == null) {
            return; // refused before any project was known (a forged token): nobody to tell
        }
        WebhookEventType type = typeOf(e);
        if (type == null) {
            return;
        }
        Map<String, String> data = new LinkedHashMap<>(e.changes());
        data.put("action", e.action());
        if (e.resource() != null) {
            data.put("resource", e.resource());
        }
        if (e.reason() != null) {
            data.put("reason", e.reason());
        }
        sink.emit(e.project(), type, actorOf(e.actor()), data);
    }

    static WebhookEventType typeOf(AuditEvent e) {
        if (e.outcome() == AuditOutcome.REFUSED) {
            return e.action().equals(AuditAction.JOIN) ? WebhookEventType.JOIN_REFUSED : null;
        }
        return switch (e.action()) {
            case AuditAction.PERMISSION_CHANGED, AuditAction.ACL_GRANTED, AuditAction.ACL_REVOKED,
                 AuditAction.ACCESS_POLICY_CHANGED -> WebhookEventType.PERMISSION_CHANGED;
            case AuditAction.REVOKE_TOKEN, AuditAction.REVOKE_SUBJECT, AuditAction.KEY_REVOKE,
                 AuditAction.SESSION_REVOKED -> WebhookEventType.REVOCATION_APPLIED;
            default -> null;
        };
    }

    private static WebhookActor actorOf(String auditActor) {
        if (auditActor == null || auditActor.equals("chorus")) {
            return WebhookActor.SYSTEM;
        }
        return auditActor.startsWith("sub:") ? new WebhookActor("participant", auditActor)
                : WebhookActor.backend(auditActor);
    }
}
