package dev.chorus.signaling.ws;

import dev.chorus.signaling.metrics.ChorusMetrics;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the session of a connection that dropped for its resume window (docs/protocol.md, "Session resume"): the
 * others see nothing and media goes on; when the window passes, or the session is revoked, its room closed or the
 * participant removed meanwhile, the session ends as a connected one would. A resume within the window takes it over
 * ({@link SessionResumption}).
 */
final class SessionParking {
    private static final Logger log = LoggerFactory.getLogger(SessionParking.class);

    private final ResumeCredentials resumable;
    private final ParticipantRegistry registry;
    private final WsAudit audit;
    private final ChorusMetrics metrics;
    private final SessionLifecycle lifecycle;
    /** Gives an admission's slots back to the gate (once per admission). */
    private final Consumer<JoinOutcome.Admitted> endAdmission;

    SessionParking(ResumeCredentials resumable, ParticipantRegistry registry, WsAudit audit, ChorusMetrics metrics,
                   SessionLifecycle lifecycle, Consumer<JoinOutcome.Admitted> endAdmission) {
        this.resumable = resumable;
        this.registry = registry;
        this.audit = audit;
        this.metrics = metrics;
        this.lifecycle = lifecycle;
        this.endAdmission = endAdmission;
    }

    /**
     * The connection of {@code s} is gone without a leave, a server close or a client close 1000/1001 (a tab
     * closing): park the session for its grace window instead of ending it. The others see nothing; media goes on.
     * Returns false when the session cannot be parked (resume off, no credential).
     */
    boolean park(ParticipantSession s, JoinOutcome.Admitted admitted) {
        ResumeCredentials.Parked p = resumable.park(s, admitted);
        if (p == null) return false;
        s.detach();
        metrics.wsSessionClosed();
        log.info("event=ws_parked participant={} project={} graceMs={}", s.participantId(), s.projectId(),
                resumable.grace().toMillis());
        // revocation, room close or removal while parked: end it at once (the close hooks already ran)
        s.onClose(() -> {
            ResumeCredentials.Parked gone = resumable.forget(s);
            if (gone != null) endParked(gone);
        });
        s.schedule(() -> {
            ResumeCredentials.Parked expired = resumable.expire(s);
            if (expired == null) return; // resumed or ended meanwhile
            log.info("event=ws_resume_window_passed participant={} project={}", s.participantId(), s.projectId());
            try {
                audit.sessionClosed(s, "resume_timeout");
            } catch (RuntimeException e) {
                log.warn("event=ws_audit_failed error={}", e.getClass().getName());
            }
            s.close(WsCloseCodes.GOING_AWAY, "timeout"); // participantLeft with reason timeout
            endParked(expired);
        }, resumable.grace());
        return true;
    }

    /** A parked session ends for good: as the handler's cleanup ends a connected one. */
    private void endParked(ResumeCredentials.Parked p) {
        ParticipantSession s = p.session();
        registry.remove(s);
        s.markClosing();
        try {
            lifecycle.ended(s);
        } catch (RuntimeException e) {
            log.warn("event=session_end_hook_failed error={}", e.getClass().getName());
        }
        endAdmission.accept(p.admitted());
    }
}
