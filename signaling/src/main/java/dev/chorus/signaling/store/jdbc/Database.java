package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the repositories' SQL runs: lends a connection for one unit of work and turns JDBC failures into
 * {@link StoreException}s named after the operation. {@link SerialDatabase} is SQLite's (one connection, one caller
 * at a time); {@link PooledDatabase} is PostgreSQL's (a pool shared by concurrent callers).
 */
public abstract class Database implements AutoCloseable {

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Sql sql) throws SQLException;
    }

    /** Runs {@code work} with each statement committed on its own (autocommit). */
    public abstract <T> T run(String op, Work<T> work);

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public abstract <T> T transaction(String op, Work<T> work);

    /** True when the database answers a trivial query now. */
    public abstract boolean reachable();

    @Override
    public abstract void close();

    /** Commits or rolls back {@code work} on {@code conn}, restoring autocommit. */
    static <T> T inTransaction(Connection conn, Work<T> work) throws SQLException {
        conn.setAutoCommit(false);
        try {
            T result = work.run(new Sql(conn));
            conn.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                conn.rollback();
            } catch (SQLException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw e;
        } finally {
            try {
                conn.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection: the pool (or the next open) replaces it
            }
        }
    }
}
