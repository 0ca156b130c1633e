package dev.chorus.bench;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.auth.Ed25519Algorithm;
import dev.chorus.signaling.auth.JoinGrant;
import dev.chorus.signaling.auth.JoinTokenVerifier;
import dev.chorus.signaling.auth.JwtWriter;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.auth.TokenRefusedException;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.common.testing.ThrowawayPostgres;
import dev.chorus.signaling.store.PostgresStore;
import dev.chorus.signaling.store.SqliteStore;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.StoreSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Join-token verification cost per algorithm (full order: strict parse, typ, kid lookup in the store, pinned alg,
 * signature, claims, live-state reads), and the cost of refusing junk early (oversized, alg none), on each store:
 * the embedded SQLite file and a real PostgreSQL on loopback (a throwaway server in a temp dir, as in the tests).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JoinTokenVerifyBenchmark {
    /** Which store backs the verifier: sqlite (embedded) or postgres (throwaway server on loopback). */
    @Param({"sqlite", "postgres"})
    public String storeType;

    /**
     * off: every read goes to the store (a single node); on: the node's {@code VerificationCache} with its bus up,
     * as a cluster node verifies (docs/cluster.md "Verification cache").
     */
    @Param({"off", "on"})
    public String verificationCache;

    private Path dir;
    private ThrowawayPostgres pg;
    private Store store;
    private JoinTokenVerifier verifier;
    private String hs256;
    private String es256;
    private String eddsa;
    private String algNone;
    private String oversized;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("chorus-bench-");
        if ("postgres".equals(storeType)) {
            if (ThrowawayPostgres.binDir() == null) {
                throw new IllegalStateException("PostgreSQL is not installed (apt-get install postgresql)");
            }
            pg = ThrowawayPostgres.start();
            store = PostgresStore.open(StoreSettings.postgres(pg.jdbcUrl(), pg.user(), pg.passwordFile()));
        } else {
            store = SqliteStore.open(dir.resolve("chorus.db"));
        }
        Instant now = Instant.now();
        store.createProject(Project.withDefaults("bench", "Bench", now));
        String secret = KeyMaterial.newHs256Secret();
        KeyPair es = KeyMaterial.generateEs256();
        KeyPair ed = KeyMaterial.generateEd25519();
        store.insertKey(ProjectKey.active("k_hs", "bench", KeyAlgorithm.HS256,
                secret.getBytes(StandardCharsets.US_ASCII), now));
        store.insertKey(ProjectKey.active("k_es", "bench", KeyAlgorithm.ES256, es.getPublic().getEncoded(), now));
        store.insertKey(ProjectKey.active("k_ed", "bench", KeyAlgorithm.EDDSA, ed.getPublic().getEncoded(), now));
        store.createRoom(Room.open("bench", "room-1", now));
        verifier = new JoinTokenVerifier(store, "bench-aud", Clock.systemUTC(), Duration.ofSeconds(30));
        if ("on".equals(verificationCache)) verifier.cache().follow(() -> true);
        hs256 = sign("HS256", "k_hs", Algorithm.HMAC256(secret.getBytes(StandardCharsets.US_ASCII)));
        es256 = sign("ES256", "k_es", Algorithm.ECDSA256((ECPublicKey) es.getPublic(), (ECPrivateKey) es.getPrivate()));
        eddsa = sign("EdDSA", "k_ed", Ed25519Algorithm.signing(ed.getPrivate()));
        String[] p = hs256.split("\\.");
        algNone = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\",\"typ\":\"chorus-join+jwt\",\"kid\":\"k_hs\"}".getBytes(StandardCharsets.UTF_8))
                + "." + p[1] + ".";
        oversized = "a".repeat(64 * 1024) + ".b.c";
    }

    private static String sign(String alg, String kid, Algorithm algorithm) {
        long now = Instant.now().getEpochSecond();
        ObjectNode c = JwtWriter.object();
        c.put("iss", "bench").put("aud", "bench-aud").put("sub", "user-1").put("jti", KeyMaterial.newJti())
                .put("iat", now).put("nbf", now).put("exp", now + 3000).put("room", "room-1")
                .put("scope", "room:join media:subscribe media:publish:audio media:publish:video");
        return JwtWriter.sign(JwtWriter.header(alg, kid, JoinTokenVerifier.TYPE), c, algorithm);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        store.close();
        if (pg != null) {
            pg.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Benchmark
    public JoinGrant verifyHs256() {
        return verifier.verify(hs256, "room-1");
    }

    @Benchmark
    public JoinGrant verifyEs256() {
        return verifier.verify(es256, "room-1");
    }

    @Benchmark
    public JoinGrant verifyEdDsa() {
        return verifier.verify(eddsa, "room-1");
    }

    @Benchmark
    public Object refuseAlgNone() {
        try {
            return verifier.verify(algNone, "room-1");
        } catch (TokenRefusedException e) {
            return e.reason();
        }
    }

    @Benchmark
    public Object refuseOversized() {
        try {
            return verifier.verify(oversized, "room-1");
        } catch (TokenRefusedException e) {
            return e.reason();
        }
    }
}
