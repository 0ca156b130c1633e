package dev.chorus.signaling.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.chorus.signaling.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;

/**
 * PostgreSQL's {@link Database}: a HikariCP pool, one borrowed connection per unit of work, so concurrent callers
 * run concurrently and atomicity comes from the database (constraints, row locks), not from this process.
 *
 * <p>Errors by SQLSTATE: class 23 (integrity constraint) is a {@link StoreException.Conflict}; class 08 (connection
 * exception), 57P01-57P03 (server shutting down or starting), 53300 (too many connections) and the pool's timeout
 * waiting for a connection are {@link StoreException.Unavailable}. The pool drops broken connections and opens new
 * ones when the database is back, so the store recovers without a restart.
 */
public final class PooledDatabase extends Database {
    private final HikariDataSource pool;

    public PooledDatabase(HikariDataSource pool) {
        this.pool = pool;
    }

    @Override
    public <T> T run(String op, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(new Sql(c));
        } catch (SQLException e) {
            throw translate(op, e);
        }
    }

    @Override
    public <T> T transaction(String op, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return inTransaction(c, work);
        } catch (SQLException e) {
            throw translate(op, e);
        }
    }

    @Override
    public boolean reachable() {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    static StoreException translate(String op, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("23")) {
            return new StoreException.Conflict(op + ": constraint violated");
        }
        if (unavailable(e, state)) {
            return new StoreException.Unavailable(op + ": database unavailable", e);
        }
        return new StoreException(op + " failed", e);
    }

    private static boolean unavailable(SQLException e, String state) {
        return e instanceof SQLTransientConnectionException || state.startsWith("08") || state.equals("57P01")
                || state.equals("57P02") || state.equals("57P03") || state.equals("53300");
    }

    @Override
    public void close() {
        pool.close();
    }
}
