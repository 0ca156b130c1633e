package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.SessionSlots;

/**
 * {@link SessionSlots} in SQL shared by SQLite and PostgreSQL. Each key has a row in {@code session_keys} that an
 * acquiring transaction locks first (an UPDATE takes PostgreSQL's row lock until commit; SQLite's single writer
 * serialises anyway), so counting the held slots and inserting one is atomic: two nodes admitting the same token at
 * the same instant cannot both see a free slot.
 */
final class JdbcSessionSlots implements SessionSlots {
    private final Database db;

    JdbcSessionSlots(Database db) {
        this.db = db;
    }

    @Override
    public boolean acquire(String projectId, String key, String sessionId, String nodeId, int max) {
        if (max < 1) {
            return false;
        }
        return db.transaction("acquire session slot", sql -> {
            sql.update("INSERT INTO session_keys (project_id, slot_key) VALUES (?,?) ON CONFLICT DO NOTHING",
                    projectId, key);
            sql.update("UPDATE session_keys SET slot_key = slot_key WHERE project_id = ? AND slot_key = ?", projectId,
                    key);
            if (sql.one("SELECT 1 FROM session_slots WHERE project_id = ? AND slot_key = ? AND session_id = ?",
                    rs -> true, projectId, key, sessionId).isPresent()) {
                return true;
            }
            int held = sql.one("SELECT count(*) FROM session_slots WHERE project_id = ? AND slot_key = ?",
                    rs -> rs.getInt(1), projectId, key).orElse(0);
            if (held >= max) {
                return false;
            }
            sql.update("INSERT INTO session_slots (project_id, slot_key, session_id, node_id) VALUES (?,?,?,?)",
                    projectId, key, sessionId, nodeId);
            return true;
        });
    }

    @Override
    public boolean release(String projectId, String key, String sessionId) {
        return db.run("release session slot", sql -> sql.update("DELETE FROM session_slots WHERE project_id = ?"
                + " AND slot_key = ? AND session_id = ?", projectId, key, sessionId)) == 1;
    }

    @Override
    public int held(String projectId, String key) {
        return db.run("count session slots", sql -> sql.one("SELECT count(*) FROM session_slots WHERE project_id = ?"
                + " AND slot_key = ?", rs -> rs.getInt(1), projectId, key)).orElse(0);
    }
}
