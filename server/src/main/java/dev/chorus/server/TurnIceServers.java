package dev.chorus.server;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.call.IceServerProvider;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.turn.auth.TurnCredential;
import dev.chorus.turn.auth.TurnCredentialIssuer;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ICE servers for a participant from the embedded TURN relay: a TURN REST credential (random opaque id, expiry ≤
 * min(token exp, {@code turn.credentialTtl} ≤ 10 min)), audited as {@code turn_credential_issued} with the
 * username's expiry and never the password.
 */
final class TurnIceServers implements IceServerProvider {
    static final String AUDIT_ACTION = "turn_credential_issued";

    private final TurnCredentialIssuer issuer;
    private final AuditLog audit;

    TurnIceServers(TurnCredentialIssuer issuer, AuditLog audit) {
        this.issuer = issuer;
        this.audit = audit;
    }

    @Override
    public List<Map<String, Object>> iceServers(ParticipantSession s) {
        TurnCredential c = issuer.issue(s.expiresAt());
        audit.append(AuditEvent.success(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()),
                s.sourceIp(), AUDIT_ACTION, "room:" + s.room(), Map.of(
                        "participant", s.participantId(),
                        "expires", Instant.ofEpochSecond(c.expiresAtEpochSeconds()).toString())));
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("urls", c.urls());
        server.put("username", c.username());
        server.put("credential", c.password());
        return List.of(server);
    }
}
