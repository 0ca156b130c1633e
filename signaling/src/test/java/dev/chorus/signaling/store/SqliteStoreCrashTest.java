package dev.chorus.signaling.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged write survives kill -9: a child JVM writes keys and revocations and acknowledges each committed
 * write on stdout; the parent SIGKILLs it at a random point (six rounds, each at a different random number of
 * acknowledgements, so the kill lands anywhere in a write), then opens the database, checks
 * {@code PRAGMA integrity_check} and finds every acknowledged write.
 */
class SqliteStoreCrashTest {
    private static final int ROUNDS = 6;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
        Path db = dir.resolve("chorus.db");
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        List<String> keys = new ArrayList<>();
        List<String> jtis = new ArrayList<>();
        Map<String, Long> watermarks = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            int killAfter = 5 + random.nextInt(400);
            List<String> acks = runAndKill(db, round, killAfter);
            assertThat(acks.size()).as("round %d acks (seed %d)", round, seed).isGreaterThanOrEqualTo(killAfter);
            for (String ack : acks) {
                String[] p = ack.split(" ");
                switch (p[1]) {
                    case "key" -> keys.add(p[2]);
                    case "jti" -> jtis.add(p[2]);
                    case "sub" -> watermarks.merge(p[2], Long.parseLong(p[3]), Math::max);
                    default -> throw new AssertionError(ack);
                }
            }
            try (SqliteStore store = SqliteStore.open(db)) {
                assertThat(store.integrityCheck()).as("integrity after round %d (seed %d)", round, seed)
                        .isEqualTo("ok");
                for (String kid : keys) {
                    assertThat(store.key(kid)).as("acknowledged key %s (seed %d)", kid, seed).isPresent();
                    assertThat(store.key(kid).get().material())
                            .isEqualTo((kid + "-secret").getBytes(StandardCharsets.US_ASCII));
                }
                for (String jti : jtis) {
                    assertThat(store.isTokenRevoked("crash", jti)).as("acknowledged jti %s", jti).isTrue();
                }
                for (var w : watermarks.entrySet()) {
                    assertThat(store.subjectWatermark("crash", w.getKey()).orElseThrow())
                            .isAfterOrEqualTo(Instant.ofEpochMilli(w.getValue()));
                }
            }
        }
        assertThat(keys).hasSizeGreaterThan(ROUNDS * 5);
    }

    /** Starts the writer, SIGKILLs it after {@code killAfter} acks, and returns every complete ack line it sent. */
    private List<String> runAndKill(Path db, int round, int killAfter) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path err = dir.resolve("child-" + round + ".err");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), StoreCrashWriter.class.getName(),
                db.toString(), Integer.toString(round))
                .redirectError(err.toFile())
                .start();
        List<String> acks = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII))) {
            String line;
            boolean killed = false;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("ACK ") && line.endsWith(" END")) {
                    acks.add(line);
                }
                if (!killed && acks.size() >= killAfter) {
                    // SIGKILL via the handle: Process.destroyForcibly() would also close our end of the pipe,
                    // and the acks already in the pipe (acknowledged writes too) must still be read
                    child.toHandle().destroyForcibly();
                    killed = true;
                }
            }
            // lines already in the pipe when the kill landed were acknowledged too, and were read above
            assertThat(killed).as("child stopped before being killed; stderr: %s", Files.readString(err)).isTrue();
        } finally {
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        return acks;
    }
}
