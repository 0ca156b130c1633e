package dev.chorus.server;

import dev.chorus.signaling.api.ControlEdge;
import dev.chorus.signaling.cluster.ClusterBus;
import dev.chorus.signaling.cluster.ClusterNode;
import dev.chorus.signaling.cluster.ClusterSettings;
import dev.chorus.signaling.cluster.PostgresClusterBus;
import dev.chorus.signaling.cluster.RedisClusterBus;
import dev.chorus.signaling.project.ControlPlane;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** The validated {@code cluster:} configuration as a running cluster node (docs/cluster.md), or null when off. */
final class ClusterWiring {
    private ClusterWiring() {}

    static ClusterNode start(ChorusConfig cfg, ControlPlane control, ControlEdge edge, InetSocketAddress media)
            throws ConfigException {
        ChorusConfig.Cluster k = cfg.cluster();
        if (k == null || !k.enabled()) return null;
        ClusterSettings settings = new ClusterSettings(k.nodeId(), URI.create(k.publicUrl().replaceAll("/+$", "")),
                media.getHostString() + ":" + media.getPort(), k.capacity(), Durations.parse(k.heartbeat()),
                Durations.parse(k.nodeTimeout()), Durations.parse(k.resyncInterval()), k.bus().type(), k.bus().url());
        ClusterBus bus = "redis".equals(k.bus().type()) ? new RedisClusterBus(k.bus().url(), cfg.deploymentId())
                : new PostgresClusterBus(cfg.store().url(), cfg.store().user(), password(cfg), cfg.deploymentId());
        try {
            return ClusterNode.install(settings, bus, control, edge, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new ConfigException("key 'cluster': cannot join the cluster: " + e.getMessage());
        }
    }

    private static String password(ChorusConfig cfg) throws ConfigException {
        try {
            return Files.readString(Path.of(cfg.store().passwordFile()), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException("key 'store.passwordFile': " + e.getMessage());
        }
    }
}
