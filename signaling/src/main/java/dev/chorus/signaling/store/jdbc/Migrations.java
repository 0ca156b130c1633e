package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Versioned schema migrations for both databases with one maintained tool, Flyway: the scripts are
 * {@code db/migration/sqlite/V<n>__*.sql} and {@code db/migration/postgresql/V<n>__*.sql} (PostgreSQL starts at
 * version 5, the schema SQLite had when PostgreSQL support came). A released script is never edited; a change is a
 * new version in both folders.
 *
 * <p>SQLite data dirs from before Flyway recorded their version in {@code PRAGMA user_version} (1-5): such a
 * database is baselined at that version (Flyway records it without running anything) and only the newer scripts
 * run, so it upgrades in place. After migrating, {@code user_version} is set to the new version too, so an older
 * Chorus refuses the file instead of guessing at it. A database newer than this code is refused here.
 */
public final class Migrations {
    /** The schema version this code writes and reads. */
    public static final int LATEST = 6;
    private static final String HISTORY = "flyway_schema_history";

    private Migrations() {}

    /** Migrates an SQLite database to {@link #LATEST}; {@code probe} is an open connection to the same file. */
    public static int migrateSqlite(DataSource ds, Connection probe) {
        try {
            int legacy = userVersion(probe);
            boolean managed = tableExists(probe, HISTORY);
            if (legacy > LATEST) {
                throw newer(legacy);
            }
            if (managed && legacy == LATEST) {
                return LATEST; // nothing to do; skips Flyway's classpath scan on every open
            }
            var config = Flyway.configure().dataSource(ds).locations("classpath:db/migration/sqlite")
                    .cleanDisabled(true);
            if (!managed && legacy > 0) {
                config = config.baselineOnMigrate(true).baselineVersion(Integer.toString(legacy))
                        .baselineDescription("schema " + legacy + " from PRAGMA user_version (before Flyway)");
            }
            int version = migrate(config.load());
            try (Statement st = probe.createStatement()) {
                st.execute("PRAGMA user_version = " + version); // an int we own, not input
            }
            return version;
        } catch (SQLException e) {
            throw new StoreException("migrate store", e);
        }
    }

    /** Migrates a PostgreSQL database to {@link #LATEST} (Flyway holds an advisory lock: nodes may start at once). */
    public static int migratePostgres(DataSource ds) {
        return migrate(Flyway.configure().dataSource(ds).locations("classpath:db/migration/postgresql")
                .cleanDisabled(true).load());
    }

    private static int migrate(Flyway flyway) {
        try {
            MigrationInfo current = flyway.info().current();
            if (current != null && current.getVersion() != null
                    && current.getVersion().getMajor().intValue() > LATEST) {
                throw newer(current.getVersion().getMajor().intValue());
            }
            MigrateResult result = flyway.migrate();
            MigrationInfo now = flyway.info().current();
            int version = now == null || now.getVersion() == null ? 0 : now.getVersion().getMajor().intValue();
            if (version != LATEST) {
                throw new StoreException("store schema is at " + version + " after migrating, expected " + LATEST
                        + " (" + result.migrationsExecuted + " migrations ran)");
            }
            return version;
        } catch (FlywayException e) {
            throw new StoreException("migrate store: " + e.getMessage(), e);
        }
    }

    /** The version Flyway recorded, or 0 for an empty database. */
    public static int currentVersion(Sql sql) throws SQLException {
        return sql.one("SELECT version FROM " + HISTORY + " WHERE success ORDER BY installed_rank DESC", rs -> {
            String v = rs.getString(1);
            return v == null ? 0 : Integer.parseInt(v);
        }).orElse(0);
    }

    private static StoreException newer(int version) {
        return new StoreException("database schema " + version + " is newer than this Chorus (" + LATEST + ")");
    }

    private static int userVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            return rs.next();
        }
    }
}
