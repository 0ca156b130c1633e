package dev.chorus.signaling.call;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.media.sfu.TrackInfo;
import dev.chorus.signaling.ws.ParticipantSession;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Audits what a participant does with its own media: a track published ({@code media.publish}), unpublished
 * ({@code media.unpublish}, with the reason: left, rights revoked, renegotiated, ...), muted or unmuted
 * ({@code media.mute} / {@code media.unmute}); a data message refused for lack of {@code data:publish}
 * ({@code data.publish}, outcome refused, once per grant). The SFU reports these on a room worker, which must never wait for a
 * disk: the append (which forces the file) runs on the blocking executor. Identities only as hashes.
 */
final class MediaAudit {
    static final String PUBLISH = "media.publish";
    static final String UNPUBLISH = "media.unpublish";
    static final String MUTE = "media.mute";
    static final String UNMUTE = "media.unmute";
    static final String DATA_PUBLISH = "data.publish";
    static final MediaAudit NONE = new MediaAudit(null, Runnable::run);

    private final AuditLog log;
    private final Executor blocking;

    MediaAudit(AuditLog log, Executor blocking) {
        this.log = log;
        this.blocking = blocking;
    }

    /** {@code data.publish} refused: the participant sent a data message without {@code data:publish} (once per grant). */
    void dataPublishRefused(ParticipantSession s) {
        if (log == null) return;
        AuditEvent e = AuditEvent.refused(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()),
                s.sourceIp(), DATA_PUBLISH, "room:" + s.room(), "data:publish not granted");
        try {
            blocking.execute(() -> log.append(e));
        } catch (RejectedExecutionException stopping) {
            // shutting down
        }
    }

    void track(ParticipantSession s, String action, TrackInfo t, String reason) {
        if (log == null) return;
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("participant", s.participantId());
        changes.put("track", t.trackId());
        changes.put("kind", t.kind().name().toLowerCase(Locale.ROOT));
        if (reason != null) changes.put("reason", reason);
        AuditEvent e = AuditEvent.success(s.projectId(), AuditEvent.identityHash(s.projectId(), s.identity()),
                s.sourceIp(), action, "room:" + s.room(), changes);
        try {
            blocking.execute(() -> log.append(e));
        } catch (RejectedExecutionException stopping) {
            // shutting down: the session-close lines already tell the end
        }
    }
}
