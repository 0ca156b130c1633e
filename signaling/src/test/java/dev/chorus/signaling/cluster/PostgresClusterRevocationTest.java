package dev.chorus.signaling.cluster;

import dev.chorus.common.testing.ThrowawayPostgres;
import dev.chorus.signaling.testing.ControlFixture;
import java.util.function.Supplier;

/** {@link ClusterRevocationTest} over a real PostgreSQL (LISTEN/NOTIFY through pgjdbc). */
class PostgresClusterRevocationTest extends ClusterRevocationTest {
    ThrowawayPostgres pg;

    @Override
    Supplier<ClusterBus> startBusServer() {
        pg = ThrowawayPostgres.start();
        String url = pg.createDatabase("bus");
        return () -> new PostgresClusterBus(url, pg.user(), pg.password(), ControlFixture.AUDIENCE);
    }

    @Override void stopBusServer() { pg.stop(); }
    @Override void startBusServerAgain() { pg.startAgain(); }
    @Override void closeBusServer() { if (pg != null) pg.close(); }
    @Override String kind() { return "postgres"; }
}
