package dev.chorus.signaling.project;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dev mode on a fresh data dir (no project in the store): creates project {@code dev} (HS256 join tokens allowed,
 * rooms auto-created), an HS256 API key and an ES256 key pair, writes the API secret and the ES256 private key PEM
 * to files of mode 0600 in the data dir, and returns ids and paths for the CLI to print.
 *
 * <p>The files are written (atomically, 0600 from creation) before the store records, so a crash in between leaves
 * a still-fresh store and the next start simply bootstraps again.
 */
public final class DevProjectBootstrap {
    /** Participants per room in the dev project. */
    public static final int DEV_PARTICIPANTS_PER_ROOM = 100;

    public static final String DEV_PROJECT_ID = "dev";
    /** The dev project's access policy: ACL mode off (allowed in dev mode only), no ABAC conditions. */
    public static final AccessPolicy DEV_ACCESS_POLICY = new AccessPolicy(false, List.of(), 0, null, false);
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
    public synchronized Optional<DevCredentials> bootstrapIfFresh(Path dataDir) {
        if (!store.projects().isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String apiSecret = KeyMaterial.newHs256Secret();
        KeyPair pair = KeyMaterial.generateEs256();
        // dev keys hold every API scope: the dev project is a sandbox, its keys stay on this host
        ProjectKey apiKey = ProjectKey.active(KeyMaterial.newKid(), DEV_PROJECT_ID, KeyAlgorithm.HS256,
                apiSecret.getBytes(StandardCharsets.US_ASCII), now).withApiScopes(ApiScope.all());
        ProjectKey signingKey = ProjectKey.active(KeyMaterial.newKid(), DEV_PROJECT_ID, KeyAlgorithm.ES256,
                pair.getPublic().getEncoded(), now).withApiScopes(ApiScope.all());
        Path secretFile = dataDir.resolve(API_SECRET_FILE);
        Path keyFile = dataDir.resolve(SIGNING_KEY_FILE);
        writePrivate(secretFile, apiSecret + "\n");
        writePrivate(keyFile, KeyMaterial.privateKeyPem(pair.getPrivate()));

        // Dev rooms hold up to 100 participants (production projects default to 50) so that one machine can run
        // the load generator's 1 publisher -> 50 subscribers without a production-style limit in the way.
        Project project = Project.withDefaults(DEV_PROJECT_ID, "Development", now)
                .withHs256JoinTokens(true).withAutoCreateRooms(true).withLimits(DEV_PARTICIPANTS_PER_ROOM, 100);
        store.createProject(project);
        // dev mode only: ACLs off, so every participant with media:subscribe receives everyone (docs/live-authorization.md)
        store.putAccessPolicy(DEV_PROJECT_ID, DEV_ACCESS_POLICY);
        store.insertKey(apiKey);
        store.insertKey(signingKey);
        audit.append(AuditEvent.success(DEV_PROJECT_ID, "chorus", null, AuditAction.PROJECT_CREATE,
                "project:" + DEV_PROJECT_ID, Map.of("mode", "dev")));
        audit.append(AuditEvent.success(DEV_PROJECT_ID, "chorus", null, AuditAction.KEY_CREATE,
                "key:" + apiKey.kid(), Map.of("alg", "HS256", "supplied", "false")));
        audit.append(AuditEvent.success(DEV_PROJECT_ID, "chorus", null, AuditAction.KEY_CREATE,
                "key:" + signingKey.kid(), Map.of("alg", "ES256", "supplied", "false")));
        List<String> lines = List.of(
                "Dev project created: " + DEV_PROJECT_ID,
                "  API key id:        " + apiKey.kid(),
                "  API secret:        in " + secretFile.toAbsolutePath() + " (mode 0600)",
                "  ES256 signing kid: " + signingKey.kid(),
                "  ES256 private key: in " + keyFile.toAbsolutePath() + " (mode 0600, Chorus keeps only the public key)");
        return Optional.of(new DevCredentials(DEV_PROJECT_ID, apiKey.kid(), secretFile, signingKey.kid(), keyFile,
                lines));
    }

    private static void writePrivate(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".chorus-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, content, StandardCharsets.US_ASCII);
                try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dev credential file", e);
        }
    }
}
