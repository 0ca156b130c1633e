package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.AuditAnchorRepository;
import dev.chorus.signaling.store.AuditHead;
import java.time.Instant;
import java.util.Optional;

/** {@link AuditAnchorRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcAuditAnchor implements AuditAnchorRepository {
    private final Database db;

    JdbcAuditAnchor(Database db) {
        this.db = db;
    }

    @Override
    public Optional<AuditHead> auditHead() {
        return db.run("read audit head", sql -> sql.one("SELECT last_id, last_hash FROM audit_head WHERE singleton = 1",
                rs -> new AuditHead(rs.getLong(1), rs.getString(2))));
    }

    @Override
    public void putAuditHead(AuditHead head, Instant at) {
        db.run("put audit head", sql -> sql.update("INSERT INTO audit_head (singleton, last_id, last_hash, at_ms)"
                + " VALUES (1,?,?,?) ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id,"
                + " last_hash = excluded.last_hash, at_ms = excluded.at_ms", head.lastId(), head.lastHash(), at));
    }
}
