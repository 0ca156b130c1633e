package dev.chorus.server;

import dev.chorus.signaling.api.ControlEdge;
import dev.chorus.signaling.call.CallService;
import dev.chorus.signaling.p2p.P2pRelay;
import dev.chorus.signaling.p2p.P2pService;
import dev.chorus.signaling.call.CallSettings;
import dev.chorus.signaling.call.DevTokenRoute;
import dev.chorus.signaling.call.IceServerProvider;
import dev.chorus.signaling.api.MediaViewApi;
import dev.chorus.signaling.call.WebAssets;
import dev.chorus.signaling.http.HealthRoutes;
import dev.chorus.signaling.http.TlsMaterial;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.metrics.MetricsListener;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.webhook.Webhooks;
import dev.chorus.signaling.project.DevCredentials;
import dev.chorus.signaling.project.DevProjectBootstrap;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A running Chorus node: the control plane (store, audit, services), the media plane (UDP transport + SFU), the
 * TURN relay when enabled, the call layer joining sessions to SFU rooms, and the HTTPS/WebSocket edge serving the
 * API, the SDK and the demo page. Starting either fully succeeds or stops everything it had started; closing stops
 * the edge first (sessions closed, their SFU participants with them), then the media plane, then the store.
 */
public final class ChorusServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChorusServer.class);

    private final ChorusConfig config;
    private final Path dataDir;
    private final ChorusMetrics metrics;
    private final ControlPlane control;
    private final ControlEdge edge;
    private final Path certFile;
    private final DataDir.Lock lock;
    private final MediaPlane mediaPlane;
    private final CallService calls;
    private final ExecutorService callExecutor;
    private final Instant startedAt = Instant.now();
    private volatile ControlChannel channel;
    private volatile Runnable stopAction;
    /** False once a graceful drain started: {@code /readyz} answers 503 before anything else changes. */
    private final java.util.concurrent.atomic.AtomicBoolean accepting;
    private boolean closed;
    /** This node's cluster membership, bus link and join gate, or null when cluster mode is off. */
    private dev.chorus.signaling.cluster.ClusterNode cluster;
    private final Webhooks webhooks;
    /** The private scrape listener, or null ({@code metrics.port} = -1). */
    private final MetricsListener metricsListener;

    private ChorusServer(ChorusConfig config, Path dataDir, ChorusMetrics metrics, ControlPlane control,
                         ControlEdge edge, Path certFile, DataDir.Lock lock, MediaPlane mediaPlane, CallService calls,
                         ExecutorService callExecutor, Webhooks webhooks, MetricsListener metricsListener,
                         java.util.concurrent.atomic.AtomicBoolean accepting) {
        this.accepting = accepting;
        this.webhooks = webhooks;
        this.metricsListener = metricsListener;
        this.lock = lock;
        this.mediaPlane = mediaPlane;
        this.calls = calls;
        this.callExecutor = callExecutor;
        this.config = config;
        this.dataDir = dataDir;
        this.metrics = metrics;
        this.control = control;
        this.edge = edge;
        this.certFile = certFile;
    }

    /**
     * @throws ConfigException when the configuration or the data dir cannot be used (nothing keeps running)
     * @throws IOException     when a listener cannot bind (nothing keeps running)
     */
    public static ChorusServer start(ChorusConfig cfg, PrintStream out) throws ConfigException, IOException {
        return start(cfg, out, System.getenv());
    }

    /**
     * Same, with the environment that may carry the operator secret for a first production start
     * ({@value OperatorSecret#FILE_ENV} or {@value OperatorSecret#VALUE_ENV}). A start that fails removes the data
     * dir again if it created it, so a port in use or a bad certificate leaves no half-made data dir behind.
     */
    public static ChorusServer start(ChorusConfig cfg, PrintStream out, Map<String, String> env)
            throws ConfigException, IOException {
        JulBridge.install();
        boolean created = !Files.exists(Path.of(cfg.dataDir()));
        Path dataDir;
        try {
            dataDir = DataDir.prepare(cfg.dataDir());
        } catch (IOException e) {
            throw new ConfigException("key 'dataDir': " + e.getMessage());
        }
        DataDir.Lock lock = DataDir.tryLock(dataDir);
        if (lock == null) {
            throw new ConfigException("key 'dataDir': " + dataDir + " is in use by another running Chorus server");
        }
        try {
            return start(cfg, out, env, dataDir, lock);
        } catch (ConfigException | IOException | RuntimeException e) {
            lock.close();
            if (created) DataDir.removeHalfMade(dataDir);
            throw e;
        }
    }

    private static ChorusServer start(ChorusConfig cfg, PrintStream out, Map<String, String> env, Path dataDir,
                                      DataDir.Lock lock) throws ConfigException, IOException {
        boolean dev = cfg.isDev();
        if (!dev) refuseDevMaterial(dataDir);
        String operatorSecret = dev ? null : OperatorSecret.fromEnvironment(env); // read before anything is created

        Path cert = cfg.http().tls().certFile() != null ? Path.of(cfg.http().tls().certFile()) : dataDir.resolve(DataDir.TLS_CERT);
        Path key = cfg.http().tls().keyFile() != null ? Path.of(cfg.http().tls().keyFile()) : dataDir.resolve(DataDir.TLS_KEY);
        if (dev && cfg.http().tls().certFile() == null && !(Files.exists(cert) && Files.exists(key))) {
            TlsMaterial.generateSelfSigned(cert, key, Duration.ofDays(365));
            log.info("event=tls_self_signed_generated cert={}", cert);
        }
        SslContext ssl;
        try {
            ssl = TlsMaterial.serverContext(cert, key);
        } catch (IOException e) {
            throw new ConfigException("keys 'http.tls.certFile'/'http.tls.keyFile': " + e.getMessage());
        }

        ChorusMetrics metrics = new ChorusMetrics(true);
        ControlPlane control = null;
        ControlEdge edge = null;
        java.util.concurrent.atomic.AtomicBoolean accepting = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.chorus.signaling.cluster.ClusterNode cluster = null;
        MediaPlane mediaPlane = null;
        ExecutorService callExecutor = null;
        ControlChannel channel = null;
        Webhooks webhooks = null;
        MetricsListener metricsListener = null;
        try {
            control = ControlPlane.open(StoreWiring.settings(cfg), dataDir, cfg.deploymentId(), Clock.systemUTC(),
                    metrics.registry(), StoreWiring.auditChain(cfg));
            Optional<DevCredentials> fresh = Optional.empty();
            if (dev) {
                fresh = control.devBootstrap().bootstrapIfFresh(dataDir);
            } else if (control.store().project(DevProjectBootstrap.DEV_PROJECT_ID).isPresent()) {
                throw new ConfigException("the data dir " + dataDir + " contains the dev project and its keys; "
                        + "production refuses to run with dev keys. Use a fresh data dir for production.");
            } else {
                OperatorSecret.initOnFirstStart(control, operatorSecret);
            }
            mediaPlane = MediaPlane.start(cfg, metrics.registry());
            callExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chorus-call-", 0).factory());
            IceServerProvider ice = mediaPlane.turnCredentials == null ? IceServerProvider.NONE
                    : new TurnIceServers(mediaPlane.turnCredentials, mediaPlane.turn, control.audit());
            CallService calls = new CallService(mediaPlane.sfu, control.store(), ice, CallSettings.DEFAULTS, callExecutor)
                    .audit(control.audit());
            // private peer-to-peer rooms (docs/p2p.md): p2p sessions here, every other one to the SFU's call layer
            P2pService p2p = new P2pService(calls, calls::hasRoom, control.store(), ice,
                    ice instanceof TurnIceServers t ? new TurnP2pRelay(t, mediaPlane.turn) : P2pRelay.NONE,
                    CallSettings.DEFAULTS, callExecutor).metrics(metrics.registry());
            dev.chorus.signaling.http.OriginPolicy origins = ServerSettings.origins(cfg);
            ControlPlane c = control;
            MediaPlane mp = mediaPlane;
            edge = new ControlEdge(ServerSettings.http(cfg), ServerSettings.ws(cfg), ssl, control, metrics,
                    Clock.systemUTC(), List.of(new HealthRoutes.Check("media", () -> mp.sfu != null),
                            new HealthRoutes.Check("accepting", accepting::get)), p2p, calls,
                    router -> {
                        WebAssets.register(router);
                        MediaViewApi.register(router, c, calls::mediaViews);
                        if (dev) {
                            DevTokenRoute.register(router, c.store(), c.issuer(), DevProjectBootstrap.DEV_PROJECT_ID,
                                    origins);
                        }
                    }, cfg.metricsOnClientPort());
            edge.originPolicy(origins);
            calls.register(edge.protocol());
            p2p.register(edge.protocol()).rightsSource(edge.live()::mediaRights);
            edge.live().addListener(p2p::updateRights);
            webhooks = WebhookWiring.start(cfg.webhooks(), dev, control, metrics.registry());
            calls.events(webhooks);
            p2p.events(webhooks);
            io.micrometer.core.instrument.Gauge.builder("chorus.call.participants", calls, CallService::participants)
                    .description("participants in calls on this node (joining or joined)").register(metrics.registry());
            calls.rightsSource(edge.live()::mediaRights); // liveauth: ACL + overrides decide what the SFU forwards
            calls.dataRightsSource(edge.live()::dataRights); // and what the room's data relay delivers
            edge.live().addListener(calls::updateRights);
            control.devMode(dev);
            cluster = ClusterWiring.start(cfg, control, edge, mediaPlane.mediaAddress());
            edge.start();
            if (cfg.metrics().port() >= 0) {
                InetSocketAddress at = new InetSocketAddress(InetAddress.ofLiteral(cfg.metrics().bindAddress()),
                        cfg.metrics().port());
                try {
                    metricsListener = MetricsListener.start(at, metrics);
                } catch (IOException e) {
                    throw new IOException("metrics port " + at + " (key 'metrics.port'): " + e.getMessage(), e);
                }
            }
            ChorusServer server = new ChorusServer(cfg, dataDir, metrics, control, edge, cert, lock, mediaPlane,
                    calls, callExecutor, webhooks, metricsListener, accepting);
            server.cluster = cluster;
            try {
                channel = ControlChannel.open(dataDir, server, server::status);
                server.channel = channel;
            } catch (IOException | UnsupportedOperationException e) {
                // e.g. a data dir path longer than a Unix socket path may be: serve anyway, say what is missing
                log.warn("event=control_channel_unavailable path={} cause={} effect=\"chorus status/stop/projects/keys"
                        + " cannot reach this server; stop it with SIGTERM\"", dataDir.resolve(ControlChannel.SOCKET_FILE),
                        e.toString());
            }
            log.info("event=metrics_exposed listener={} clientPort={}", metricsListener == null ? "off"
                    : metricsListener.address(), cfg.metricsOnClientPort());
            log.info("event=started mode={} port={} dataDir={}", cfg.mode(), edge.port(), dataDir);
            if (dev) DevBanner.print(out, server, fresh.orElse(null));
            return server;
        } catch (ConfigException | IOException | RuntimeException e) {
            if (channel != null) channel.close();
            if (metricsListener != null) metricsListener.close();
            if (cluster != null) cluster.close();
            if (edge != null) edge.close();
            if (webhooks != null) webhooks.close();
            if (mediaPlane != null) mediaPlane.close();
            if (callExecutor != null) callExecutor.shutdownNow();
            if (control != null) control.close();
            metrics.close();
            throw e;
        }
    }

    private static void refuseDevMaterial(Path dataDir) throws ConfigException {
        for (String f : List.of(DevProjectBootstrap.API_SECRET_FILE, DevProjectBootstrap.SIGNING_KEY_FILE)) {
            if (Files.exists(dataDir.resolve(f))) {
                throw new ConfigException("the data dir " + dataDir + " contains dev-mode key material (" + f
                        + "); production refuses to run with dev keys. Use a fresh data dir for production.");
            }
        }
    }

    public int port() {
        return edge.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path certFile() {
        return certFile;
    }

    public ChorusConfig config() {
        return config;
    }

    public ControlEdge edge() {
        return edge;
    }

    public ControlPlane control() {
        return control;
    }

    /** The base URL clients use: {@code http.publicUrl}, else https://localhost:port. */
    public String baseUrl() {
        String u = config.http().publicUrl();
        return u != null ? u.replaceAll("/+$", "") : "https://localhost:" + port();
    }

    /** The media UDP address actually bound. */
    public java.net.InetSocketAddress mediaAddress() {
        return mediaPlane.mediaAddress();
    }

    /** The host candidates the SFU puts in its SDP (announced addresses, or the bound interfaces' addresses). */
    public List<java.net.InetSocketAddress> mediaCandidates() {
        return mediaPlane.media.candidates();
    }

    /** The embedded TURN relay, or null when TURN is off. */
    public dev.chorus.turn.netty.TurnServer turn() {
        return mediaPlane.turn;
    }

    /** The TURN relay's UDP address, or null when TURN is off. */
    public java.net.InetSocketAddress turnAddress() {
        return mediaPlane.turn == null ? null : mediaPlane.turn.udpAddress();
    }

    /** The SFU of this node (tests and metrics). */
    public dev.chorus.media.sfu.Sfu sfu() {
        return mediaPlane.sfu;
    }

    /** The cluster node (membership, bus, placement), or null when cluster mode is off. */
    public dev.chorus.signaling.cluster.ClusterNode cluster() {
        return cluster;
    }

    public Webhooks webhooks() {
        return webhooks;
    }

    public CallService calls() {
        return calls;
    }

    /** What {@code chorus status} shows. */
    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", "running");
        m.put("pid", ProcessHandle.current().pid());
        m.put("mode", config.mode());
        m.put("url", baseUrl());
        m.put("httpsPort", port());
        m.put("mediaAddress", String.valueOf(mediaAddress()));
        m.put("dataDir", dataDir.toString());
        m.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
        m.put("participants", calls.participants());
        m.put("operatorInitialized", control.projects().operatorInitialized());
        m.put("projects", control.store().projects().size());
        return m;
    }

    /**
     * What {@code chorus stop} asks for. {@code chorus start} exits the process (its shutdown hook closes the
     * server); a server embedded elsewhere (tests) is closed on a separate thread.
     */
    public void onStopRequest(Runnable action) {
        this.stopAction = action;
    }

    void requestStop() {
        Runnable a = stopAction;
        Thread.ofPlatform().name("chorus-stop").start(a != null ? a : this::close);
    }

    /** The private metrics listener's address, or null when {@code metrics.port} is -1. */
    public InetSocketAddress metricsAddress() {
        return metricsListener == null ? null : metricsListener.address();
    }

    /**
     * Graceful shutdown (SIGTERM, {@code chorus stop}): readiness turns false first (a load balancer stops sending
     * new clients), then new sessions are refused and joined ones are told {@code draining} with the deadline; the
     * server closes once they have all left or when {@code ws.drainTimeout} has passed (the rest get 1001 and their
     * SDKs rejoin, elsewhere or here once it is back). A zero timeout closes at once.
     */
    public void drainAndClose() {
        java.time.Duration window = Durations.parse(config.ws().drainTimeout());
        synchronized (this) {
            if (closed) return;
        }
        if (!window.isZero() && accepting.compareAndSet(true, false)) {
            long until = System.nanoTime() + window.toNanos();
            int told = edge.drain(Instant.now().plus(window));
            log.info("event=draining sessions={} timeoutSeconds={}", told, window.toSeconds());
            try {
                while (edge.sessions().size() > 0 && System.nanoTime() < until) {
                    Thread.sleep(100); // sessions end on their own event loops; nothing to wait on but the count
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.info("event=drained sessionsLeft={}", edge.sessions().size());
        }
        close();
    }

    /** Whether the server admits new sessions (false while draining). */
    public boolean accepting() {
        return accepting.get();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (channel != null) channel.close();
            if (metricsListener != null) metricsListener.close();
            if (cluster != null) cluster.close(); // deregisters: its rooms are placeable at once
            edge.close();
            mediaPlane.close();
            callExecutor.shutdownNow();
            webhooks.close(); // after the edge: events of the last sessions are queued (durably) first
        } finally {
            try {
                control.close();
            } finally {
                metrics.close();
                lock.close();
            }
        }
        log.info("event=stopped");
    }
}
