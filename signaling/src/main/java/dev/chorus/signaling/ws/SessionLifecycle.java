package dev.chorus.signaling.ws;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the rest of the system does when a participant session starts and ends: the call layer joins the
 * participant to its room (media plane) before {@code joined} is sent, and takes it out when the session ends for any
 * reason (leave, disconnect, revocation, room close, removal, shutdown).
 */
public interface SessionLifecycle {
    /** No call layer: {@code joined} carries only the control-plane fields. */
    SessionLifecycle NONE = new SessionLifecycle() {
        @Override
        public CompletionStage<Map<String, Object>> start(ParticipantSession session) {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public void ended(ParticipantSession session) {
        }
    };

    /**
     * The token was accepted and the session registered; nothing has been sent yet. Must not block (called on the
     * connection's event loop). Completes with extra fields of the {@code joined} message, or exceptionally with
     * {@link SessionRefusedException} (the session is closed with its code, audited as a refused join) or anything
     * else (closed with 1011). Messages the session {@link ParticipantSession#send sends} before {@code joined} are
     * held back and follow it.
     */
    CompletionStage<Map<String, Object>> start(ParticipantSession session);

    /** The session is gone (called once, on the event loop, whatever the reason). Must not block. */
    void ended(ParticipantSession session);

    /** An accepted {@code refresh} changed the session's token; returns extra fields of {@code refreshed}. */
    default Map<String, Object> refreshed(ParticipantSession session) {
        return Map.of();
    }

    /**
     * A parked session was resumed on a new connection: {@code resumed} and the messages held while it was parked
     * have been queued. Messages that were in flight when the old connection dropped may be lost, so the call layer
     * sends again what the client must answer (a pending subscriber offer). Must not block.
     */
    default void resumed(ParticipantSession session) {
    }

    /** {@code refreshed} has been sent: apply the new rights (messages this causes follow {@code refreshed}). */
    default void refreshApplied(ParticipantSession session) {
    }
}
