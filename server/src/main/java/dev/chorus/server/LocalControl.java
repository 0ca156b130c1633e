package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.admin.ProjectAdminService;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.ServiceException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * How the CLI reaches the control plane on this host. While no server runs on the data dir, the CLI opens store and
 * audit trail itself (taking the data dir's lock: one writer, one audit chain). While a server runs (the lock is
 * held), the CLI sends the same operation over the server's local control channel ({@link ControlChannel}, a
 * 0600 Unix socket in the data dir) and the server executes it. Either way the same {@link AdminOperations} run,
 * and whoever can read the data dir already holds every key, so the CLI acts as the operator; its actions are
 * audited with the actor {@value #ACTOR} and source {@value #SOURCE}.
 */
final class LocalControl {
    static final String ACTOR = "local-cli";
    static final String SOURCE = "local";

    private LocalControl() {}

    static final ProjectAdminService.Actor OPERATOR = new ProjectAdminService.Actor(ACTOR, SOURCE);

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
                    + "(dev mode creates it), `chorus admin init` (production), or pass --data-dir");
        }
        return dir;
    }

    /**
     * Runs {@code op} on the data dir of {@code cfg}: through the running server's control channel, or directly.
     * {@code create}: a missing data dir is created (only {@code chorus admin init} does that, so production can
     * be prepared before its first start). Returns the result, or throws the service's refusal.
     */
    static JsonNode execute(ChorusConfig cfg, String op, ObjectNode args, boolean create)
            throws ConfigException, IOException {
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        if (Files.isDirectory(dir)) {
            DataDir.Lock lock = DataDir.tryLock(dir);
            if (lock == null) return remote(dir, op, args);
            lock.close();
        }
        Path target = create ? DataDir.prepare(dir.toString()) : existing(cfg);
        try (Locked l = open(target, cfg)) {
            return AdminOperations.JSON.valueToTree(AdminOperations.execute(l.control(), OPERATOR, op, args));
        }
    }

    private static JsonNode remote(Path dir, String op, ObjectNode args) throws IOException {
        JsonNode reply;
        try {
            reply = ControlChannel.call(dir, op, args);
        } catch (IOException e) {
            throw new IllegalStateException("a Chorus server holds " + dir + " but its control channel ("
                    + ControlChannel.SOCKET_FILE + ") does not answer: " + e.getMessage());
        }
        if (!reply.path("ok").asBoolean()) {
            throw new RemoteRefusal(reply.path("error").path("code").asText("failed"),
                    reply.path("error").path("message").asText(""));
        }
        return reply.get("result");
    }

    /** A refusal the running server sent back (same codes as {@link ServiceException}). */
    static final class RemoteRefusal extends RuntimeException {
        final String code;

        RemoteRefusal(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** The error line for a refused operation, local or remote: {@code chorus: <code>: <message>}. */
    static String describe(RuntimeException e) {
        if (e instanceof ServiceException se) return se.error().code() + ": " + se.getMessage();
        if (e instanceof RemoteRefusal rr) return rr.code + ": " + rr.getMessage();
        return e.getMessage();
    }

    /** The running server's reply to a control operation ({@code status}, {@code stop}), or null when none runs. */
    static JsonNode serverOnly(ChorusConfig cfg, String op) throws IOException {
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) return null;
        DataDir.Lock lock = DataDir.tryLock(dir);
        if (lock != null) {
            lock.close();
            return null;
        }
        return remote(dir, op, AdminOperations.JSON.createObjectNode());
    }

    /**
     * Opens store and audit trail for writing. Refused while a server runs on the same data dir: two writers would
     * fork the audit chain; {@link #execute} goes through the control channel then.
     */
    static Locked open(ChorusConfig cfg) throws ConfigException, IOException {
        return open(existing(cfg), cfg);
    }

    private static Locked open(Path dir, ChorusConfig cfg) throws IOException {
        DataDir.Lock lock = DataDir.tryLock(dir);
        if (lock == null) {
            throw new IllegalStateException("a Chorus server is running on " + dir
                    + "; this command works only while it is stopped");
        }
        try {
            return new Locked(ControlPlane.open(StoreWiring.settings(cfg), dir, cfg.deploymentId(), Clock.systemUTC(),
                    new SimpleMeterRegistry()), lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Status of a stopped data dir, for {@code chorus status}. */
    static Map<String, Object> stoppedStatus(ChorusConfig cfg) {
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        return Map.of("state", "stopped", "dataDir", dir.toString(),
                "initialized", Files.exists(dir.resolve(ControlPlane.DB_FILE)));
    }
}
