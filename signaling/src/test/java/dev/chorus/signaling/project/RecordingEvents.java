package dev.chorus.signaling.project;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the callbacks the services fire, as "kind project id" strings. */
final class RecordingEvents implements ProjectEvents {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void keyRevoked(String projectId, String kid) {
        events.add("keyRevoked " + projectId + " " + kid);
    }

    @Override
    public void tokenRevoked(String projectId, String jti) {
        events.add("tokenRevoked " + projectId + " " + jti);
    }

    @Override
    public void subjectRevoked(String projectId, String subject, Instant before) {
        events.add("subjectRevoked " + projectId + " " + subject);
    }

    @Override
    public void roomClosed(String projectId, String roomId) {
        events.add("roomClosed " + projectId + " " + roomId);
    }

    @Override
    public void aclChanged(String projectId, String subscriber, String publisher) {
        events.add("aclChanged " + projectId + " " + subscriber + " " + publisher);
    }

    @Override
    public void permissionsChanged(String projectId, String roomId, String identity) {
        events.add("permissionsChanged " + projectId + " " + roomId + " " + identity);
    }

    @Override
    public void accessPolicyChanged(String projectId) {
        events.add("accessPolicyChanged " + projectId);
    }
}
