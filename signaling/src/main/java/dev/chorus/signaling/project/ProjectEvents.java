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

    /** {@code first}, then {@code then}, for every event. */
    static ProjectEvents both(ProjectEvents first, ProjectEvents then) {
        return new ProjectEvents() {
            @Override public void keyRevoked(String p, String kid) { first.keyRevoked(p, kid); then.keyRevoked(p, kid); }
            @Override public void tokenRevoked(String p, String jti) { first.tokenRevoked(p, jti); then.tokenRevoked(p, jti); }
            @Override public void subjectRevoked(String p, String s, Instant t) {
                first.subjectRevoked(p, s, t);
                then.subjectRevoked(p, s, t);
            }
            @Override public void roomClosed(String p, String r) { first.roomClosed(p, r); then.roomClosed(p, r); }
            @Override public void aclChanged(String p, String s, String pub) {
                first.aclChanged(p, s, pub);
                then.aclChanged(p, s, pub);
            }
            @Override public void permissionsChanged(String p, String r, String i) {
                first.permissionsChanged(p, r, i);
                then.permissionsChanged(p, r, i);
            }
            @Override public void accessPolicyChanged(String p) { first.accessPolicyChanged(p); then.accessPolicyChanged(p); }
        };
    }

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
