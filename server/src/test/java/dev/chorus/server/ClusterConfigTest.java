package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster:} in the configuration (docs/cluster.md): off by default, validated key by key when on. */
class ClusterConfigTest {
    @TempDir Path dir;

    @Test
    void clusterModeIsOffByDefault() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).cluster().enabled()).isFalse();
    }

    @Test
    void aClusterNodeFromTheEnvironment() throws Exception {
        Path password = Files.writeString(dir.resolve("pg-password"), "s3cret\n");
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_STORE_TYPE", "postgres",
                "CHORUS_STORE_URL", "jdbc:postgresql://127.0.0.1:5432/chorus", "CHORUS_STORE_USER", "chorus",
                "CHORUS_STORE_PASSWORD_FILE", password.toString(), "CHORUS_CLUSTER_ENABLED", "true",
                "CHORUS_CLUSTER_NODE_ID", "node-b", "CHORUS_CLUSTER_PUBLIC_URL", "https://b.example.com",
                "CHORUS_CLUSTER_BUS_URL", "redis://127.0.0.1:6379", "CHORUS_CLUSTER_NODE_TIMEOUT", "6s"));
        assertThat(cfg.cluster().nodeId()).isEqualTo("node-b");
        assertThat(cfg.cluster().publicUrl()).isEqualTo("https://b.example.com");
        assertThat(cfg.cluster().bus().type()).isEqualTo("redis");
        assertThat(cfg.cluster().nodeTimeout()).isEqualTo("6s");
    }

    @Test
    void anIncompleteClusterConfigurationIsRefusedKeyByKey() throws Exception {
        Path yaml = Files.writeString(dir.resolve("c.yaml"), """
                cluster:
                  enabled: true
                  nodeId: "bad id!"
                  publicUrl: http://insecure.example.com
                  capacity: 0
                  heartbeat: 5s
                  nodeTimeout: 30s
                  bus:
                    type: redis
                """);
        assertThatThrownBy(() -> ConfigLoader.load(yaml, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.enabled").hasMessageContaining("cluster.nodeId")
                .hasMessageContaining("cluster.publicUrl").hasMessageContaining("cluster.capacity")
                .hasMessageContaining("cluster.nodeTimeout").hasMessageContaining("cluster.bus.url");
    }
}
