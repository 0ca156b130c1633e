package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.RoomState;
import dev.chorus.signaling.store.RoomRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@link RoomRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcRooms implements RoomRepository {
    private final Database db;

    JdbcRooms(Database db) {
        this.db = db;
    }

    @Override
    public boolean createRoom(Room r) {
        return db.run("create room", sql -> sql.update("INSERT INTO rooms (project_id, room_id, state, created_ms,"
                        + " closed_ms) VALUES (?,?,?,?,?) ON CONFLICT (project_id, room_id) DO NOTHING",
                r.projectId(), r.roomId(), r.state().wire(), r.createdAt(), r.closedAt())) == 1;
    }

    @Override
    public Optional<Room> room(String projectId, String roomId) {
        return db.run("read room", sql -> roomRow(sql, projectId, roomId));
    }

    private static Optional<Room> roomRow(Sql sql, String projectId, String roomId) throws SQLException {
        return sql.one("SELECT * FROM rooms WHERE project_id = ? AND room_id = ?", JdbcRooms::readRoom, projectId,
                roomId);
    }

    @Override
    public List<Room> rooms(String projectId) {
        return db.run("list rooms", sql -> sql.list("SELECT * FROM rooms WHERE project_id = ?"
                + " ORDER BY created_ms, room_id", JdbcRooms::readRoom, projectId));
    }

    @Override
    public int countOpenRooms(String projectId) {
        return db.run("count rooms", sql -> sql.one("SELECT count(*) FROM rooms WHERE project_id = ?"
                + " AND state = 'open'", rs -> rs.getInt(1), projectId)).orElse(0);
    }

    @Override
    public Optional<Room> closeRoom(String projectId, String roomId, Instant at) {
        return db.transaction("close room", sql -> {
            sql.update("UPDATE rooms SET state = 'closed', closed_ms = ? WHERE project_id = ? AND room_id = ?"
                    + " AND state = 'open'", at, projectId, roomId);
            return roomRow(sql, projectId, roomId);
        });
    }

    private static Room readRoom(ResultSet rs) throws SQLException {
        return new Room(rs.getString("project_id"), rs.getString("room_id"),
                RoomState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
                Instant.ofEpochMilli(rs.getLong("created_ms")), Sql.instant(rs, "closed_ms"));
    }
}
