package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite's {@link Database}: one connection, callers serialised by a lock (SQLite has one writer anyway; the control
 * plane's write rate is tiny). A constraint violation (SQLITE_CONSTRAINT and its extended codes) is a
 * {@link StoreException.Conflict}.
 */
public final class SerialDatabase extends Database {
    private final Connection conn;
    private final Object lock = new Object();

    public SerialDatabase(Connection conn) {
        this.conn = conn;
    }

    @Override
    public <T> T run(String op, Work<T> work) {
        synchronized (lock) {
            try {
                return work.run(new Sql(conn));
            } catch (SQLException e) {
                throw translate(op, e);
            }
        }
    }

    @Override
    public <T> T transaction(String op, Work<T> work) {
        synchronized (lock) {
            try {
                return inTransaction(conn, work);
            } catch (SQLException e) {
                throw translate(op, e);
            }
        }
    }

    @Override
    public boolean reachable() {
        synchronized (lock) {
            try (Statement st = conn.createStatement()) {
                st.execute("SELECT 1");
                return true;
            } catch (SQLException e) {
                return false;
            }
        }
    }

    private static StoreException translate(String op, SQLException e) {
        if ((e.getErrorCode() & 0xff) == 19) { // SQLITE_CONSTRAINT: unique/primary key/foreign key violations
            return new StoreException.Conflict(op + ": constraint violated");
        }
        return new StoreException(op + " failed", e);
    }

    @Override
    public void close() {
        synchronized (lock) {
            try {
                conn.close();
            } catch (SQLException e) {
                throw new StoreException("close", e);
            }
        }
    }
}
