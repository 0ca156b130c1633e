package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.AuditAnchorRepository;
import dev.chorus.signaling.store.AuditHead;
import java.time.Instant;
import java.util.Optional;

/** {@link AuditAnchorRepository} in SQL shared by SQLite and PostgreSQL: one row per chain. */
final class JdbcAuditAnchor implements AuditAnchorRepository {
    private final Database db;

    JdbcAuditAnchor(Database db) {
        this.db = db;
    }

    @Override
    public Optional<AuditHead> auditHead(String chain) {
        return db.run("read audit head", sql -> sql.one("SELECT last_id, last_hash FROM audit_heads WHERE chain = ?",
                rs -> new AuditHead(rs.getLong(1), rs.getString(2)), chain));
    }

    @Override
    public java.util.Map<String, AuditHead> auditHeads() {
        java.util.Map<String, AuditHead> heads = new java.util.TreeMap<>();
        db.run("read audit heads", sql -> sql.list("SELECT chain, last_id, last_hash FROM audit_heads",
                rs -> java.util.Map.entry(rs.getString(1), new AuditHead(rs.getLong(2), rs.getString(3)))))
                .forEach(e -> heads.put(e.getKey(), e.getValue()));
        return heads;
    }

    @Override
    public void putAuditHead(String chain, AuditHead head, Instant at) {
        db.run("put audit head", sql -> sql.update("INSERT INTO audit_heads (chain, last_id, last_hash, at_ms)"
                + " VALUES (?,?,?,?) ON CONFLICT (chain) DO UPDATE SET last_id = excluded.last_id,"
                + " last_hash = excluded.last_hash, at_ms = excluded.at_ms", chain, head.lastId(), head.lastHash(),
                at));
    }
}
