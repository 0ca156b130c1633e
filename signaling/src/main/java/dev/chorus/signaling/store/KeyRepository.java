package dev.chorus.signaling.store;

import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.ProjectKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Signing and API keys of projects (a kid is globally unique) and their lifecycle. */
public interface KeyRepository {

    /** @throws StoreException.Conflict if the kid exists, or the project does not */
    void insertKey(ProjectKey key);

    Optional<ProjectKey> key(String kid);

    /** Keys of one project, oldest first. */
    List<ProjectKey> keys(String projectId);

    /**
     * Moves a key forward in its lifecycle (active → retiring → revoked, or active → revoked) and records the time.
     * Returns the updated key, or empty if the kid is unknown. A backward transition is refused with
     * {@link StoreException.Conflict}; repeating the current state is a no-op.
     */
    Optional<ProjectKey> updateKeyState(String kid, KeyState newState, Instant at);

    /** Atomically inserts {@code newKey} and marks {@code oldKid} retiring (rotation). */
    void rotateKey(ProjectKey newKey, String oldKid, Instant at);
}
