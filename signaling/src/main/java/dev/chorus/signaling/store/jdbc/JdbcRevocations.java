package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.RevocationRepository;
import java.time.Instant;
import java.util.Optional;

/** {@link RevocationRepository} in SQL shared by SQLite and PostgreSQL (upserts that only move forward). */
final class JdbcRevocations implements RevocationRepository {
    private final Database db;

    JdbcRevocations(Database db) {
        this.db = db;
    }

    @Override
    public void revokeToken(String projectId, String jti, Instant expiresAt) {
        db.run("revoke token", sql -> sql.update("INSERT INTO revoked_tokens (project_id, jti, expires_ms)"
                + " VALUES (?,?,?) ON CONFLICT (project_id, jti) DO UPDATE SET expires_ms = CASE"
                + " WHEN excluded.expires_ms > revoked_tokens.expires_ms THEN excluded.expires_ms"
                + " ELSE revoked_tokens.expires_ms END", projectId, jti, expiresAt));
    }

    @Override
    public boolean isTokenRevoked(String projectId, String jti) {
        return db.run("read token revocation", sql -> sql.one("SELECT 1 FROM revoked_tokens WHERE project_id = ?"
                + " AND jti = ?", rs -> true, projectId, jti)).isPresent();
    }

    @Override
    public void revokeSubject(String projectId, String subject, Instant issuedBefore) {
        db.run("revoke subject", sql -> sql.update("INSERT INTO subject_watermarks (project_id, subject, before_ms)"
                + " VALUES (?,?,?) ON CONFLICT (project_id, subject) DO UPDATE SET before_ms = CASE"
                + " WHEN excluded.before_ms > subject_watermarks.before_ms THEN excluded.before_ms"
                + " ELSE subject_watermarks.before_ms END", projectId, subject, issuedBefore));
    }

    @Override
    public Optional<Instant> subjectWatermark(String projectId, String subject) {
        return db.run("read subject watermark", sql -> sql.one("SELECT before_ms FROM subject_watermarks"
                + " WHERE project_id = ? AND subject = ?", rs -> Instant.ofEpochMilli(rs.getLong(1)), projectId,
                subject));
    }

    @Override
    public java.util.Set<String> revokedTokens(String projectId) {
        return new java.util.HashSet<>(db.run("read token revocations", sql -> sql.list(
                "SELECT jti FROM revoked_tokens WHERE project_id = ?", rs -> rs.getString(1), projectId)));
    }

    @Override
    public java.util.Map<String, Instant> subjectWatermarks(String projectId) {
        java.util.Map<String, Instant> m = new java.util.HashMap<>();
        db.run("read subject watermarks", sql -> sql.list("SELECT subject, before_ms FROM subject_watermarks"
                + " WHERE project_id = ?", rs -> java.util.Map.entry(rs.getString(1),
                Instant.ofEpochMilli(rs.getLong(2))), projectId)).forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @Override
    public int purgeExpiredRevocations(Instant now) {
        return db.run("purge revocations", sql -> sql.update("DELETE FROM revoked_tokens WHERE expires_ms < ?", now));
    }
}
