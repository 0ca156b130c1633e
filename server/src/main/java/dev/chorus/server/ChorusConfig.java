package dev.chorus.server;

import java.util.List;

/**
 * The whole configuration, one YAML file (docs/configuration.md, docs/chorus.sample.yaml). Every leaf has a default
 * ({@link #defaults()}) and can be overridden by an environment variable ({@link ConfigLoader#envName}).
 * Sizes are bytes; times are durations such as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 365d}.
 */
public record ChorusConfig(String mode, String deploymentId, String dataDir, Http http, Ws ws, Media media, Turn turn,
                           Webhooks webhooks, Metrics metrics, Store store, Cluster cluster) {

    public static final String DEV = "dev";
    public static final String PRODUCTION = "production";
    public static final String DEV_DEPLOYMENT_ID = "chorus-dev";

    public record Http(String bindAddress, int port, String publicUrl, Tls tls, int maxBodyBytes, int maxHeaderBytes,
                       int maxRequestLineBytes, String requestTimeout, String tlsHandshakeTimeout,
                       int maxConnectionsPerIp, int maxInFlightRequests, String hstsMaxAge) {}

    public record Tls(String certFile, String keyFile) {}

    public record Ws(String joinTimeout, String idleTimeout, String fragmentTimeout, int maxFrameBytes,
                     int maxMessageBytes, int framesPerSecond, int frameBurst, int maxErrors, int maxSessionsPerIp,
                     int maxTokenBytes, String tokenExpiryWarning, String tokenExpiryGrace, List<String> allowedOrigins,
                     String drainTimeout, String resumeGrace) {}

    /**
     * The media plane: its UDP listener, the SFU's worker threads ({@code 0} = one per core) and how long an empty
     * room stays open.
     */
    public record Media(String bindAddress, int udpPort, List<String> announcedAddresses, int workers,
                        String emptyRoomGrace) {}

    /**
     * The TURN relay. {@code relayAddress}: the address relayed traffic leaves from and that clients are given in
     * their TURN URLs (null: {@code bindAddress} when it is a specific address, else the first of
     * {@code media.announcedAddresses}, else 127.0.0.1 in dev mode). {@code relayAddressV6}: IPv6 relays too.
     * {@code tlsPort}: TURN over TLS (5349, or 443 to pass restrictive firewalls; -1 = off) with {@code tls}'s
     * certificate (default: {@code http.tls}'s, else a generated self-signed one) and {@code tlsHost} in the
     * {@code turns:} URL (default: the host of {@code http.publicUrl}, else the relay address). {@code peers}:
     * {@code media} (only the SFU's media addresses: all a call through the SFU needs) or {@code public} (also any
     * public address, for peer-to-peer rooms), with {@code allowPeers}/{@code denyPeers} CIDR lists.
     * {@code maxConnectionsPerSource} and {@code unauthenticatedTimeout} bound TCP/TLS connections.
     */
    public record Turn(boolean enabled, String bindAddress, int udpPort, int tcpPort, String realm, List<String> secrets,
                       String secretsFile, String credentialTtl, boolean allowLoopbackPeers, String relayAddress,
                       String relayAddressV6, int tlsPort, Tls tls, String tlsHost, String peers,
                       List<String> allowPeers, List<String> denyPeers, int maxConnectionsPerSource,
                       String unauthenticatedTimeout) {}

    /**
     * Outgoing webhooks (docs/webhooks.md). {@code allowPrivateDestinations}: deliver to URLs resolving to loopback,
     * private or link-local addresses (always allowed in dev mode; off in production, where a backend-chosen URL
     * must not reach the internal network). {@code caFile}: a PEM bundle trusted in addition to the JDK's CAs
     * (a receiver with a private CA). {@code maxRetryDelay}: the longest wait between two attempts of a failed
     * delivery (the backoff doubles from 1 s up to it), so how long a receiver that is back waits at most.
     */
    public record Webhooks(boolean allowPrivateDestinations, String caFile, int maxPendingPerEndpoint,
                           String maxRetryDelay) {}

    /**
     * Prometheus metrics. {@code port}: the private scrape listener (plain HTTP, {@code /metrics} and {@code /healthz}
     * on {@code bindAddress}); -1 = none, 0 = any free port. {@code onClientPort}: also serve {@code /metrics} on the
     * HTTPS client port; null = yes in dev mode (loopback only), no in production.
     */
    public record Metrics(String bindAddress, int port, Boolean onClientPort) {}

    /**
     * Where durable control-plane state lives (docs/cluster.md). {@code type}: {@code sqlite} (the default: a file in
     * the data dir, one node) or {@code postgres} (one database shared by every node of a cluster) with {@code url}
     * ({@code jdbc:postgresql://host:port/db}), {@code user} and {@code passwordFile} (a file holding the password;
     * the password itself is never in the configuration). {@code pool.maxSize}: most connections per node;
     * {@code pool.connectTimeout}: how long a request waits for a connection before the store counts as
     * unavailable (joins are then refused with 503 and readiness turns false until the database is back).
     */
    public record Store(String type, String url, String user, String passwordFile, StorePool pool) {}

    public record StorePool(int maxSize, String connectTimeout) {}

    /**
     * Cluster mode (docs/cluster.md): off by default. When {@code enabled}, the store must be {@code postgres};
     * {@code nodeId} (unique per node) and {@code publicUrl} (where clients reach this node; the redirect target)
     * are required; {@code capacity} participants; {@code heartbeat}, {@code nodeTimeout} (at most 10 s, at least two
     * heartbeats) and {@code resyncInterval} (re-checks of live sessions while the bus is down).
     */
    public record Cluster(boolean enabled, String nodeId, String publicUrl, int capacity, String heartbeat,
                          String nodeTimeout, String resyncInterval, ClusterBus bus) {}

    /** {@code type}: {@code redis} ({@code url} redis://host:port) or {@code postgres} (the store's database). */
    public record ClusterBus(String type, String url) {}

    public static ChorusConfig defaults() {
        return new ChorusConfig(DEV, DEV_DEPLOYMENT_ID, "./chorus-data",
                new Http("127.0.0.1", 8443, null, new Tls(null, null), 64 * 1024, 8 * 1024, 4 * 1024, "10s", "10s",
                        64, 256, "365d"),
                new Ws("10s", "60s", "5s", 64 * 1024, 256 * 1024, 50, 100, 20, 32, 8 * 1024, "60s", "30s", List.of(),
                        "10s", "20s"),
                new Media("127.0.0.1", 10000, List.of(), 0, "10s"),
                new Turn(false, "127.0.0.1", 3478, 3478, "chorus", List.of(), null, "10m", false, null, null, -1,
                        new Tls(null, null), null, "media", List.of(), List.of(), 16, "10s"),
                new Webhooks(false, null, 10_000, "5m"),
                new Metrics("127.0.0.1", -1, null),
                new Store("sqlite", null, null, null, new StorePool(10, "2s")),
                new Cluster(false, null, null, 500, "2s", "8s", "1s", new ClusterBus("redis", null)));
    }

    /** Whether the HTTPS client port serves {@code /metrics} ({@link Metrics#onClientPort}, else dev mode only). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean metricsOnClientPort() {
        return metrics.onClientPort() != null ? metrics.onClientPort() : isDev();
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isDev() {
        return DEV.equals(mode);
    }
}
