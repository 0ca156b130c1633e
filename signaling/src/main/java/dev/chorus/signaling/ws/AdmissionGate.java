package dev.chorus.signaling.ws;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.audit.RefusalAuditor;
import dev.chorus.signaling.auth.JoinAdmission;
import dev.chorus.signaling.auth.JoinGrant;
import dev.chorus.signaling.auth.TokenRefusedException;
import dev.chorus.signaling.project.Scope;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Adapter from the auth layer's {@link JoinAdmission} (verify, audit, count) to the WebSocket's {@link JoinGate}.
 * Participant ids are minted here: 128 random bits, so they cannot be guessed from another participant's.
 */
public final class AdmissionGate implements JoinGate {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final JoinAdmission admission;

    public AdmissionGate(JoinAdmission admission) {
        this.admission = admission;
    }

    @Override
    public JoinOutcome admit(String token, String room, String sourceIp) {
        JoinGrant g;
        try {
            g = admission.admit(token, room, sourceIp);
        } catch (TokenRefusedException e) {
            return new JoinOutcome.Refused(e.reason().code());
        }
        return admitted(newParticipantId(), g);
    }

    @Override
    public JoinOutcome refresh(String token, ParticipantSession session, String sourceIp) {
        return forSession(session, of -> admission.refresh(token, of, sourceIp));
    }

    @Override
    public JoinOutcome resume(String token, ParticipantSession session, String sourceIp) {
        return forSession(session, of -> admission.resume(token, of, sourceIp));
    }

    /** A token verified for a live session (refresh or resume): the session's participant, or the refusal. */
    private static JoinOutcome forSession(ParticipantSession session,
                                          java.util.function.Function<JoinAdmission.RefreshOf, JoinGrant> verify) {
        JoinGrant g;
        try {
            g = verify.apply(new JoinAdmission.RefreshOf(session.projectId(), session.room(), session.identity(),
                    session.p2p()));
        } catch (TokenRefusedException e) {
            return new JoinOutcome.Refused(e.reason().code());
        }
        return admitted(session.participantId(), g);
    }

    @Override
    public void ended(JoinOutcome.Admitted a) {
        admission.ended(a.projectId(), a.identity(), a.tokenId());
    }

    private static JoinOutcome.Admitted admitted(String participantId, JoinGrant g) {
        List<String> rights = new ArrayList<>();
        for (Scope s : Scope.values()) {
            if (g.rights().contains(s)) rights.add(s.wire());
        }
        return new JoinOutcome.Admitted(participantId, g.projectId(), g.roomId(), g.identity(), rights, g.kid(),
                g.jti(), g.issuedAt(), g.expiresAt(), g.groups(), g.policy(), g.meta(), g.conditions(),
                g.name(), g.p2p());
    }

    static String newParticipantId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "p_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Audits refusals the WebSocket layer makes itself: before a token is looked at, and policy closes. */
    public static WsAudit auditTo(AuditLog log) {
        return auditTo(log, null);
    }

    /** As {@link #auditTo(AuditLog)}, with early refusals rate-limited per source by {@code refusals}. */
    public static WsAudit auditTo(AuditLog log, RefusalAuditor refusals) {
        return new WsAudit() {
            @Override
            public void joinRefused(String ip, String reason) {
                AuditEvent e = AuditEvent.refused(null, null, ip, AuditAction.JOIN, "ws", reason);
                if (refusals != null) refusals.refused(e);
                else log.append(e);
            }

            @Override
            public void resumeRefused(String ip, ParticipantSession s, String reason) {
                AuditEvent e = s == null
                        ? AuditEvent.refused(null, null, ip, AuditAction.SESSION_RESUME, "ws", reason)
                        : AuditEvent.refused(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()), ip,
                                AuditAction.SESSION_RESUME, "room:" + s.room(), reason);
                if (refusals != null) refusals.refused(e);
                else log.append(e);
            }

            @Override
            public void resumed(ParticipantSession s, String ip) {
                log.append(AuditEvent.success(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()), ip,
                        AuditAction.SESSION_RESUME, "room:" + s.room(),
                        Map.of("participant", s.participantId(), "jti", s.tokenId())));
            }

            @Override
            public void sessionClosed(ParticipantSession s, String reason) {
                log.append(AuditEvent.refused(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()),
                        s.sourceIp(), SESSION_CLOSE, "room:" + s.room(), reason));
            }
        };
    }

    /** Audit action of a session closed by the server for a policy reason. */
    public static final String SESSION_CLOSE = "session.close";
}
