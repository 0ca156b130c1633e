package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ScopeOverride;
import dev.chorus.signaling.store.AccessPolicyRepository;
import dev.chorus.signaling.store.AclRepository;
import dev.chorus.signaling.store.AuditAnchorRepository;
import dev.chorus.signaling.store.AuditHead;
import dev.chorus.signaling.store.KeyRepository;
import dev.chorus.signaling.store.NodeRegistry;
import dev.chorus.signaling.store.OperatorCredentialRepository;
import dev.chorus.signaling.store.ProjectRepository;
import dev.chorus.signaling.store.RevocationRepository;
import dev.chorus.signaling.store.RoomClaims;
import dev.chorus.signaling.store.RoomRepository;
import dev.chorus.signaling.store.ScopeOverrideRepository;
import dev.chorus.signaling.store.SessionSlots;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.webhook.WebhookOutbox;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Store} made of the per-aggregate JDBC repositories over one {@link Database}. The repositories' SQL is
 * the subset SQLite and PostgreSQL share (upserts with ON CONFLICT, CASE instead of max/greatest, epoch
 * milliseconds in integer columns); what differs (connections and locking, error codes, DDL) lives in the
 * {@link Database} and in the per-database migration scripts. This class only composes and delegates.
 */
public abstract class JdbcStore implements Store {
    private final Database db;
    private final ProjectRepository projects;
    private final KeyRepository keys;
    private final RevocationRepository revocations;
    private final RoomRepository rooms;
    private final AclRepository acl;
    private final ScopeOverrideRepository overrides;
    private final AccessPolicyRepository policies;
    private final OperatorCredentialRepository operator;
    private final AuditAnchorRepository auditAnchor;
    private final WebhookOutbox webhooks;
    private final NodeRegistry nodes;
    private final RoomClaims roomClaims;
    private final SessionSlots sessionSlots;

    protected JdbcStore(Database db) {
        this.db = db;
        this.projects = new JdbcProjects(db);
        this.keys = new JdbcKeys(db);
        this.revocations = new JdbcRevocations(db);
        this.rooms = new JdbcRooms(db);
        this.acl = new JdbcAcl(db);
        this.overrides = new JdbcScopeOverrides(db);
        this.policies = new JdbcAccessPolicies(db);
        this.operator = new JdbcOperatorCredentials(db);
        this.auditAnchor = new JdbcAuditAnchor(db);
        this.webhooks = new JdbcWebhookOutbox(db);
        this.nodes = new JdbcNodeRegistry(db);
        this.roomClaims = new JdbcRoomClaims(db);
        this.sessionSlots = new JdbcSessionSlots(db);
    }

    protected Database database() {
        return db;
    }

    @Override
    public WebhookOutbox webhooks() {
        return webhooks;
    }

    @Override
    public NodeRegistry nodes() {
        return nodes;
    }

    @Override
    public RoomClaims roomClaims() {
        return roomClaims;
    }

    @Override
    public SessionSlots sessionSlots() {
        return sessionSlots;
    }

    @Override
    public boolean reachable() {
        return db.reachable();
    }

    @Override
    public void close() {
        db.close();
    }

    // ---- projects
    @Override public void createProject(Project project) { projects.createProject(project); }
    @Override public Optional<Project> project(String projectId) { return projects.project(projectId); }
    @Override public List<Project> projects() { return projects.projects(); }
    @Override public void updateProject(Project project) { projects.updateProject(project); }
    @Override public void deleteProject(String projectId) { projects.deleteProject(projectId); }

    // ---- operator
    @Override public Optional<OperatorCredential> operatorCredential() { return operator.operatorCredential(); }
    @Override public void putOperatorCredential(OperatorCredential c) { operator.putOperatorCredential(c); }

    // ---- keys
    @Override public void insertKey(ProjectKey key) { keys.insertKey(key); }
    @Override public Optional<ProjectKey> key(String kid) { return keys.key(kid); }
    @Override public List<ProjectKey> keys(String projectId) { return keys.keys(projectId); }
    @Override public Optional<ProjectKey> updateKeyState(String kid, KeyState s, Instant at) {
        return keys.updateKeyState(kid, s, at);
    }
    @Override public void rotateKey(ProjectKey newKey, String oldKid, Instant at) { keys.rotateKey(newKey, oldKid, at); }

    // ---- revocations
    @Override public void revokeToken(String projectId, String jti, Instant expiresAt) {
        revocations.revokeToken(projectId, jti, expiresAt);
    }
    @Override public boolean isTokenRevoked(String projectId, String jti) {
        return revocations.isTokenRevoked(projectId, jti);
    }
    @Override public void revokeSubject(String projectId, String subject, Instant issuedBefore) {
        revocations.revokeSubject(projectId, subject, issuedBefore);
    }
    @Override public Optional<Instant> subjectWatermark(String projectId, String subject) {
        return revocations.subjectWatermark(projectId, subject);
    }
    @Override public java.util.Set<String> revokedTokens(String projectId) {
        return revocations.revokedTokens(projectId);
    }
    @Override public java.util.Map<String, Instant> subjectWatermarks(String projectId) {
        return revocations.subjectWatermarks(projectId);
    }
    @Override public int purgeExpiredRevocations(Instant now) { return revocations.purgeExpiredRevocations(now); }

    // ---- rooms
    @Override public boolean createRoom(Room room) { return rooms.createRoom(room); }
    @Override public Optional<Room> room(String projectId, String roomId) { return rooms.room(projectId, roomId); }
    @Override public List<Room> rooms(String projectId) { return rooms.rooms(projectId); }
    @Override public int countOpenRooms(String projectId) { return rooms.countOpenRooms(projectId); }
    @Override public Optional<Room> closeRoom(String projectId, String roomId, Instant at) {
        return rooms.closeRoom(projectId, roomId, at);
    }

    // ---- live authorization
    @Override public void putAclEntry(AclEntry entry) { acl.putAclEntry(entry); }
    @Override public List<AclEntry> aclEntries(String projectId) { return acl.aclEntries(projectId); }
    @Override public void putScopeOverride(ScopeOverride o) { overrides.putScopeOverride(o); }
    @Override public boolean deleteScopeOverride(String projectId, String roomId, String identity, Scope scope) {
        return overrides.deleteScopeOverride(projectId, roomId, identity, scope);
    }
    @Override public List<ScopeOverride> scopeOverrides(String projectId, String roomId) {
        return overrides.scopeOverrides(projectId, roomId);
    }
    @Override public Optional<AccessPolicy> accessPolicy(String projectId) { return policies.accessPolicy(projectId); }
    @Override public void putAccessPolicy(String projectId, AccessPolicy p) { policies.putAccessPolicy(projectId, p); }

    // ---- audit anchor
    @Override public Optional<AuditHead> auditHead(String chain) { return auditAnchor.auditHead(chain); }
    @Override public java.util.Map<String, AuditHead> auditHeads() { return auditAnchor.auditHeads(); }
    @Override public void putAuditHead(String chain, AuditHead head, Instant at) {
        auditAnchor.putAuditHead(chain, head, at);
    }
}
