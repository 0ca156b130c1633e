package dev.chorus.server;

import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.KeyAlgorithm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The control plane opened directly on the data dir, for CLI commands run on the server host. Whoever can read the
 * data dir already holds every key, so the CLI acts as the project's operator; its actions are audited with the
 * actor {@value #ACTOR} and source {@value #SOURCE}.
 */
final class LocalControl {
    static final String ACTOR = "local-cli";
    static final String SOURCE = "local";

    private LocalControl() {}

    /** The control plane with the data dir's exclusive lock (closing it releases the lock). */
    record Locked(ControlPlane control, DataDir.Lock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                control.close();
            } finally {
                lock.close();
            }
        }
    }

    static Path existing(ChorusConfig cfg) throws ConfigException {
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir) || !Files.exists(dir.resolve(ControlPlane.DB_FILE))) {
            throw new ConfigException("key 'dataDir': " + dir + " has no Chorus store yet; run `chorus start` once "
                    + "(dev mode creates it) or pass --data-dir");
        }
        return dir;
    }

    /**
     * Opens store and audit trail for writing. Refused while a server runs on the same data dir: two writers would
     * fork the audit chain; use the HTTP API then.
     */
    static Locked open(ChorusConfig cfg) throws ConfigException, java.io.IOException {
        Path dir = existing(cfg);
        DataDir.Lock lock = DataDir.tryLock(dir);
        if (lock == null) {
            throw new IllegalStateException("a Chorus server is running on " + dir
                    + "; use the HTTP API (/v1/keys) while it runs, or stop it first");
        }
        try {
            return new Locked(ControlPlane.open(dir, cfg.deploymentId(), Clock.systemUTC(), new SimpleMeterRegistry()), lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    static BackendPrincipal operator(String projectId) {
        return new BackendPrincipal(projectId, ACTOR, KeyAlgorithm.HS256, BackendPrincipal.Method.API_KEY);
    }
}
