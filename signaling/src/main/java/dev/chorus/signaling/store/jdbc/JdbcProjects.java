package dev.chorus.signaling.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.store.ProjectRepository;
import dev.chorus.signaling.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link ProjectRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcProjects implements ProjectRepository {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tables holding rows of a project, children first (constants of this class, never input). */
    private static final List<String> PROJECT_TABLES = List.of("acl_entries", "scope_overrides", "access_policies",
            "rooms", "keys", "revoked_tokens", "subject_watermarks", "webhook_endpoints", "room_claims",
            "session_slots", "session_keys");

    private final Database db;

    JdbcProjects(Database db) {
        this.db = db;
    }

    @Override
    public void createProject(Project p) {
        db.run("create project", sql -> sql.update("INSERT INTO projects (id, name, max_token_ttl_s, max_participants,"
                + " max_rooms, scope_ceiling, roles, hs256_join_tokens, auto_create_rooms, created_ms)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?)", projectColumns(p, p.createdAt())));
    }

    @Override
    public void updateProject(Project p) {
        int changed = db.run("update project", sql -> sql.update("UPDATE projects SET id = ?, name = ?,"
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
    public Optional<Project> project(String projectId) {
        return db.run("read project", sql -> sql.one("SELECT * FROM projects WHERE id = ?", JdbcProjects::readProject,
                projectId));
    }

    @Override
    public List<Project> projects() {
        return db.run("list projects", sql -> sql.list("SELECT * FROM projects ORDER BY created_ms, id",
                JdbcProjects::readProject));
    }

    @Override
    public void deleteProject(String projectId) {
        db.transaction("delete project", sql -> {
            for (String table : PROJECT_TABLES) {
                sql.update("DELETE FROM " + table + " WHERE project_id = ?", projectId);
            }
            if (sql.update("DELETE FROM projects WHERE id = ?", projectId) == 0) {
                throw new StoreException.NotFound("no such project");
            }
            return null;
        });
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
}
