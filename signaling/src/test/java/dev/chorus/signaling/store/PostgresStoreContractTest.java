package dev.chorus.signaling.store;

import dev.chorus.common.testing.ThrowawayPostgres;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a real PostgreSQL (started by the test in a temp dir): every test gets its own database; a
 * second "node" is a second store with its own connection pool on that database.
 */
class PostgresStoreContractTest extends StoreContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static ThrowawayPostgres pg;
    private String url;

    @BeforeAll
    static void startPostgres() {
        pg = ThrowawayPostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected Store openFresh() {
        url = pg.createDatabase("contract_" + DATABASES.incrementAndGet());
        return openAnother();
    }

    @Override
    protected Store openAnother() {
        return PostgresStore.open(StoreSettings.postgres(url, pg.user(), pg.passwordFile()));
    }
}
