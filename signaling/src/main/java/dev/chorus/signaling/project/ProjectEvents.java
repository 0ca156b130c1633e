package dev.chorus.signaling.project;

import java.time.Instant;

/**
 * Callbacks the services fire after a durable change that must reach live sessions (TOKENS.md: revocations and room
 * closes take effect within 1 s). The WebSocket layer implements this to close or downgrade sessions. Called on the
 * service caller's thread after the store write; implementations must hand work off quickly and not throw.
 */
public interface ProjectEvents {
    ProjectEvents NONE = new ProjectEvents() {
    };

    default void keyRevoked(String projectId, String kid) {
    }

    default void tokenRevoked(String projectId, String jti) {
    }

    /** Sessions of {@code subject} whose token was issued at or before {@code issuedAtOrBefore} must end. */
    default void subjectRevoked(String projectId, String subject, Instant issuedAtOrBefore) {
    }

    default void roomClosed(String projectId, String roomId) {
    }

    /** An ACL grant or revocation changed who may receive {@code publisher}'s media in the project. */
    default void aclChanged(String projectId, String subscriber, String publisher) {
    }

    /** A scope of {@code identity} in the room was taken away or restored. */
    default void permissionsChanged(String projectId, String roomId, String identity) {
    }

    /** The project's access policy (ACL mode, ABAC conditions) changed. */
    default void accessPolicyChanged(String projectId) {
    }
}
