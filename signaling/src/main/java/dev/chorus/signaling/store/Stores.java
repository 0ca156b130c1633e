package dev.chorus.signaling.store;

import java.nio.file.Path;

/** Opens the store the settings name: SQLite in the data dir, or the shared PostgreSQL database. */
public final class Stores {
    /** The SQLite database's file name in the data dir. */
    public static final String SQLITE_FILE = "chorus.db";

    private Stores() {}

    public static Store open(StoreSettings settings, Path dataDir) {
        return switch (settings.type()) {
            case SQLITE -> SqliteStore.open(dataDir.resolve(SQLITE_FILE));
            case POSTGRES -> PostgresStore.open(settings);
        };
    }
}
