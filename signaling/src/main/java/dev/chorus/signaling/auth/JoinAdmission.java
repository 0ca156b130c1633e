package dev.chorus.signaling.auth;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.audit.AuditOutcome;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.util.Map;

/**
 * The WebSocket's entry point: verifies a join token for the requested room, audits the admission or the refusal
 * (exactly one event either way, never containing the token), counts it, and returns the grant. A refused join
 * creates no state. An admitted join to a room without a record creates the record only when the project allows
 * auto-created rooms (the verifier already refused otherwise).
 */
public final class JoinAdmission {
    private final JoinTokenVerifier verifier;
    private final Store store;
    private final AuditLog audit;
    private final AuthMetrics metrics;
    private final Clock clock;

    public JoinAdmission(JoinTokenVerifier verifier, Store store, AuditLog audit, AuthMetrics metrics, Clock clock) {
        this.verifier = verifier;
        this.store = store;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * @param token  the join token as received (never logged)
     * @param room   the room the client asked for
     * @param source the client's address
     * @throws TokenRefusedException with a generic message; its reason is in the audit trail
     */
    public JoinGrant admit(String token, String room, String source) {
        JoinGrant grant;
        try {
            grant = verifier.verify(token, room);
        } catch (TokenRefusedException e) {
            String actor = e.subject() != null ? AuditEvent.identityHash(e.projectId(), e.subject()) : e.kid();
            audit.append(AuditEvent.refused(e.projectId(), actor, source, AuditAction.JOIN,
                    "room:" + room, e.reason().code()));
            metrics.joinRefused(e.reason());
            throw e;
        } catch (RuntimeException e) {
            // the store failed, not the token: record that the decision could not be made, then fail closed
            audit.append(new AuditEvent(null, null, source, AuditAction.JOIN, "room:" + room, AuditOutcome.ERROR,
                    "internal_error", Map.of()));
            throw e;
        }
        // the verifier only lets an unknown room through when the project auto-creates rooms
        boolean created = store.room(grant.projectId(), grant.roomId()).isEmpty()
                && store.createRoom(Room.open(grant.projectId(), grant.roomId(), clock.instant()));
        audit.append(AuditEvent.success(grant.projectId(), AuditEvent.identityHash(grant.projectId(), grant.identity()),
                source, AuditAction.JOIN, "room:" + grant.roomId(),
                created ? Map.of("jti", grant.jti(), "kid", grant.kid(), "room_created", "true")
                        : Map.of("jti", grant.jti(), "kid", grant.kid())));
        metrics.joinAdmitted();
        return grant;
    }
}
