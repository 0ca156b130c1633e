package dev.chorus.signaling.ws;

/**
 * Audit hook for refusals decided by the WebSocket layer itself: before any token is verified (join timeout,
 * first message not a join) and policy closes of sessions. Token verdicts are audited by the {@link JoinGate}.
 * Never receives token text. One event per connection at most (a connection is closed once).
 */
public interface WsAudit {
    /** A connection that never joined was closed: join timeout, bad first message, flood before joining, ... */
    void joinRefused(String sourceIp, String reason);

    /** An admitted session was closed for a policy reason (flood, oversize, bad messages, expired token, ...). */
    void sessionClosed(ParticipantSession session, String reason);

    /**
     * A resume was refused before or after its token was looked at for a reason of the resume itself (unknown, used
     * or expired credential, wrong room or identity, …); {@code session} is the session the credential named, or
     * null. Refusals of the token are audited by the {@link JoinGate}.
     */
    default void resumeRefused(String sourceIp, ParticipantSession session, String reason) {
    }

    /** A client resumed its parked session on a new connection. */
    default void resumed(ParticipantSession session, String sourceIp) {
    }

    WsAudit NONE = new WsAudit() {
        @Override public void joinRefused(String sourceIp, String reason) {}
        @Override public void sessionClosed(ParticipantSession session, String reason) {}
    };
}
