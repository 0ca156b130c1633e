package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ScopeOverride;
import dev.chorus.signaling.store.ScopeOverrideRepository;
import dev.chorus.signaling.store.StoreException;
import java.time.Instant;
import java.util.List;

/** {@link ScopeOverrideRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcScopeOverrides implements ScopeOverrideRepository {
    private final Database db;

    JdbcScopeOverrides(Database db) {
        this.db = db;
    }

    @Override
    public void putScopeOverride(ScopeOverride o) {
        db.run("put scope override", sql -> sql.update("INSERT INTO scope_overrides (project_id, room_id, identity,"
                + " scope, at_ms) VALUES (?,?,?,?,?) ON CONFLICT (project_id, room_id, identity, scope) DO NOTHING",
                o.projectId(), o.roomId(), o.identity(), o.scope().wire(), o.at()));
    }

    @Override
    public boolean deleteScopeOverride(String projectId, String roomId, String identity, Scope scope) {
        return db.run("delete scope override", sql -> sql.update("DELETE FROM scope_overrides WHERE project_id = ?"
                + " AND room_id = ? AND identity = ? AND scope = ?", projectId, roomId, identity, scope.wire())) > 0;
    }

    @Override
    public List<ScopeOverride> scopeOverrides(String projectId, String roomId) {
        return db.run("list scope overrides", sql -> sql.list("SELECT * FROM scope_overrides WHERE project_id = ?"
                + " AND room_id = ? ORDER BY at_ms, identity, scope", rs -> new ScopeOverride(
                rs.getString("project_id"), rs.getString("room_id"), rs.getString("identity"),
                Scope.fromWire(rs.getString("scope")).orElseThrow(() -> new StoreException("unknown scope in store")),
                Instant.ofEpochMilli(rs.getLong("at_ms"))), projectId, roomId));
    }
}
