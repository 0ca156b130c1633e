package dev.chorus.signaling.ws;

import dev.chorus.signaling.project.ProjectEvents;

import java.time.Instant;

/**
 * Applies durable control changes to live sessions: a revoked key, token or subject and a closed room end the
 * affected sessions at once (close code 4004). Closing only enqueues a close frame on each channel's event loop,
 * so this returns quickly on the service caller's thread.
 */
public final class SessionEvents implements ProjectEvents {
    private final ParticipantRegistry registry;
    private final ProjectEvents next;

    public SessionEvents(ParticipantRegistry registry) {
        this(registry, ProjectEvents.NONE);
    }

    /** @param next told after the sessions were closed (e.g. the call layer closes the media room) */
    public SessionEvents(ParticipantRegistry registry, ProjectEvents next) {
        this.registry = registry;
        this.next = next;
    }

    @Override
    public void keyRevoked(String projectId, String kid) {
        registry.closeByKey(projectId, kid);
    }

    @Override
    public void tokenRevoked(String projectId, String jti) {
        registry.closeWhere(s -> s.projectId().equals(projectId) && jti.equals(s.tokenId()),
                WsCloseCodes.REVOKED, "token revoked");
    }

    @Override
    public void subjectRevoked(String projectId, String subject, Instant issuedAtOrBefore) {
        registry.closeWhere(s -> s.projectId().equals(projectId) && subject.equals(s.identity())
                        && (s.issuedAt() == null || !s.issuedAt().isAfter(issuedAtOrBefore)),
                WsCloseCodes.REVOKED, "subject revoked");
    }

    @Override
    public void roomClosed(String projectId, String roomId) {
        registry.closeRoom(projectId, roomId);
        next.roomClosed(projectId, roomId);
    }
}
