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

    static ControlPlane open(ChorusConfig cfg) throws ConfigException {
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir) || !Files.exists(dir.resolve(ControlPlane.DB_FILE))) {
            throw new ConfigException("key 'dataDir': " + dir + " has no Chorus store yet; run `chorus start` once "
                    + "(dev mode creates it) or pass --data-dir");
        }
        return ControlPlane.open(dir, cfg.deploymentId(), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    static BackendPrincipal operator(String projectId) {
        return new BackendPrincipal(projectId, ACTOR, KeyAlgorithm.HS256, BackendPrincipal.Method.API_KEY);
    }
}
