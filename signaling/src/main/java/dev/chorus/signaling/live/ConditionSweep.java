package dev.chorus.signaling.live;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.AbacCheck;
import dev.chorus.signaling.auth.RefusalReason;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.ws.AdmissionGate;
import dev.chorus.signaling.ws.ParticipantRegistry;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.signaling.ws.WsCloseCodes;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ABAC during a session, not only at join and refresh: the project's access policy and the token's {@code cond}
 * claim are re-checked for every live session on a timer ({@link #sweep}) and for a project's sessions whenever
 * its access policy changes through the backend API ({@link #accessPolicyChanged}). A session outside its daily
 * hours or validity window, or whose source is no longer inside the allowed ranges, is closed with
 * {@link WsCloseCodes#CONDITIONS_NOT_MET} (4008) and one {@code session.close} audit event naming the rule. The
 * live-session limit is not re-applied here: it is a limit on admissions (a session never counts against itself).
 */
public final class ConditionSweep implements ProjectEvents {
    private static final Logger log = LoggerFactory.getLogger(ConditionSweep.class);

    private final Store store;
    private final ParticipantRegistry registry;
    private final AuditLog audit;
    private final Clock clock;

    public ConditionSweep(Store store, ParticipantRegistry registry, AuditLog audit, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.audit = audit;
        this.clock = clock;
    }

    /** Checks every live session; returns how many were closed. */
    public int sweep() {
        return check(null);
    }

    @Override
    public void accessPolicyChanged(String projectId) {
        check(projectId);
    }

    private int check(String onlyProject) {
        Instant now = clock.instant();
        Map<String, AccessPolicy> policies = new HashMap<>();
        int closed = 0;
        for (ParticipantSession s : registry.all()) {
            if (onlyProject != null && !onlyProject.equals(s.projectId())) continue;
            if (!s.isOpen()) continue;
            RefusalReason denied;
            try {
                AccessPolicy policy = policies.computeIfAbsent(s.projectId(),
                        p -> store.accessPolicy(p).orElse(AccessPolicy.DEFAULT));
                denied = AbacCheck.check(policy, s.conditions(), s.sourceIp(), 0, now);
            } catch (RuntimeException e) {
                log.warn("event=abac_sweep_failed project={} error={}", s.projectId(), e.getClass().getName());
                continue;
            }
            if (denied == null) continue;
            String id = s.participantId();
            if (registry.closeWhere(x -> x.participantId().equals(id), WsCloseCodes.CONDITIONS_NOT_MET,
                    "conditions not met") > 0) {
                audit.append(AuditEvent.refused(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()),
                        s.sourceIp(), AdmissionGate.SESSION_CLOSE, "room:" + s.room(), denied.code()));
                closed++;
            }
        }
        return closed;
    }
}
