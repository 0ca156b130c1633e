package dev.chorus.signaling.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.store.jdbc.Migrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data dir written before Flyway (schema 5, versioned by {@code PRAGMA user_version} only) upgrades in place:
 * Flyway baselines it at 5 without touching its tables, runs only the newer scripts, and the data stays.
 */
class LegacyDataDirUpgradeTest {
    @TempDir Path tmp;

    @Test
    void aSchema5DataDirIsBaselinedAndUpgradedInPlaceKeepingItsData() throws Exception {
        Path db = tmp.resolve("chorus.db");
        try (Connection c = LegacySqliteDataDir.create(db, 5); Statement st = c.createStatement()) {
            st.execute("INSERT INTO projects VALUES ('acme', 'Acme', 3600, 50, 100, 'room:join', '{}', 1, 0, 0)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO keys (kid, project_id, alg, state, material,"
                    + " created_ms, api_scopes) VALUES ('k_1', 'acme', 'HS256', 'active', ?, 0, 'tokens:mint')")) {
                ps.setBytes(1, "secret".getBytes());
                ps.executeUpdate();
            }
            st.execute("INSERT INTO audit_head VALUES (1, 42, 'abc', 7)");
        }
        try (SqliteStore store = SqliteStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(Migrations.LATEST);
            assertThat(store.project("acme")).isPresent();
            assertThat(store.key("k_1")).map(ProjectKey::kid).contains("k_1");
            assertThat(store.auditHead()).contains(new AuditHead(42, "abc"));
            store.insertKey(ProjectKey.active("k_2", "acme", KeyAlgorithm.HS256, new byte[] {1}, Instant.EPOCH));
            assertThat(store.roomClaims().claim("acme", "r", "node-a", Instant.EPOCH).nodeId()).isEqualTo("node-a");
        }
        assertThat(history(db)).containsExactly("5:BASELINE", "6:SQL");
        try (SqliteStore again = SqliteStore.open(db)) { // a second open finds nothing to do
            assertThat(again.keys("acme")).hasSize(2);
        }
        assertThat(history(db)).containsExactly("5:BASELINE", "6:SQL");
    }

    @Test
    void aFreshDataDirRunsEveryScriptFromOne() throws Exception {
        Path db = tmp.resolve("fresh.db");
        try (SqliteStore store = SqliteStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(Migrations.LATEST);
        }
        assertThat(history(db)).containsExactly("1:SQL", "2:SQL", "3:SQL", "4:SQL", "5:SQL", "6:SQL");
    }

    private static List<String> history(Path db) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, type FROM flyway_schema_history WHERE version IS NOT NULL"
                     + " ORDER BY installed_rank")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + ":" + rs.getString(2));
            }
        }
        return rows;
    }
}
