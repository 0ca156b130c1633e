package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.RoomClaim;
import dev.chorus.signaling.store.RoomClaims;
import dev.chorus.signaling.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@link RoomClaims} in SQL shared by SQLite and PostgreSQL. Atomicity comes from the primary key on (project, room):
 * the claiming insert does nothing when another node's row exists or is being inserted (PostgreSQL waits for the
 * other transaction and then skips), so exactly one claim wins.
 */
final class JdbcRoomClaims implements RoomClaims {
    private final Database db;

    JdbcRoomClaims(Database db) {
        this.db = db;
    }

    @Override
    public RoomClaim claim(String projectId, String roomId, String nodeId, Instant at) {
        for (int attempt = 0; attempt < 3; attempt++) { // bounded: the winner may release between insert and read
            db.run("claim room", sql -> sql.update("INSERT INTO room_claims (project_id, room_id, node_id,"
                    + " claimed_ms) VALUES (?,?,?,?) ON CONFLICT (project_id, room_id) DO NOTHING", projectId, roomId,
                    nodeId, at));
            // read after the insert committed: the winner's row is visible whichever insert won
            Optional<RoomClaim> owner = owner(projectId, roomId);
            if (owner.isPresent()) {
                return owner.get();
            }
        }
        throw new StoreException("claim room: the claim was released while claiming");
    }

    @Override
    public Optional<RoomClaim> owner(String projectId, String roomId) {
        return db.run("read room claim", sql -> sql.one("SELECT * FROM room_claims WHERE project_id = ?"
                + " AND room_id = ?", JdbcRoomClaims::read, projectId, roomId));
    }

    @Override
    public boolean release(String projectId, String roomId, String nodeId) {
        return db.run("release room", sql -> sql.update("DELETE FROM room_claims WHERE project_id = ? AND room_id = ?"
                + " AND node_id = ?", projectId, roomId, nodeId)) == 1;
    }

    @Override
    public List<RoomClaim> claimsOf(String nodeId) {
        return db.run("list room claims", sql -> sql.list("SELECT * FROM room_claims WHERE node_id = ?"
                + " ORDER BY claimed_ms, project_id, room_id", JdbcRoomClaims::read, nodeId));
    }

    private static RoomClaim read(ResultSet rs) throws SQLException {
        return new RoomClaim(rs.getString("project_id"), rs.getString("room_id"), rs.getString("node_id"),
                Instant.ofEpochMilli(rs.getLong("claimed_ms")));
    }
}
