package dev.chorus.signaling.store;

import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Embedded durable {@link Store} on SQLite (WAL, synchronous=FULL, file mode 0600, versioned schema). */
public final class SqliteStore implements Store {

    public static SqliteStore open(Path dbFile) {
        throw new UnsupportedOperationException("in progress");
    }

    @Override public int schemaVersion() { throw new UnsupportedOperationException(); }
    @Override public void createProject(Project project) { throw new UnsupportedOperationException(); }
    @Override public Optional<Project> project(String projectId) { throw new UnsupportedOperationException(); }
    @Override public List<Project> projects() { throw new UnsupportedOperationException(); }
    @Override public void updateProject(Project project) { throw new UnsupportedOperationException(); }
    @Override public void insertKey(ProjectKey key) { throw new UnsupportedOperationException(); }
    @Override public Optional<ProjectKey> key(String kid) { throw new UnsupportedOperationException(); }
    @Override public List<ProjectKey> keys(String projectId) { throw new UnsupportedOperationException(); }
    @Override public Optional<ProjectKey> updateKeyState(String kid, KeyState s, Instant at) { throw new UnsupportedOperationException(); }
    @Override public void rotateKey(ProjectKey newKey, String oldKid, Instant at) { throw new UnsupportedOperationException(); }
    @Override public void revokeToken(String projectId, String jti, Instant expiresAt) { throw new UnsupportedOperationException(); }
    @Override public boolean isTokenRevoked(String projectId, String jti) { throw new UnsupportedOperationException(); }
    @Override public void revokeSubject(String projectId, String subject, Instant t) { throw new UnsupportedOperationException(); }
    @Override public Optional<Instant> subjectWatermark(String projectId, String subject) { throw new UnsupportedOperationException(); }
    @Override public int purgeExpiredRevocations(Instant now) { throw new UnsupportedOperationException(); }
    @Override public boolean createRoom(Room room) { throw new UnsupportedOperationException(); }
    @Override public Optional<Room> room(String projectId, String roomId) { throw new UnsupportedOperationException(); }
    @Override public List<Room> rooms(String projectId) { throw new UnsupportedOperationException(); }
    @Override public int countOpenRooms(String projectId) { throw new UnsupportedOperationException(); }
    @Override public Optional<Room> closeRoom(String projectId, String roomId, Instant at) { throw new UnsupportedOperationException(); }
    @Override public void close() { }
}
