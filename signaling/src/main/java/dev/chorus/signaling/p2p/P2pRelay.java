package dev.chorus.signaling.p2p;

import dev.chorus.signaling.ws.ParticipantSession;

/**
 * What a private peer-to-peer room needs from the TURN relay (the server module backs it with the built-in relay;
 * signaling does not know TURN's internals). A p2p session's credential reaches only the relayed addresses of the
 * session it is paired with; when a session ends, its credentials are revoked and its allocations end through the
 * same hook as every session's (issue 15), and its partner reaches nobody any more.
 */
public interface P2pRelay {
    /** No relay: p2p rooms are refused (close 4007, reason {@code p2p_needs_turn}). */
    P2pRelay NONE = new P2pRelay() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public void prepare(ParticipantSession s) {
        }

        @Override
        public void pair(ParticipantSession a, ParticipantSession b) {
        }

        @Override
        public void end(ParticipantSession s) {
        }
    };

    boolean available();

    /** Before the session's TURN credential is issued: its allocations reach nobody until {@link #pair}. */
    void prepare(ParticipantSession s);

    /** The room's two sessions: each one's allocations reach exactly the other's relayed addresses. */
    void pair(ParticipantSession a, ParticipantSession b);

    /** The session left the room: its partner's allocations reach nobody any more. */
    void end(ParticipantSession s);
}
