package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Dev mode on a fresh data dir (no project in the store): creates project {@code dev} (HS256 join tokens allowed,
 * rooms auto-created), an HS256 API key and an ES256 key pair, writes the API secret and the ES256 private key PEM
 * to files of mode 0600 in the data dir, and returns ids and paths for the CLI to print.
 */
public final class DevProjectBootstrap {
    public static final String DEV_PROJECT_ID = "dev";
    public static final String API_SECRET_FILE = "dev-api-secret.txt";
    public static final String SIGNING_KEY_FILE = "dev-signing-key.pem";

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;

    public DevProjectBootstrap(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    /** Empty when the store already has a project (nothing is touched then). */
    public Optional<DevCredentials> bootstrapIfFresh(Path dataDir) {
        throw new UnsupportedOperationException("in progress");
    }
}
