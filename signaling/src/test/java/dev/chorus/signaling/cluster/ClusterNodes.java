package dev.chorus.signaling.cluster;

import dev.chorus.signaling.api.ControlEdge;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsSettings;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * Several Chorus control nodes in one JVM sharing one store (the durable truth) and joined by a real cluster bus:
 * each node has its own control plane, WebSocket edge, session registry and {@link ClusterLink}, exactly as a
 * server node wires them. Projects and keys come from {@link ControlFixture}.
 */
public final class ClusterNodes implements AutoCloseable {
    public final ControlFixture fx = new ControlFixture();
    final TestTls tls;
    /** One client for all API calls, so connections are kept alive as a backend's would be. */
    final java.net.http.HttpClient http;
    final List<Node> nodes = new ArrayList<>();

    public final Store store;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    public record Node(String id, ControlPlane control, ControlEdge edge, ChorusMetrics metrics, ClusterNode cluster,
                int port) {
        public ClusterLink link() {
            return cluster.link();
        }
    }

    /** Nodes over the fixture's SQLite store (one JVM: the same store object stands for the shared database). */
    public ClusterNodes(int count, Supplier<ClusterBus> buses, Duration resyncInterval) throws Exception {
        this(count, buses, resyncInterval, null);
    }

    /**
     * @param shared the store the nodes share (e.g. a {@link dev.chorus.signaling.store.PostgresStore}), seeded here
     *               with the fixture's projects, keys, rooms and policies; null for the fixture's SQLite store
     */
    public ClusterNodes(int count, Supplier<ClusterBus> buses, Duration resyncInterval, Store shared) throws Exception {
        this(count, buses, resyncInterval, shared, Duration.ofSeconds(2), Duration.ofSeconds(8));
    }

    public ClusterNodes(int count, Supplier<ClusterBus> buses, Duration resyncInterval, Store shared, Duration heartbeat,
                 Duration nodeTimeout) throws Exception {
        if (shared != null) seed(fx.store, shared);
        this.store = shared != null ? shared : fx.store;
        tls = TestTls.generate(Files.createDirectories(fx.dir.resolve("tls")));
        // 15 s to connect: the trials also run as a bench on a loaded machine, where 5 s TLS handshakes time out
        http = java.net.http.HttpClient.newBuilder().sslContext(tls.clientContext)
                .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        HttpSettings http = new HttpSettings("127.0.0.1", 0, 4096, 4096, 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(5), 64, 31_536_000L, 64);
        // join timeout 15 s: a client stalled for 5 s between its upgrade and its join at load 20+ was closed with
        // 4001 join_timeout, which the racing client saw as "Output closed" on its join (the close handshake)
        WsSettings ws = new WsSettings("/v1/ws", Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofSeconds(2),
                256 * 1024, 256 * 1024, 200, 400, 20, 64, 8192);
        try {
            for (int i = 0; i < count; i++) {
                ChorusMetrics metrics = new ChorusMetrics(false);
                ControlPlane control = new ControlPlane(store, fx.audit, ControlFixture.AUDIENCE, fx.clock,
                        metrics.registry());
                ControlEdge edge = new ControlEdge(http, ws, tls.serverContext, control, metrics, fx.clock, List.of());
                int port = edge.start().getPort();
                String id = "node-" + (char) ('a' + i);
                ClusterSettings settings = new ClusterSettings(id, URI.create("https://127.0.0.1:" + port),
                        "127.0.0.1:" + (40000 + i), 100, heartbeat, nodeTimeout, resyncInterval, "redis",
                        "redis://unused");
                ClusterNode cn = ClusterNode.install(settings, buses.get(), control, edge, java.time.Clock.systemUTC());
                nodes.add(new Node(id, control, edge, metrics, cn, port));
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    /** A session of the fixture's room on {@code n}; fails unless it is joined there. */
    public WsTestClient join(Node n, String token) throws Exception {
        return join(n, ControlFixture.ROOM, token);
    }

    public WsTestClient join(Node n, String room, String token) throws Exception {
        WsTestClient c = WsTestClient.connect(tls.clientContext, n.port(), CONNECT_TIMEOUT).join(room, token);
        c.next("joined");
        return c;
    }

    public HttpResponse<String> post(Node n, String path, String json) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((fx.hsKid + ":" + fx.hsSecret)
                .getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + n.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(Node n, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + n.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Copies what the fixture created into the shared store. */
    static void seed(Store from, Store to) {
        for (var p : from.projects()) {
            to.createProject(p);
            for (var k : from.keys(p.id())) to.insertKey(k);
            for (var r : from.rooms(p.id())) {
                to.createRoom(dev.chorus.signaling.project.Room.open(r.projectId(), r.roomId(), r.createdAt()));
                if (!r.isOpen()) to.closeRoom(r.projectId(), r.roomId(), r.createdAt());
            }
            from.accessPolicy(p.id()).ifPresent(a -> to.putAccessPolicy(p.id(), a));
        }
    }

    public WsTestClient connect(Node n) {
        return WsTestClient.connect(tls.clientContext, n.port(), CONNECT_TIMEOUT);
    }

    public Node byId(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.cluster().close();
            n.edge().close();
            n.metrics().close();
        }
        if (store != fx.store) store.close();
        fx.close();
    }
}
