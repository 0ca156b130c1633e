package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.store.KeyRepository;
import dev.chorus.signaling.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** {@link KeyRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcKeys implements KeyRepository {
    private final Database db;

    JdbcKeys(Database db) {
        this.db = db;
    }

    @Override
    public void insertKey(ProjectKey k) {
        db.run("insert key", sql -> insertKeyRow(sql, k));
    }

    private static int insertKeyRow(Sql sql, ProjectKey k) throws SQLException {
        return sql.update("INSERT INTO keys (kid, project_id, alg, state, material, created_ms, retired_ms, revoked_ms,"
                        + " api_scopes) VALUES (?,?,?,?,?,?,?,?,?)", k.kid(), k.projectId(), k.algorithm().jwtName(),
                k.state().wire(), k.material(), k.createdAt(), k.retiredAt(), k.revokedAt(),
                ApiScope.toWire(k.apiScopes()));
    }

    @Override
    public Optional<ProjectKey> key(String kid) {
        return db.run("read key", sql -> keyRow(sql, kid));
    }

    private static Optional<ProjectKey> keyRow(Sql sql, String kid) throws SQLException {
        return sql.one("SELECT * FROM keys WHERE kid = ?", JdbcKeys::readKey, kid);
    }

    @Override
    public List<ProjectKey> keys(String projectId) {
        return db.run("list keys", sql -> sql.list("SELECT * FROM keys WHERE project_id = ? ORDER BY created_ms, kid",
                JdbcKeys::readKey, projectId));
    }

    @Override
    public Optional<ProjectKey> updateKeyState(String kid, KeyState newState, Instant at) {
        return db.transaction("update key state", sql -> transition(sql, kid, newState, at));
    }

    @Override
    public void rotateKey(ProjectKey newKey, String oldKid, Instant at) {
        db.transaction("rotate key", sql -> {
            Optional<ProjectKey> old = lockedKeyRow(sql, oldKid);
            if (old.isEmpty() || !old.get().projectId().equals(newKey.projectId())) {
                throw new StoreException.NotFound("no such key");
            }
            if (old.get().state() != KeyState.ACTIVE) {
                throw new StoreException.Conflict("only an active key can be rotated");
            }
            insertKeyRow(sql, newKey);
            return transition(sql, oldKid, KeyState.RETIRING, at);
        });
    }

    private static Optional<ProjectKey> transition(Sql sql, String kid, KeyState newState, Instant at)
            throws SQLException {
        Optional<ProjectKey> current = lockedKeyRow(sql, kid);
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

    /**
     * The key's row, locked for the rest of the transaction where the database has row locks (a no-op statement
     * on SQLite, whose single writer serialises transactions anyway), so two nodes moving one key cannot both act
     * on the state they read.
     */
    private static Optional<ProjectKey> lockedKeyRow(Sql sql, String kid) throws SQLException {
        sql.update("UPDATE keys SET kid = kid WHERE kid = ?", kid);
        return keyRow(sql, kid);
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
}
