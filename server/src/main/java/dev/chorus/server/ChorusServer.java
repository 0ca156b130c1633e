package dev.chorus.server;

import dev.chorus.signaling.api.ControlEdge;
import dev.chorus.signaling.http.TlsMaterial;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.DevCredentials;
import dev.chorus.signaling.project.DevProjectBootstrap;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running Chorus node: the control plane (store, audit, services) and its HTTPS/WebSocket edge. The media and TURN
 * planes are wired here as they land. Starting either fully succeeds or stops everything it had started.
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

    private ChorusServer(ChorusConfig config, Path dataDir, ChorusMetrics metrics, ControlPlane control,
                         ControlEdge edge, Path certFile, DataDir.Lock lock) {
        this.lock = lock;
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
        boolean dev = cfg.isDev();
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
            return start(cfg, out, dataDir, lock);
        } catch (ConfigException | IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static ChorusServer start(ChorusConfig cfg, PrintStream out, Path dataDir, DataDir.Lock lock)
            throws ConfigException, IOException {
        boolean dev = cfg.isDev();
        if (!dev) refuseDevMaterial(dataDir);

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
        try {
            control = ControlPlane.open(dataDir, cfg.deploymentId(), Clock.systemUTC(), metrics.registry());
            Optional<DevCredentials> fresh = Optional.empty();
            if (dev) {
                fresh = control.devBootstrap().bootstrapIfFresh(dataDir);
            } else if (control.store().project(DevProjectBootstrap.DEV_PROJECT_ID).isPresent()) {
                throw new ConfigException("the data dir " + dataDir + " contains the dev project and its keys; "
                        + "production refuses to run with dev keys. Use a fresh data dir for production.");
            }
            edge = new ControlEdge(ServerSettings.http(cfg), ServerSettings.ws(cfg), ssl, control, metrics,
                    Clock.systemUTC(), List.of());
            edge.start();
            ChorusServer server = new ChorusServer(cfg, dataDir, metrics, control, edge, cert, lock);
            log.info("event=started mode={} port={} dataDir={}", cfg.mode(), edge.port(), dataDir);
            if (dev) DevBanner.print(out, server, fresh.orElse(null));
            return server;
        } catch (ConfigException | IOException | RuntimeException e) {
            if (edge != null) edge.close();
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

    @Override
    public void close() {
        try {
            edge.close();
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
