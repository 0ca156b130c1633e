package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.NodeRecord;
import dev.chorus.signaling.store.NodeRegistry;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link NodeRegistry} in SQL shared by SQLite and PostgreSQL. */
final class JdbcNodeRegistry implements NodeRegistry {
    private final Database db;

    JdbcNodeRegistry(Database db) {
        this.db = db;
    }

    @Override
    public void register(NodeRecord n) {
        db.run("register node", sql -> sql.update("INSERT INTO nodes (node_id, public_url, media_address, capacity,"
                        + " current_load, heartbeat_ms) VALUES (?,?,?,?,?,?) ON CONFLICT (node_id) DO UPDATE"
                        + " SET public_url = excluded.public_url, media_address = excluded.media_address,"
                        + " capacity = excluded.capacity, current_load = excluded.current_load,"
                        + " heartbeat_ms = excluded.heartbeat_ms", n.nodeId(), n.publicUrl().toString(),
                n.mediaAddress(), n.capacity(), n.load(), n.heartbeatAt()));
    }

    @Override
    public boolean heartbeat(String nodeId, int load, Instant at) {
        if (load < 0) {
            throw new IllegalArgumentException("load must not be negative");
        }
        return db.run("node heartbeat", sql -> sql.update("UPDATE nodes SET current_load = ?, heartbeat_ms = ?"
                + " WHERE node_id = ?", load, at, nodeId)) == 1;
    }

    @Override
    public Optional<NodeRecord> node(String nodeId) {
        return db.run("read node", sql -> sql.one("SELECT * FROM nodes WHERE node_id = ?", JdbcNodeRegistry::read,
                nodeId));
    }

    @Override
    public List<NodeRecord> nodes() {
        return db.run("list nodes", sql -> sql.list("SELECT * FROM nodes ORDER BY node_id", JdbcNodeRegistry::read));
    }

    @Override
    public List<NodeRecord> liveNodes(Instant since) {
        return db.run("list live nodes", sql -> sql.list("SELECT * FROM nodes WHERE heartbeat_ms >= ?"
                + " ORDER BY capacity - current_load DESC, current_load, node_id", JdbcNodeRegistry::read, since));
    }

    @Override
    public boolean deregister(String nodeId) {
        return db.transaction("deregister node", sql -> {
            freeHoldings(sql, nodeId);
            return sql.update("DELETE FROM nodes WHERE node_id = ?", nodeId) == 1;
        });
    }

    @Override
    public List<String> expire(Instant heartbeatBefore) {
        return db.transaction("expire nodes", sql -> {
            List<String> stale = sql.list("SELECT node_id FROM nodes WHERE heartbeat_ms < ? ORDER BY node_id",
                    rs -> rs.getString(1), heartbeatBefore);
            for (String nodeId : stale) {
                freeHoldings(sql, nodeId);
                // the heartbeat condition again: a node that heartbeated meanwhile stays
                sql.update("DELETE FROM nodes WHERE node_id = ? AND heartbeat_ms < ?", nodeId, heartbeatBefore);
            }
            return stale;
        });
    }

    private static void freeHoldings(Sql sql, String nodeId) throws SQLException {
        sql.update("DELETE FROM room_claims WHERE node_id = ?", nodeId);
        sql.update("DELETE FROM session_slots WHERE node_id = ?", nodeId);
    }

    private static NodeRecord read(ResultSet rs) throws SQLException {
        return new NodeRecord(rs.getString("node_id"), URI.create(rs.getString("public_url")),
                rs.getString("media_address"), rs.getInt("capacity"), rs.getInt("current_load"),
                Instant.ofEpochMilli(rs.getLong("heartbeat_ms")));
    }
}
