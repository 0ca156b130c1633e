package dev.chorus.signaling.store;

import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Child process of {@link SqliteStoreCrashTest}: writes keys, token revocations and subject watermarks in a loop
 * and prints {@code ACK <kind> <id> <value> END} after each write returned (= committed). The parent kills it with
 * SIGKILL at a random moment; every ACK line it read must then be in the store.
 *
 * <p>Arguments: database path, round number. Bounded: stops after 100 000 writes or 60 s.
 */
public final class StoreCrashWriter {
    private StoreCrashWriter() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        String round = args[1];
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (SqliteStore store = SqliteStore.open(db)) {
            if (store.project("crash").isEmpty()) {
                store.createProject(Project.withDefaults("crash", "Crash test", Instant.now()));
            }
            out.println("READY END");
            out.flush();
            for (int i = 0; i < 100_000 && System.nanoTime() < deadline; i++) {
                String kid = "k_r" + round + "_" + i;
                byte[] secret = (kid + "-secret").getBytes(StandardCharsets.US_ASCII);
                store.insertKey(ProjectKey.active(kid, "crash", KeyAlgorithm.HS256, secret, Instant.now()));
                ack(out, "key", kid);
                String jti = "jti-r" + round + "-" + i + "-0123456789";
                store.revokeToken("crash", jti, Instant.now().plusSeconds(3600));
                ack(out, "jti", jti);
                String subject = "user-r" + round + "-" + (i % 50);
                store.revokeSubject("crash", subject, Instant.ofEpochMilli(1_000_000L + i));
                ack(out, "sub", subject + " " + (1_000_000L + i));
            }
        }
    }

    private static void ack(PrintStream out, String kind, String value) {
        out.println("ACK " + kind + " " + value + " END");
        out.flush();
    }
}
