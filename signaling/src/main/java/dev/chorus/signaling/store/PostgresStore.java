package dev.chorus.signaling.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chorus.signaling.store.jdbc.JdbcStore;
import dev.chorus.signaling.store.jdbc.Migrations;
import dev.chorus.signaling.store.jdbc.PooledDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link Store} on PostgreSQL, shared by the nodes of a cluster (docs/cluster.md). Connections come from a HikariCP
 * pool ({@link PooledDatabase}); the schema is migrated with Flyway on open (nodes starting together serialise on
 * Flyway's lock). Durability is PostgreSQL's: a method returns after the transaction committed.
 *
 * <p>The database may go away while the node runs: calls then fail fast with {@link StoreException.Unavailable}
 * (after at most {@link StoreSettings#connectTimeout()}), and the pool opens new connections once it is back, so
 * the node recovers without a restart. Opening the store needs the database (a node does not start without it).
 */
public final class PostgresStore extends JdbcStore {

    private PostgresStore(PooledDatabase db) {
        super(db);
    }

    public static PostgresStore open(StoreSettings settings) {
        if (settings.type() != StoreSettings.Type.POSTGRES) {
            throw new IllegalArgumentException("not a postgres store setting");
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(settings.url());
        cfg.setUsername(settings.user());
        if (settings.passwordFile() != null) {
            cfg.setPassword(readPassword(settings.passwordFile()));
        }
        cfg.setMaximumPoolSize(settings.poolSize());
        cfg.setMinimumIdle(Math.min(2, settings.poolSize()));
        cfg.setConnectionTimeout(Math.max(250, settings.connectTimeout().toMillis()));
        cfg.setValidationTimeout(Math.max(250, Math.min(settings.connectTimeout().toMillis(), 1_000)));
        cfg.setPoolName("chorus-store");
        // start even while the database is briefly unreachable? No: a node must not start without its store.
        cfg.setInitializationFailTimeout(Math.max(1, settings.connectTimeout().toMillis()));
        // fail a statement on a dead socket instead of hanging on TCP retransmits
        cfg.addDataSourceProperty("socketTimeout", "30");
        cfg.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
        cfg.addDataSourceProperty("ApplicationName", "chorus");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new StoreException.Unavailable("cannot open store: database unreachable", e);
        }
        try {
            Migrations.migratePostgres(pool);
            return new PostgresStore(new PooledDatabase(pool));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static String readPassword(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new StoreException("cannot read store.passwordFile", e);
        }
    }

    @Override
    public int schemaVersion() {
        return database().run("schema version", Migrations::currentVersion);
    }
}
