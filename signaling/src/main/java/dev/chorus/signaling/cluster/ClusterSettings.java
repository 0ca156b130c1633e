package dev.chorus.signaling.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A node's cluster configuration ({@code cluster:} in the config file, docs/cluster.md).
 *
 * @param nodeId         unique per node of the deployment
 * @param publicUrl      where clients reach this node's signaling (the redirect target other nodes hand out)
 * @param mediaAddress   this node's announced media address, {@code host:port} (shown in the registry)
 * @param capacity       participants this node takes; placement prefers the node with the most headroom
 * @param heartbeat      how often the node heartbeats its load
 * @param nodeTimeout    a node silent this long is removed and its rooms freed (at most 10 s)
 * @param resyncInterval how often live sessions are re-checked against the store while the bus is down
 * @param busType        {@code redis} or {@code postgres}
 * @param busUrl         {@code redis://host:port} for Redis; unused for PostgreSQL (the store's database is used)
 */
public record ClusterSettings(String nodeId, URI publicUrl, String mediaAddress, int capacity, Duration heartbeat,
                              Duration nodeTimeout, Duration resyncInterval, String busType, String busUrl) {
    public static final Duration MAX_NODE_TIMEOUT = Duration.ofSeconds(10);

    public ClusterSettings {
        Objects.requireNonNull(nodeId, "cluster.nodeId");
        Objects.requireNonNull(publicUrl, "cluster.publicUrl");
        if (capacity < 1) throw new IllegalArgumentException("cluster.capacity must be at least 1");
        if (nodeTimeout.compareTo(MAX_NODE_TIMEOUT) > 0 || nodeTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("cluster.nodeTimeout must be at most 10s and at least two heartbeats");
        }
        if (!"redis".equals(busType) && !"postgres".equals(busType)) {
            throw new IllegalArgumentException("cluster.bus.type must be redis or postgres");
        }
        if ("redis".equals(busType) && (busUrl == null || !busUrl.startsWith("redis://"))) {
            throw new IllegalArgumentException("cluster.bus.url must be a redis:// URL when cluster.bus.type is redis");
        }
    }

    /** Defaults: heartbeat 2 s, timeout 8 s, resync every 1 s while the bus is down. */
    public static ClusterSettings of(String nodeId, URI publicUrl, String mediaAddress, int capacity, String busType,
                                     String busUrl) {
        return new ClusterSettings(nodeId, publicUrl, mediaAddress, capacity, Duration.ofSeconds(2),
                Duration.ofSeconds(8), Duration.ofSeconds(1), busType, busUrl);
    }
}
