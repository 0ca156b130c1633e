package dev.chorus.signaling.ws;

/**
 * Decides whether a join token admits a participant. Implemented over the auth layer's JoinAdmission; that layer
 * verifies, checks live state and writes the audit event (admitted or refused with a reason code).
 * May block (store access): it is called on a virtual thread.
 */
@FunctionalInterface
public interface JoinGate {
    /**
     * @param token the join token as received (never logged)
     * @param room  the room the client asked to join; must equal the token's {@code room} claim
     */
    JoinOutcome admit(String token, String room, String sourceIp);

    /**
     * Verifies a refresh token for a live session: like a join, and the token must name the session's project,
     * room and identity (a mismatch is refused here and audited, not only by the session).
     */
    default JoinOutcome refresh(String token, ParticipantSession session, String sourceIp) {
        return admit(token, session.room(), sourceIp);
    }

    /**
     * Verifies the token presented with a session resume (docs/protocol.md, "Session resume"): like a join (so a
     * revoked key, token or subject, or a closed room, refuses the resume), and the token must name the session's
     * project, room and identity. Reserves nothing (the parked session keeps its admission); a refusal is audited
     * here with its reason, an acceptance by the WebSocket layer once the session is re-attached.
     */
    default JoinOutcome resume(String token, ParticipantSession session, String sourceIp) {
        return refresh(token, session, sourceIp);
    }

    /**
     * An admitted join's session ended, or never started (client gone, room full, media refused): the gate gives
     * back what it reserved for it (live-session counts per identity and per jti). Called exactly once per
     * {@link JoinOutcome.Admitted} returned by {@link #admit}; must not block or throw.
     */
    default void ended(JoinOutcome.Admitted admitted) {
    }
}
