package dev.chorus.signaling.testing;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.AuthMetrics;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.auth.Ed25519Algorithm;
import dev.chorus.signaling.auth.JoinAdmission;
import dev.chorus.signaling.auth.JoinTokenIssuer;
import dev.chorus.signaling.auth.JoinTokenVerifier;
import dev.chorus.signaling.auth.JwtWriter;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.store.SqliteStore;
import dev.chorus.signaling.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A real control plane on a temp dir for tests: SQLite store (wrapped in a {@link CountingStore}), audit file,
 * a {@link MutableClock}, and two projects with keys of every algorithm:
 * <ul>
 *   <li>{@code acme}: HS256 API key ({@link #hsKid}/{@link #hsSecret}), ES256 ({@link #esKid}/{@link #es}),
 *       EdDSA ({@link #edKid}/{@link #ed}); rooms {@code room-a}, {@code room-b} open, {@code room-closed} closed;
 *       max token TTL 1 h; ceiling = every scope except {@code room:admin}; HS256 join tokens allowed.</li>
 *   <li>{@code globex}: an ES256 key ({@link #otherKid}) and room {@code room-a} of its own.</li>
 * </ul>
 * Token helpers build claims that pass by default; tests change one thing and expect one refusal.
 */
public final class ControlFixture implements AutoCloseable {
    public static final String AUDIENCE = "chorus-test";
    public static final String PROJECT = "acme";
    public static final String OTHER_PROJECT = "globex";
    public static final String ROOM = "room-a";
    public static final Instant START = Instant.parse("2026-01-15T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dir;
    public final MutableClock clock = new MutableClock(START);
    public final SqliteStore sqlite;
    public final CountingStore counting;
    public final Store store;
    public final AuditLog audit;
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final AuthMetrics metrics = new AuthMetrics(registry);
    public final JoinTokenVerifier verifier;
    public final JoinAdmission admission;
    public final JoinTokenIssuer issuer;

    public final String hsKid = KeyMaterial.newKid();
    public final String hsSecret = KeyMaterial.newHs256Secret();
    public final String esKid = KeyMaterial.newKid();
    public final KeyPair es = KeyMaterial.generateEs256();
    public final String edKid = KeyMaterial.newKid();
    public final KeyPair ed = KeyMaterial.generateEd25519();
    public final String otherKid = KeyMaterial.newKid();
    public final KeyPair other = KeyMaterial.generateEs256();
    public final String otherHsKid = KeyMaterial.newKid();
    public final String otherHsSecret = KeyMaterial.newHs256Secret();

    public ControlFixture() {
        try {
            dir = Files.createTempDirectory("chorus-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sqlite = SqliteStore.open(dir.resolve("chorus.db"));
        counting = new CountingStore(sqlite);
        store = counting.store();
        audit = AuditLog.open(dir.resolve("audit.log"), clock);
        Set<Scope> ceiling = EnumSet.allOf(Scope.class);
        ceiling.remove(Scope.ROOM_ADMIN);
        store.createProject(Project.withDefaults(PROJECT, "Acme", START).withScopeCeiling(ceiling)
                .withHs256JoinTokens(true));
        store.createProject(Project.withDefaults(OTHER_PROJECT, "Globex", START).withHs256JoinTokens(true));
        store.insertKey(ProjectKey.active(hsKid, PROJECT, KeyAlgorithm.HS256,
                hsSecret.getBytes(StandardCharsets.US_ASCII), START).withApiScopes(ApiScope.all()));
        store.insertKey(ProjectKey.active(esKid, PROJECT, KeyAlgorithm.ES256, es.getPublic().getEncoded(), START).withApiScopes(ApiScope.all()));
        store.insertKey(ProjectKey.active(edKid, PROJECT, KeyAlgorithm.EDDSA, ed.getPublic().getEncoded(), START).withApiScopes(ApiScope.all()));
        store.insertKey(ProjectKey.active(otherKid, OTHER_PROJECT, KeyAlgorithm.ES256, other.getPublic().getEncoded(),
                START).withApiScopes(ApiScope.all()));
        store.insertKey(ProjectKey.active(otherHsKid, OTHER_PROJECT, KeyAlgorithm.HS256,
                otherHsSecret.getBytes(StandardCharsets.US_ASCII), START).withApiScopes(ApiScope.all()));
        store.createRoom(Room.open(PROJECT, ROOM, START));
        store.createRoom(Room.open(PROJECT, "room-b", START));
        store.createRoom(Room.open(PROJECT, "room-closed", START));
        store.closeRoom(PROJECT, "room-closed", START);
        store.createRoom(Room.open(OTHER_PROJECT, ROOM, START));
        verifier = new JoinTokenVerifier(store, AUDIENCE, clock, Duration.ofSeconds(30));
        admission = new JoinAdmission(verifier, store, audit, metrics, clock);
        issuer = new JoinTokenIssuer(store, AUDIENCE, clock, audit, metrics);
        counting.reset();
    }

    // ---- principals (the fixture's keys hold every API scope, like keys migrated from before scopes)

    public BackendPrincipal acmeApi() {
        return new BackendPrincipal(PROJECT, hsKid, KeyAlgorithm.HS256, BackendPrincipal.Method.API_KEY,
                ApiScope.all());
    }

    public BackendPrincipal globexApi() {
        return new BackendPrincipal(OTHER_PROJECT, otherHsKid, KeyAlgorithm.HS256, BackendPrincipal.Method.API_KEY,
                ApiScope.all());
    }

    // ---- token building

    /** Claims that verify for {@link #ROOM} in {@link #PROJECT} now. */
    public ObjectNode claims() {
        long now = clock.instant().getEpochSecond();
        ObjectNode c = JSON.createObjectNode();
        c.put("iss", PROJECT);
        c.put("aud", AUDIENCE);
        c.put("sub", "user-7f3a9c");
        c.put("jti", KeyMaterial.newJti());
        c.put("iat", now);
        c.put("nbf", now);
        c.put("exp", now + 600);
        c.put("room", ROOM);
        c.put("scope", "room:join media:subscribe media:publish:audio");
        return c;
    }

    public static ObjectNode header(String alg, String kid) {
        return JwtWriter.header(alg, kid, JoinTokenVerifier.TYPE);
    }

    public String es256(ObjectNode claims) {
        return JwtWriter.sign(header("ES256", esKid), claims, esSigner());
    }

    public String hs256(ObjectNode claims) {
        return JwtWriter.sign(header("HS256", hsKid), claims, hsSigner());
    }

    public String eddsa(ObjectNode claims) {
        return JwtWriter.sign(header("EdDSA", edKid), claims, Ed25519Algorithm.signing(ed.getPrivate()));
    }

    public Algorithm esSigner() {
        return Algorithm.ECDSA256((ECPublicKey) es.getPublic(), (ECPrivateKey) es.getPrivate());
    }

    public Algorithm hsSigner() {
        return Algorithm.HMAC256(hsSecret);
    }

    /** Base64url (no padding) of raw bytes, for hand-made malformed tokens. */
    public static String b64(byte[] bytes) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String b64(String utf8) {
        return b64(utf8.getBytes(StandardCharsets.UTF_8));
    }

    // ---- audit

    public List<String> auditLines() {
        try {
            return Files.readAllLines(audit.file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public double counter(String name, String reason) {
        var c = reason == null ? registry.find(name).counter() : registry.find(name).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        audit.close();
        sqlite.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
