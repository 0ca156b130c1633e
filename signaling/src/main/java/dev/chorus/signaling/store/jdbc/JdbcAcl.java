package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.store.AclRepository;
import java.time.Instant;
import java.util.List;

/** {@link AclRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcAcl implements AclRepository {
    private final Database db;

    JdbcAcl(Database db) {
        this.db = db;
    }

    @Override
    public void putAclEntry(AclEntry e) {
        db.run("put acl entry", sql -> sql.update("INSERT INTO acl_entries (project_id, subscriber, publisher, kind,"
                        + " track_id, effect, at_ms) VALUES (?,?,?,?,?,?,?) ON CONFLICT (project_id, subscriber,"
                        + " publisher, kind, track_id) DO UPDATE SET effect = excluded.effect, at_ms = excluded.at_ms",
                e.projectId(), e.subscriber(), e.publisher(), e.kind(), e.trackId(), e.effect().wire(), e.at()));
    }

    @Override
    public List<AclEntry> aclEntries(String projectId) {
        return db.run("list acl entries", sql -> sql.list("SELECT * FROM acl_entries WHERE project_id = ?"
                + " ORDER BY at_ms, subscriber, publisher, kind, track_id", rs -> new AclEntry(
                rs.getString("project_id"), rs.getString("subscriber"), rs.getString("publisher"),
                rs.getString("kind"), rs.getString("track_id"),
                "allow".equals(rs.getString("effect")) ? AclEntry.Effect.ALLOW : AclEntry.Effect.DENY,
                Instant.ofEpochMilli(rs.getLong("at_ms"))), projectId));
    }
}
