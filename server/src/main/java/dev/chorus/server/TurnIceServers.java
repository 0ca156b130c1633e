package dev.chorus.server;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.call.IceServerProvider;
import dev.chorus.signaling.ws.ParticipantSession;
import dev.chorus.turn.auth.TurnCredential;
import dev.chorus.turn.auth.TurnCredentialIssuer;

import dev.chorus.turn.netty.TurnServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ICE servers for a participant from the embedded TURN relay: a TURN REST credential (expiry ≤ min(token exp,
 * {@code turn.credentialTtl} ≤ 10 min)), audited as {@code turn_credential_issued} with the username's expiry and
 * never the password.
 *
 * <p>The username's opaque id is {@code identityTag.sessionTag}, keyed hashes (a per-process key) of the project and
 * identity, and of the participant id: no identity in clear, but the relay can count allocations per identity
 * across the new username of every token refresh ({@code RestUsername.owner}), and when the session ends (leave,
 * removal, token or subject revocation) every credential it was given is revoked in the relay and its allocations
 * end ({@link TurnServer#revoke}).
 */
final class TurnIceServers implements IceServerProvider {
    static final String AUDIT_ACTION = "turn_credential_issued";
    private static final String REVOKE_HOOK = "turn.revokeOnClose";

    private final TurnCredentialIssuer issuer;
    private final TurnServer relay;
    private final AuditLog audit;
    private final byte[] tagKey = new byte[32];

    TurnIceServers(TurnCredentialIssuer issuer, TurnServer relay, AuditLog audit) {
        this.issuer = issuer;
        this.relay = relay;
        this.audit = audit;
        new SecureRandom().nextBytes(tagKey);
    }

    /** {@code identityTag.sessionTag} of a session: the same for every credential it is given. */
    String opaqueId(ParticipantSession s) {
        return tag("identity\0" + s.projectId() + "\0" + s.identity()) + "." + tag("session\0" + s.participantId());
    }

    private String tag(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tagKey, "HmacSHA256"));
            byte[] h = mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public List<Map<String, Object>> iceServers(ParticipantSession s) {
        String id = opaqueId(s);
        if (s.attributes().putIfAbsent(REVOKE_HOOK, Boolean.TRUE) == null) {
            // every credential of this session dies with it; they expire within MAX_TTL of their issue anyway
            s.onClose(() -> relay.revoke(id, Instant.now().plus(TurnCredentialIssuer.MAX_TTL)));
        }
        TurnCredential c = issuer.issue(id, s.expiresAt());
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

    /** The earliest expiry among the TURN REST usernames ({@code expiry:opaque-id}) in {@code issued}. */
    @Override
    public Instant expiresAt(List<Map<String, Object>> issued) {
        Instant earliest = null;
        for (Map<String, Object> server : issued) {
            if (!(server.get("username") instanceof String username)) continue;
            long expiry = dev.chorus.turn.auth.RestUsername.expiry(username);
            if (expiry == dev.chorus.turn.auth.RestUsername.MALFORMED) continue;
            Instant at = Instant.ofEpochSecond(expiry);
            if (earliest == null || at.isBefore(earliest)) earliest = at;
        }
        return earliest;
    }
}
