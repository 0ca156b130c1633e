package dev.chorus.signaling.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.common.testing.ThrowawayPostgres;
import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditAnchor;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.project.Project;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away under a running store and comes back: calls fail fast with the typed
 * {@link StoreException.Unavailable}, the availability probe turns false, the audit trail keeps appending, and
 * everything recovers without reopening the store (the pool reconnects).
 */
class PostgresOutageTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    @TempDir Path dir;
    private ThrowawayPostgres pg;
    private PostgresStore store;

    @BeforeEach
    void start() {
        pg = ThrowawayPostgres.start();
        store = PostgresStore.open(StoreSettings.postgres(pg.jdbcUrl(), pg.user(), pg.passwordFile())
                .withPool(4, Duration.ofMillis(500)));
        store.createProject(Project.withDefaults("acme", "Acme", T0));
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        pg.close();
    }

    @Test
    void callsFailTypedWhileTheDatabaseIsDownAndSucceedAgainWithoutReopening() throws Exception {
        try (StoreAvailability availability = StoreAvailability.start(store, Duration.ofMillis(200))) {
            assertThat(availability.available()).isTrue();
            pg.stop();

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> store.project("acme")).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("read project");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(() -> store.revokeToken("acme", "j1", T0)).isInstanceOf(StoreException.Unavailable.class);
            assertThat(store.reachable()).isFalse();
            assertThat(within(Duration.ofSeconds(10), () -> !availability.available())).isTrue();

            pg.startAgain();
            assertThat(within(Duration.ofSeconds(20), () -> store.reachable())).isTrue();
            assertThat(store.project("acme")).isPresent();
            store.revokeToken("acme", "j1", T0.plusSeconds(60));
            assertThat(store.isTokenRevoked("acme", "j1")).isTrue();
            assertThat(within(Duration.ofSeconds(10), availability::available)).isTrue();
        }
    }

    @Test
    void theAuditTrailKeepsAppendingWhileTheAnchorCannotBeWrittenAndTheAnchorCatchesUpAfter() throws Exception {
        AuditLog audit = AuditLog.open(dir.resolve("audit.log"), Clock.systemUTC(), AuditAnchor.in(store,
                Clock.systemUTC()));
        try {
            audit.append(event());
            assertThat(store.auditHead().orElseThrow().lastId()).isEqualTo(audit.lastId());
            pg.stop();
            long before = audit.lastId();
            for (int i = 0; i < 3; i++) {
                audit.append(event()); // never throws: the line is on disk, the anchor waits
            }
            assertThat(audit.lastId()).isEqualTo(before + 3);
            pg.startAgain();
            assertThat(within(Duration.ofSeconds(20), () -> store.reachable())).isTrue();
            Thread.sleep(5_100); // past the anchor's retry pause
            audit.append(event());
            assertThat(store.auditHead().orElseThrow().lastId()).isEqualTo(audit.lastId());
        } finally {
            audit.close();
        }
    }

    private static AuditEvent event() {
        return AuditEvent.success("acme", "op", "127.0.0.1", AuditAction.JOIN, "room:r", Map.of());
    }

    /** Polls {@code condition} until it holds or {@code limit} passes (bounded). */
    private static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
