package dev.chorus.signaling.store;

import dev.chorus.signaling.store.jdbc.JdbcStore;
import dev.chorus.signaling.store.jdbc.Migrations;
import dev.chorus.signaling.store.jdbc.SerialDatabase;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Embedded durable {@link Store} on SQLite, the default for a single node.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so every committed transaction's WAL frames are
 * fsync'ed before the commit returns; a write acknowledged by a method here survives kill -9 (proved by
 * {@code SqliteStoreCrashTest}). The database file is created with mode 0600 (SQLite gives the -wal/-shm files the
 * database file's mode), and an existing file is tightened to 0600 on open.
 *
 * <p>Schema: Flyway migrations ({@link Migrations}) run on open; a data dir from before Flyway (versioned by
 * {@code PRAGMA user_version}) is baselined at its version and upgraded in place. A database newer than this code is
 * refused rather than guessed at.
 *
 * <p>Concurrency: one connection, calls serialised ({@link SerialDatabase}). Every value is a bound parameter.
 */
public final class SqliteStore extends JdbcStore {
    public static final int SCHEMA_VERSION = Migrations.LATEST;

    private final Path file;

    private SqliteStore(SerialDatabase db, Path file) {
        super(db);
        this.file = file;
    }

    /** Opens or creates the database at {@code dbFile} and migrates it to {@link #SCHEMA_VERSION}. */
    public static SqliteStore open(Path dbFile) {
        Connection c = null;
        try {
            createPrivate(dbFile);
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            cfg.enforceForeignKeys(true);
            cfg.setBusyTimeout(5_000);
            SQLiteDataSource ds = new SQLiteDataSource(cfg);
            ds.setUrl("jdbc:sqlite:" + dbFile.toAbsolutePath());
            c = ds.getConnection();
            checkPragmas(c);
            Migrations.migrateSqlite(ds, c);
            return new SqliteStore(new SerialDatabase(c), dbFile);
        } catch (SQLException | IOException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException closeFailed) {
                    e.addSuppressed(closeFailed);
                }
            }
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot open store", e);
        }
    }

    private static void createPrivate(Path dbFile) throws IOException {
        Path dir = dbFile.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        var perms = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(dbFile, PosixFilePermissions.asFileAttribute(perms));
        } catch (FileAlreadyExistsException e) {
            Files.setPosixFilePermissions(dbFile, perms);
        }
    }

    private static void checkPragmas(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                if (!"wal".equalsIgnoreCase(rs.getString(1))) {
                    throw new SQLException("WAL journal mode not active");
                }
            }
            try (ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
                rs.next();
                if (rs.getInt(1) < 2) {
                    throw new SQLException("synchronous=FULL not active");
                }
            }
        }
    }

    @Override
    public int schemaVersion() {
        return database().run("schema version", sql -> sql.one("PRAGMA user_version", rs -> rs.getInt(1)).orElse(0));
    }

    /** Runs {@code PRAGMA integrity_check}; returns "ok" when the file is sound. */
    public String integrityCheck() {
        List<String> lines = database().run("integrity check", sql -> sql.list("PRAGMA integrity_check",
                rs -> rs.getString(1)));
        return String.join("\n", lines);
    }

    public Path file() {
        return file;
    }
}
