package dev.chorus.signaling.store;

import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration 4 (3 → 4) on a data dir written before API scopes and the operator existed: the old keys keep what they could
 * do then (every route group of that time), a key inserted afterwards holds exactly its own scopes, and the
 * operator table starts empty.
 */
class ApiScopeMigrationTest {
    @TempDir Path tmp;

    @Test
    void keysFromASchema3StoreGetEveryScopeOfThatTimeAndNewKeysOnlyTheirOwn() throws Exception {
        Path db = tmp.resolve("chorus.db");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        try (Connection c = LegacySqliteDataDir.create(db, 3); Statement st = c.createStatement()) {
            st.execute("INSERT INTO projects VALUES ('acme', 'Acme', 3600, 50, 100, 'room:join', '{}', 1, 0, 0)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO keys (kid, project_id, alg, state, material,"
                    + " created_ms) VALUES ('k_old', 'acme', 'HS256', 'active', ?, 0)")) {
                ps.setBytes(1, "old-secret".getBytes());
                ps.executeUpdate();
            }
        }
        try (SqliteStore store = SqliteStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(SqliteStore.SCHEMA_VERSION).isGreaterThanOrEqualTo(4);
            assertThat(store.key("k_old").orElseThrow().apiScopes()).containsExactlyInAnyOrder(
                    ApiScope.TOKENS_MINT, ApiScope.KEYS_ADMIN, ApiScope.ROOMS_ADMIN, ApiScope.REVOCATIONS_ADMIN,
                    ApiScope.ACL_ADMIN, ApiScope.WEBHOOKS_ADMIN);
            store.insertKey(ProjectKey.active("k_new", "acme", KeyAlgorithm.HS256, "s".getBytes(), t)
                    .withApiScopes(Set.of(ApiScope.TOKENS_MINT)));
            store.insertKey(ProjectKey.active("k_none", "acme", KeyAlgorithm.HS256, "s".getBytes(), t));
            assertThat(store.key("k_new").orElseThrow().apiScopes()).containsExactly(ApiScope.TOKENS_MINT);
            assertThat(store.key("k_none").orElseThrow().apiScopes()).isEmpty();
            assertThat(store.operatorCredential()).isEmpty();
            OperatorCredential cred = OperatorCredential.create("a-long-enough-operator-secret", t);
            store.putOperatorCredential(cred);
            assertThat(store.operatorCredential()).contains(cred);
            assertThat(store.operatorCredential().orElseThrow().matches("a-long-enough-operator-secret")).isTrue();
            assertThat(store.operatorCredential().orElseThrow().matches("a-long-enough-operator-secreT")).isFalse();
            assertThat(store.project("acme")).map(Project::name).contains("Acme");
        }
    }
}
