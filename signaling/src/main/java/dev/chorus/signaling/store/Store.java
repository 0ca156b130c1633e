package dev.chorus.signaling.store;

import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.webhook.WebhookOutbox;
import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ScopeOverride;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable control-plane state: projects, keys, revocations and room records. Every method that returns normally
 * after a write has made that write durable (it survives a kill -9 of the process and a power loss of the host as
 * far as the file system honours fsync). Implementations are thread-safe.
 *
 * <p>This is an interface so a shared store can back several nodes later; {@link SqliteStore} is the embedded
 * default. Callers pass identifiers already validated by {@code Identifiers}; implementations still bind every value
 * as a parameter and never build SQL (or paths, or URLs) from them.
 */
public interface Store extends AutoCloseable {

    /** Schema version this store is at (after migrations ran on open). */
    int schemaVersion();

    /** Webhook endpoints and their delivery queues (a repository of its own over the same durable store). */
    WebhookOutbox webhooks();

    // ---- projects ----

    /** @throws StoreException.Conflict if a project with this id exists */
    void createProject(Project project);

    Optional<Project> project(String projectId);

    List<Project> projects();

    /** @throws StoreException.NotFound if there is no such project */
    void updateProject(Project project);

    /**
     * Deletes the project and everything that belongs to it (keys, rooms, revocations, ACL entries, overrides,
     * access policy) in one transaction.
     *
     * @throws StoreException.NotFound if there is no such project
     */
    void deleteProject(String projectId);

    // ---- the operator (deployment owner, separate from every project) ----

    /** The operator credential's KDF hash, or empty before {@code chorus admin init}. */
    Optional<dev.chorus.signaling.admin.OperatorCredential> operatorCredential();

    /** Sets (or replaces) the operator credential. */
    void putOperatorCredential(dev.chorus.signaling.admin.OperatorCredential credential);

    // ---- keys (kid is globally unique) ----

    /** @throws StoreException.Conflict if the kid exists */
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

    // ---- revocations ----

    /** Adds a jti to the project's deny-list until {@code expiresAt} (the token's own expiry plus leeway). */
    void revokeToken(String projectId, String jti, Instant expiresAt);

    boolean isTokenRevoked(String projectId, String jti);

    /**
     * Records "tokens for this subject issued at or before {@code issuedBefore} are revoked". The watermark only
     * moves forward: an older time does not lower it.
     */
    void revokeSubject(String projectId, String subject, Instant issuedBefore);

    Optional<Instant> subjectWatermark(String projectId, String subject);

    /** Forgets jti entries whose token can no longer verify anyway. Returns how many were removed. */
    int purgeExpiredRevocations(Instant now);

    // ---- rooms ----

    /** Inserts the room if absent. Returns false (and changes nothing) if a room with that id exists. */
    boolean createRoom(Room room);

    Optional<Room> room(String projectId, String roomId);

    List<Room> rooms(String projectId);

    int countOpenRooms(String projectId);

    /** Closes an open room. Returns the closed room, or empty if unknown. Closing a closed room is a no-op. */
    Optional<Room> closeRoom(String projectId, String roomId, Instant at);

    // ---- live authorization: ACL entries, scope overrides, access policy ----

    /**
     * Inserts or replaces the ACL entry for (project, subscriber, publisher, kind, trackId): a revocation replaces a
     * grant for the same key and vice versa.
     */
    void putAclEntry(AclEntry entry);

    /** Every ACL entry of the project, oldest first. */
    List<AclEntry> aclEntries(String projectId);

    /** Records that {@code scope} is taken away from the identity in the room (idempotent). */
    void putScopeOverride(ScopeOverride override);

    /** Restores a scope taken away; returns false if it was not taken away. */
    boolean deleteScopeOverride(String projectId, String roomId, String identity, Scope scope);

    /** Scope overrides of one room, oldest first. */
    List<ScopeOverride> scopeOverrides(String projectId, String roomId);

    /** The project's access policy, or empty for {@link AccessPolicy#DEFAULT}. */
    Optional<AccessPolicy> accessPolicy(String projectId);

    void putAccessPolicy(String projectId, AccessPolicy policy);

    /** The audit trail's anchored head (id and hash of its last acknowledged line), or empty before the first. */
    Optional<AuditHead> auditHead();

    /** Moves the anchored head forward; called after each audit line is on disk. */
    void putAuditHead(AuditHead head, Instant at);

    @Override
    void close();
}
