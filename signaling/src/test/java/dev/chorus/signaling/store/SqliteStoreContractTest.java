package dev.chorus.signaling.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite: a second "node" is a second connection to the same file. */
class SqliteStoreContractTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    protected Store openFresh() {
        return SqliteStore.open(dir.resolve("chorus.db"));
    }

    @Override
    protected Store openAnother() {
        return SqliteStore.open(dir.resolve("chorus.db"));
    }
}
