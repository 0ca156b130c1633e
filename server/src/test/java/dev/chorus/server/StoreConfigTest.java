package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store:} in the configuration: SQLite by default, PostgreSQL from the file or the environment. */
class StoreConfigTest {
    @TempDir Path dir;

    @Test
    void theDefaultIsTheEmbeddedSqliteStore() throws Exception {
        ChorusConfig cfg = ConfigLoader.load(null, Map.of());
        assertThat(StoreWiring.settings(cfg).type()).isEqualTo(StoreSettings.Type.SQLITE);
    }

    @Test
    void postgresFromTheEnvironmentWithThePasswordInAFile() throws Exception {
        Path password = Files.writeString(dir.resolve("pg-password"), "s3cret\n");
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_STORE_TYPE", "postgres",
                "CHORUS_STORE_URL", "jdbc:postgresql://127.0.0.1:5432/chorus", "CHORUS_STORE_USER", "chorus",
                "CHORUS_STORE_PASSWORD_FILE", password.toString(), "CHORUS_STORE_POOL_MAX_SIZE", "4",
                "CHORUS_STORE_POOL_CONNECT_TIMEOUT", "500ms"));
        StoreSettings s = StoreWiring.settings(cfg);
        assertThat(s.type()).isEqualTo(StoreSettings.Type.POSTGRES);
        assertThat(s.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/chorus");
        assertThat(s.user()).isEqualTo("chorus");
        assertThat(s.passwordFile()).isEqualTo(password);
        assertThat(s.poolSize()).isEqualTo(4);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void postgresWithoutUrlUserOrReadablePasswordFileIsRefusedKeyByKey() throws Exception {
        Path yaml = Files.writeString(dir.resolve("c.yaml"), """
                store:
                  type: postgres
                  url: mysql://nope
                  passwordFile: /nonexistent/pg-password
                  pool:
                    maxSize: 0
                    connectTimeout: 1h
                """);
        assertThatThrownBy(() -> ConfigLoader.load(yaml, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url").hasMessageContaining("store.user")
                .hasMessageContaining("store.passwordFile").hasMessageContaining("store.pool.maxSize")
                .hasMessageContaining("store.pool.connectTimeout");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHORUS_STORE_TYPE", "mongodb")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store.type");
    }
}
