package dev.chorus.signaling.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.webhook.WebhookOutbox;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.RoomState;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ScopeOverride;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * Embedded durable {@link Store} on SQLite.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so every committed transaction's WAL frames are
 * fsync'ed before the commit returns; a write acknowledged by a method here survives kill -9 (proved by
 * {@code SqliteStoreCrashTest}). The database file is created with mode 0600 (SQLite gives the -wal/-shm files the
 * database file's mode), and an existing file is tightened to 0600 on open.
 *
 * <p>Schema: versioned with {@code PRAGMA user_version}; {@link #MIGRATIONS} run in order, each in its own
 * transaction, on open. A database newer than this code is refused rather than guessed at.
 *
 * <p>Concurrency: one connection, calls serialised by this object's monitor (SQLite has one writer anyway; the
 * control plane's write rate is tiny). Every value is a bound parameter.
 */
public final class SqliteStore implements Store {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Migration i (0-based) brings the schema from version i to i + 1. Never edit a released entry; append. */
    static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    """
                    CREATE TABLE projects (
                      id TEXT PRIMARY KEY,
                      name TEXT NOT NULL,
                      max_token_ttl_s INTEGER NOT NULL CHECK (max_token_ttl_s > 0 AND max_token_ttl_s <= 86400),
                      max_participants INTEGER NOT NULL,
                      max_rooms INTEGER NOT NULL,
                      scope_ceiling TEXT NOT NULL,
                      roles TEXT NOT NULL,
                      hs256_join_tokens INTEGER NOT NULL,
                      auto_create_rooms INTEGER NOT NULL,
                      created_ms INTEGER NOT NULL
                    ) STRICT""",
                    """
                    CREATE TABLE keys (
                      kid TEXT PRIMARY KEY,
                      project_id TEXT NOT NULL REFERENCES projects(id),
                      alg TEXT NOT NULL CHECK (alg IN ('HS256', 'ES256', 'EdDSA')),
                      state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'revoked')),
                      material BLOB NOT NULL,
                      created_ms INTEGER NOT NULL,
                      retired_ms INTEGER,
                      revoked_ms INTEGER
                    ) STRICT""",
                    "CREATE INDEX keys_by_project ON keys(project_id, created_ms)",
                    """
                    CREATE TABLE revoked_tokens (
                      project_id TEXT NOT NULL,
                      jti TEXT NOT NULL,
                      expires_ms INTEGER NOT NULL,
                      PRIMARY KEY (project_id, jti)
                    ) STRICT""",
                    "CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens(expires_ms)",
                    """
                    CREATE TABLE subject_watermarks (
                      project_id TEXT NOT NULL,
                      subject TEXT NOT NULL,
                      before_ms INTEGER NOT NULL,
                      PRIMARY KEY (project_id, subject)
                    ) STRICT""",
                    """
                    CREATE TABLE rooms (
                      project_id TEXT NOT NULL REFERENCES projects(id),
                      room_id TEXT NOT NULL,
                      state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
                      created_ms INTEGER NOT NULL,
                      closed_ms INTEGER,
                      PRIMARY KEY (project_id, room_id)
                    ) STRICT"""),
            // 1 → 2: live authorization (ACL grants/revocations, per-room scope overrides, per-project ABAC policy)
            List.of(
                    """
                    CREATE TABLE acl_entries (
                      project_id TEXT NOT NULL REFERENCES projects(id),
                      subscriber TEXT NOT NULL,
                      publisher TEXT NOT NULL,
                      kind TEXT NOT NULL CHECK (kind IN ('', 'audio', 'video', 'screen')),
                      track_id TEXT NOT NULL,
                      effect TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
                      at_ms INTEGER NOT NULL,
                      PRIMARY KEY (project_id, subscriber, publisher, kind, track_id)
                    ) STRICT""",
                    """
                    CREATE TABLE scope_overrides (
                      project_id TEXT NOT NULL REFERENCES projects(id),
                      room_id TEXT NOT NULL,
                      identity TEXT NOT NULL,
                      scope TEXT NOT NULL,
                      at_ms INTEGER NOT NULL,
                      PRIMARY KEY (project_id, room_id, identity, scope)
                    ) STRICT""",
                    """
                    CREATE TABLE access_policies (
                      project_id TEXT PRIMARY KEY REFERENCES projects(id),
                      acl_mode INTEGER NOT NULL,
                      allowed_cidrs TEXT NOT NULL,
                      max_sessions INTEGER NOT NULL,
                      hours_utc TEXT,
                      allow_pii INTEGER NOT NULL
                    ) STRICT"""),
            // 2 → 3: webhook endpoints and their durable delivery queues
            SqliteWebhookOutbox.MIGRATION,
            // 3 → 4: the operator credential (separate from projects) and API scopes of backend keys. Keys that
            // existed before scopes keep what they could do then (every route group of that time); new keys get
            // exactly the scopes they are created with.
            List.of(
                    "ALTER TABLE keys ADD COLUMN api_scopes TEXT NOT NULL"
                            + " DEFAULT 'tokens:mint keys:admin rooms:admin revocations:admin acl:admin webhooks:admin'",
                    """
                    CREATE TABLE operator_credentials (
                      id TEXT PRIMARY KEY CHECK (id = 'operator'),
                      kdf TEXT NOT NULL,
                      iterations INTEGER NOT NULL CHECK (iterations > 0),
                      salt BLOB NOT NULL,
                      hash BLOB NOT NULL,
                      created_ms INTEGER NOT NULL
                    ) STRICT"""),
            // 4 → 5: the audit trail's head, anchored outside the log file (docs/control-plane.md "Audit trail"),
            // and the per-project choice of what a second join with the same token does
            List.of(
                    """
                    CREATE TABLE audit_head (
                      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                      last_id INTEGER NOT NULL,
                      last_hash TEXT NOT NULL,
                      at_ms INTEGER NOT NULL
                    ) STRICT""",
                    "ALTER TABLE access_policies ADD COLUMN replace_same_token INTEGER NOT NULL DEFAULT 0"));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private final Connection conn;
    private final Sql sql;
    private final Path file;

    private final SqliteWebhookOutbox webhooks;

    private SqliteStore(Connection conn, Path file) {
        this.conn = conn;
        this.sql = new Sql(conn);
        this.file = file;
        this.webhooks = new SqliteWebhookOutbox(this, sql);
    }

    @Override
    public WebhookOutbox webhooks() {
        return webhooks;
    }

    /** Opens or creates the database at {@code dbFile} and migrates it to {@link #SCHEMA_VERSION}. */
    public static SqliteStore open(Path dbFile) {
        try {
            createPrivate(dbFile);
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            cfg.enforceForeignKeys(true);
            cfg.setBusyTimeout(5_000);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile.toAbsolutePath(), cfg.toProperties());
            SqliteStore s = new SqliteStore(c, dbFile);
            s.checkPragmas();
            s.migrate();
            return s;
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open store", e);
        }
    }

    private static void createPrivate(Path dbFile) throws IOException {
        Path dir = dbFile.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        var perms = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(dbFile, PosixFilePermissions.asFileAttribute(perms));
        } catch (FileAlreadyExistsException e) {
            Files.setPosixFilePermissions(dbFile, perms);
        }
    }

    private void checkPragmas() throws SQLException {
        try (Statement st = conn.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                if (!"wal".equalsIgnoreCase(rs.getString(1))) {
                    throw new SQLException("WAL journal mode not active");
                }
            }
            try (ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
                rs.next();
                if (rs.getInt(1) < 2) {
                    throw new SQLException("synchronous=FULL not active");
                }
            }
        }
    }

    private synchronized void migrate() throws SQLException {
        int version = userVersion();
        if (version > SCHEMA_VERSION) {
            throw new StoreException("database schema " + version + " is newer than this Chorus (" + SCHEMA_VERSION
                    + ")");
        }
        for (int v = version; v < SCHEMA_VERSION; v++) {
            List<String> steps = MIGRATIONS.get(v);
            int next = v + 1;
            sql.transaction(() -> {
                try (Statement st = conn.createStatement()) {
                    for (String step : steps) {
                        st.execute(step);
                    }
                    st.execute("PRAGMA user_version = " + next); // an int we own, not user input
                }
                return null;
            });
        }
    }

    private int userVersion() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public synchronized int schemaVersion() {
        try {
            return userVersion();
        } catch (SQLException e) {
            throw new StoreException("schema version", e);
        }
    }

    /** Runs {@code PRAGMA integrity_check}; returns "ok" when the file is sound. */
    public synchronized String integrityCheck() {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(rs.getString(1));
            }
            return sb.toString();
        } catch (SQLException e) {
            throw new StoreException("integrity check", e);
        }
    }

    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------- projects

    @Override
    public synchronized void createProject(Project p) {
        run("create project", () -> sql.update("INSERT INTO projects (id, name, max_token_ttl_s, max_participants,"
                + " max_rooms, scope_ceiling, roles, hs256_join_tokens, auto_create_rooms, created_ms)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?)", projectColumns(p, p.createdAt())));
    }

    @Override
    public synchronized void updateProject(Project p) {
        int changed = run("update project", () -> sql.update("UPDATE projects SET id = ?, name = ?,"
                + " max_token_ttl_s = ?, max_participants = ?, max_rooms = ?, scope_ceiling = ?, roles = ?,"
                + " hs256_join_tokens = ?, auto_create_rooms = ? WHERE id = ?", projectColumns(p, p.id())));
        if (changed == 0) {
            throw new StoreException.NotFound("no such project");
        }
    }

    /** The nine project columns in table order, then {@code last} (created time on insert, id on update). */
    private static Object[] projectColumns(Project p, Object last) {
        return new Object[] {p.id(), p.name(), p.maxTokenTtl().toSeconds(), p.maxParticipantsPerRoom(), p.maxRooms(),
                Scope.toWire(p.scopeCeiling()), rolesJson(p.roles()), p.hs256JoinTokens(), p.autoCreateRooms(), last};
    }

    @Override
    public synchronized Optional<Project> project(String projectId) {
        return run("read project", () -> sql.one("SELECT * FROM projects WHERE id = ?", SqliteStore::readProject,
                projectId));
    }

    @Override
    public synchronized List<Project> projects() {
        return run("list projects", () -> sql.list("SELECT * FROM projects ORDER BY created_ms, id",
                SqliteStore::readProject));
    }

    private static Project readProject(ResultSet rs) throws SQLException {
        return new Project(rs.getString("id"), rs.getString("name"), Duration.ofSeconds(rs.getLong("max_token_ttl_s")),
                rs.getInt("max_participants"), rs.getInt("max_rooms"), scopes(rs.getString("scope_ceiling")),
                roles(rs.getString("roles")), rs.getInt("hs256_join_tokens") != 0,
                rs.getInt("auto_create_rooms") != 0, Instant.ofEpochMilli(rs.getLong("created_ms")));
    }

    private static String rolesJson(Map<String, Set<Scope>> roles) {
        Map<String, String> m = new LinkedHashMap<>();
        roles.forEach((k, v) -> m.put(k, Scope.toWire(v)));
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new StoreException("encode roles", e);
        }
    }

    private static Map<String, Set<Scope>> roles(String json) {
        try {
            Map<String, String> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {
            });
            Map<String, Set<Scope>> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, scopes(v)));
            return out;
        } catch (JsonProcessingException e) {
            throw new StoreException("decode roles", e);
        }
    }

    private static Set<Scope> scopes(String wire) {
        Set<Scope> s = EnumSet.noneOf(Scope.class);
        if (!wire.isEmpty()) {
            for (String w : wire.split(" ")) {
                s.add(Scope.fromWire(w).orElseThrow(() -> new StoreException("unknown scope in store")));
            }
        }
        return s;
    }

    @Override
    public synchronized void deleteProject(String projectId) {
        run("delete project", () -> sql.transaction(() -> {
            for (String table : List.of("acl_entries", "scope_overrides", "access_policies", "rooms", "keys",
                    "revoked_tokens", "subject_watermarks")) {
                // table names are constants of this class, never input
                sql.update("DELETE FROM " + table + " WHERE project_id = ?", projectId);
            }
            if (sql.update("DELETE FROM projects WHERE id = ?", projectId) == 0) {
                throw new StoreException.NotFound("no such project");
            }
            return null;
        }));
    }

    // ---------------------------------------------------------------- operator

    @Override
    public synchronized Optional<OperatorCredential> operatorCredential() {
        return run("read operator credential", () -> sql.one("SELECT * FROM operator_credentials WHERE id = 'operator'",
                rs -> new OperatorCredential(rs.getString("kdf"), rs.getInt("iterations"), rs.getBytes("salt"),
                        rs.getBytes("hash"), Instant.ofEpochMilli(rs.getLong("created_ms")))));
    }

    @Override
    public synchronized void putOperatorCredential(OperatorCredential c) {
        run("put operator credential", () -> sql.update("INSERT INTO operator_credentials (id, kdf, iterations, salt,"
                        + " hash, created_ms) VALUES ('operator',?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET kdf = excluded.kdf,"
                        + " iterations = excluded.iterations, salt = excluded.salt, hash = excluded.hash,"
                        + " created_ms = excluded.created_ms", c.kdf(), c.iterations(), c.salt(), c.hash(),
                c.createdAt()));
    }

    // ---------------------------------------------------------------- keys

    @Override
    public synchronized void insertKey(ProjectKey k) {
        run("insert key", () -> insertKeyRow(k));
    }

    private int insertKeyRow(ProjectKey k) throws SQLException {
        return sql.update("INSERT INTO keys (kid, project_id, alg, state, material, created_ms, retired_ms, revoked_ms,"
                        + " api_scopes) VALUES (?,?,?,?,?,?,?,?,?)", k.kid(), k.projectId(), k.algorithm().jwtName(),
                k.state().wire(), k.material(), k.createdAt(), k.retiredAt(), k.revokedAt(),
                ApiScope.toWire(k.apiScopes()));
    }

    @Override
    public synchronized Optional<ProjectKey> key(String kid) {
        return run("read key", () -> keyRow(kid));
    }

    private Optional<ProjectKey> keyRow(String kid) throws SQLException {
        return sql.one("SELECT * FROM keys WHERE kid = ?", SqliteStore::readKey, kid);
    }

    @Override
    public synchronized List<ProjectKey> keys(String projectId) {
        return run("list keys", () -> sql.list("SELECT * FROM keys WHERE project_id = ? ORDER BY created_ms, kid",
                SqliteStore::readKey, projectId));
    }

    private static ProjectKey readKey(ResultSet rs) throws SQLException {
        return new ProjectKey(rs.getString("kid"), rs.getString("project_id"),
                KeyAlgorithm.fromJwtName(rs.getString("alg")).orElseThrow(),
                KeyState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)), rs.getBytes("material"),
                Instant.ofEpochMilli(rs.getLong("created_ms")), Sql.instant(rs, "retired_ms"),
                Sql.instant(rs, "revoked_ms"), apiScopes(rs.getString("api_scopes")));
    }

    private static Set<ApiScope> apiScopes(String wire) {
        try {
            return ApiScope.parse(wire);
        } catch (IllegalArgumentException e) {
            throw new StoreException("unknown API scope in store");
        }
    }

    @Override
    public synchronized Optional<ProjectKey> updateKeyState(String kid, KeyState newState, Instant at) {
        return run("update key state", () -> sql.transaction(() -> transition(kid, newState, at)));
    }

    private Optional<ProjectKey> transition(String kid, KeyState newState, Instant at) throws SQLException {
        Optional<ProjectKey> current = keyRow(kid);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        ProjectKey k = current.get();
        if (k.state() == newState) {
            return current;
        }
        if (newState.ordinal() < k.state().ordinal()) {
            throw new StoreException.Conflict("key state can only move forward");
        }
        ProjectKey updated = k.withState(newState, at);
        sql.update("UPDATE keys SET state = ?, retired_ms = ?, revoked_ms = ? WHERE kid = ?", newState.wire(),
                updated.retiredAt(), updated.revokedAt(), kid);
        return Optional.of(updated);
    }

    @Override
    public synchronized void rotateKey(ProjectKey newKey, String oldKid, Instant at) {
        run("rotate key", () -> sql.transaction(() -> {
            Optional<ProjectKey> old = keyRow(oldKid);
            if (old.isEmpty() || !old.get().projectId().equals(newKey.projectId())) {
                throw new StoreException.NotFound("no such key");
            }
            if (old.get().state() != KeyState.ACTIVE) {
                throw new StoreException.Conflict("only an active key can be rotated");
            }
            insertKeyRow(newKey);
            return transition(oldKid, KeyState.RETIRING, at);
        }));
    }

    // ---------------------------------------------------------------- revocations

    @Override
    public synchronized void revokeToken(String projectId, String jti, Instant expiresAt) {
        run("revoke token", () -> sql.update("INSERT INTO revoked_tokens (project_id, jti, expires_ms) VALUES (?,?,?)"
                + " ON CONFLICT (project_id, jti) DO UPDATE SET expires_ms = max(expires_ms, excluded.expires_ms)",
                projectId, jti, expiresAt));
    }

    @Override
    public synchronized boolean isTokenRevoked(String projectId, String jti) {
        return run("read token revocation", () -> sql.one("SELECT 1 FROM revoked_tokens WHERE project_id = ? AND jti = ?",
                rs -> true, projectId, jti)).isPresent();
    }

    @Override
    public synchronized void revokeSubject(String projectId, String subject, Instant issuedBefore) {
        run("revoke subject", () -> sql.update("INSERT INTO subject_watermarks (project_id, subject, before_ms)"
                + " VALUES (?,?,?) ON CONFLICT (project_id, subject)"
                + " DO UPDATE SET before_ms = max(before_ms, excluded.before_ms)", projectId, subject, issuedBefore));
    }

    @Override
    public synchronized Optional<Instant> subjectWatermark(String projectId, String subject) {
        return run("read subject watermark", () -> sql.one(
                "SELECT before_ms FROM subject_watermarks WHERE project_id = ? AND subject = ?",
                rs -> Instant.ofEpochMilli(rs.getLong(1)), projectId, subject));
    }

    @Override
    public synchronized int purgeExpiredRevocations(Instant now) {
        return run("purge revocations", () -> sql.update("DELETE FROM revoked_tokens WHERE expires_ms < ?", now));
    }

    // ---------------------------------------------------------------- rooms

    @Override
    public synchronized boolean createRoom(Room r) {
        return run("create room", () -> sql.update("INSERT INTO rooms (project_id, room_id, state, created_ms,"
                        + " closed_ms) VALUES (?,?,?,?,?) ON CONFLICT (project_id, room_id) DO NOTHING",
                r.projectId(), r.roomId(), r.state().wire(), r.createdAt(), r.closedAt())) == 1;
    }

    @Override
    public synchronized Optional<Room> room(String projectId, String roomId) {
        return run("read room", () -> roomRow(projectId, roomId));
    }

    private Optional<Room> roomRow(String projectId, String roomId) throws SQLException {
        return sql.one("SELECT * FROM rooms WHERE project_id = ? AND room_id = ?", SqliteStore::readRoom, projectId,
                roomId);
    }

    @Override
    public synchronized List<Room> rooms(String projectId) {
        return run("list rooms", () -> sql.list("SELECT * FROM rooms WHERE project_id = ? ORDER BY created_ms, room_id",
                SqliteStore::readRoom, projectId));
    }

    @Override
    public synchronized int countOpenRooms(String projectId) {
        return run("count rooms", () -> sql.one("SELECT count(*) FROM rooms WHERE project_id = ? AND state = 'open'",
                rs -> rs.getInt(1), projectId)).orElse(0);
    }

    @Override
    public synchronized Optional<Room> closeRoom(String projectId, String roomId, Instant at) {
        return run("close room", () -> {
            sql.update("UPDATE rooms SET state = 'closed', closed_ms = ? WHERE project_id = ? AND room_id = ?"
                    + " AND state = 'open'", at, projectId, roomId);
            return roomRow(projectId, roomId);
        });
    }

    private static Room readRoom(ResultSet rs) throws SQLException {
        return new Room(rs.getString("project_id"), rs.getString("room_id"),
                RoomState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
                Instant.ofEpochMilli(rs.getLong("created_ms")), Sql.instant(rs, "closed_ms"));
    }

    // ---------------------------------------------------------------- live authorization

    @Override
    public synchronized void putAclEntry(AclEntry e) {
        run("put acl entry", () -> sql.update("INSERT INTO acl_entries (project_id, subscriber, publisher, kind,"
                        + " track_id, effect, at_ms) VALUES (?,?,?,?,?,?,?) ON CONFLICT (project_id, subscriber,"
                        + " publisher, kind, track_id) DO UPDATE SET effect = excluded.effect, at_ms = excluded.at_ms",
                e.projectId(), e.subscriber(), e.publisher(), e.kind(), e.trackId(), e.effect().wire(), e.at()));
    }

    @Override
    public synchronized List<AclEntry> aclEntries(String projectId) {
        return run("list acl entries", () -> sql.list("SELECT * FROM acl_entries WHERE project_id = ?"
                + " ORDER BY at_ms, subscriber, publisher, kind, track_id", rs -> new AclEntry(rs.getString("project_id"),
                rs.getString("subscriber"), rs.getString("publisher"), rs.getString("kind"), rs.getString("track_id"),
                "allow".equals(rs.getString("effect")) ? AclEntry.Effect.ALLOW : AclEntry.Effect.DENY,
                Instant.ofEpochMilli(rs.getLong("at_ms"))), projectId));
    }

    @Override
    public synchronized void putScopeOverride(ScopeOverride o) {
        run("put scope override", () -> sql.update("INSERT INTO scope_overrides (project_id, room_id, identity, scope,"
                + " at_ms) VALUES (?,?,?,?,?) ON CONFLICT (project_id, room_id, identity, scope) DO NOTHING",
                o.projectId(), o.roomId(), o.identity(), o.scope().wire(), o.at()));
    }

    @Override
    public synchronized boolean deleteScopeOverride(String projectId, String roomId, String identity, Scope scope) {
        return run("delete scope override", () -> sql.update("DELETE FROM scope_overrides WHERE project_id = ?"
                + " AND room_id = ? AND identity = ? AND scope = ?", projectId, roomId, identity, scope.wire())) > 0;
    }

    @Override
    public synchronized List<ScopeOverride> scopeOverrides(String projectId, String roomId) {
        return run("list scope overrides", () -> sql.list("SELECT * FROM scope_overrides WHERE project_id = ?"
                + " AND room_id = ? ORDER BY at_ms, identity, scope", rs -> new ScopeOverride(
                rs.getString("project_id"), rs.getString("room_id"), rs.getString("identity"),
                Scope.fromWire(rs.getString("scope")).orElseThrow(() -> new StoreException("unknown scope in store")),
                Instant.ofEpochMilli(rs.getLong("at_ms"))), projectId, roomId));
    }

    @Override
    public synchronized Optional<AccessPolicy> accessPolicy(String projectId) {
        return run("read access policy", () -> sql.one("SELECT * FROM access_policies WHERE project_id = ?",
                rs -> new AccessPolicy(rs.getInt("acl_mode") != 0, cidrs(rs.getString("allowed_cidrs")),
                        rs.getInt("max_sessions"), rs.getString("hours_utc"), rs.getInt("allow_pii") != 0,
                        rs.getInt("replace_same_token") != 0),
                projectId));
    }

    @Override
    public synchronized void putAccessPolicy(String projectId, AccessPolicy p) {
        run("put access policy", () -> sql.update("INSERT INTO access_policies (project_id, acl_mode, allowed_cidrs,"
                        + " max_sessions, hours_utc, allow_pii, replace_same_token) VALUES (?,?,?,?,?,?,?)"
                        + " ON CONFLICT (project_id) DO UPDATE"
                        + " SET acl_mode = excluded.acl_mode, allowed_cidrs = excluded.allowed_cidrs,"
                        + " max_sessions = excluded.max_sessions, hours_utc = excluded.hours_utc,"
                        + " allow_pii = excluded.allow_pii, replace_same_token = excluded.replace_same_token",
                projectId, p.aclMode(), String.join(" ", p.allowedCidrs()), p.maxSessionsPerIdentity(), p.hoursUtc(),
                p.allowPiiIdentities(), p.replaceSameTokenSession()));
    }

    @Override
    public synchronized Optional<AuditHead> auditHead() {
        return run("read audit head", () -> sql.one("SELECT last_id, last_hash FROM audit_head WHERE singleton = 1",
                rs -> new AuditHead(rs.getLong(1), rs.getString(2))));
    }

    @Override
    public synchronized void putAuditHead(AuditHead head, Instant at) {
        run("put audit head", () -> sql.update("INSERT INTO audit_head (singleton, last_id, last_hash, at_ms)"
                + " VALUES (1,?,?,?) ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id,"
                + " last_hash = excluded.last_hash, at_ms = excluded.at_ms", head.lastId(), head.lastHash(), at));
    }

    private static List<String> cidrs(String wire) {
        return wire.isEmpty() ? List.of() : List.of(wire.split(" "));
    }

    // ---------------------------------------------------------------- helpers

    /** Runs one store operation, turning JDBC failures into {@link StoreException}s named after {@code op}. */
    static <T> T run(String op, Sql.Work<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw translate(op, e);
        }
    }

    private static StoreException translate(String op, SQLException e) {
        // SQLITE_CONSTRAINT (19) and its extended codes: unique/primary key/foreign key violations
        if ((e.getErrorCode() & 0xff) == 19) {
            return new StoreException.Conflict(op + ": constraint violated");
        }
        return new StoreException(op + " failed", e);
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException("close", e);
        }
    }
}
