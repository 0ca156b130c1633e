package dev.chorus.signaling.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.store.SqliteStore;
import dev.chorus.signaling.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail is a hash chain (SECURITY-CHECKLIST 49–50): {@link AuditVerifier} names the first broken line
 * for an edited, reordered, inserted or deleted line and for a truncated last line; the chain continues across
 * restarts; user text is stored as inert, escaped ASCII.
 */
class AuditLogTest {
    @TempDir
    Path dir;
    private Path file;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T10:00:00Z"));

    @BeforeEach
    void setUp() {
        file = dir.resolve("audit.log");
    }

    private void writeEvents(int n) {
        try (AuditLog log = AuditLog.open(file, clock)) {
            for (int i = 0; i < n; i++) {
                clock.advance(Duration.ofSeconds(1));
                log.append(AuditEvent.refused("acme", "k_abc", "203.0.113." + i, AuditAction.JOIN, "room:r" + i,
                        "bad_signature"));
            }
        }
    }

    private List<String> lines() throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    private void rewrite(List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void anIntactChainVerifiesAndEachLineCarriesAllFields() throws IOException {
        writeEvents(5);
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.intact()).isTrue();
        assertThat(v.linesChecked()).isEqualTo(5);
        String first = lines().getFirst();
        assertThat(first).startsWith("{\"id\":1,\"time\":\"2026-01-15T10:00:01Z\",\"project\":\"acme\"")
                .contains("\"actor\":\"k_abc\"", "\"source\":\"203.0.113.0\"", "\"action\":\"join\"",
                        "\"resource\":\"room:r0\"", "\"outcome\":\"refused\"", "\"reason\":\"bad_signature\"",
                        "\"changes\":{}", "\"prev_hash\":\"" + "0".repeat(64) + "\"", "\"hash\":\"");
    }

    @Test
    void case50_editedLineIsTheFirstBrokenEntry() throws IOException {
        writeEvents(6);
        List<String> l = lines();
        l.set(3, l.get(3).replace("bad_signature", "ok"));
        rewrite(l);
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.firstBrokenLine()).isEqualTo(4);
        assertThat(v.problem()).contains("edited");
    }

    @Test
    void case50_editWithARecomputedOwnHashBreaksTheNextLink() throws IOException {
        writeEvents(6);
        List<String> l = lines();
        // an attacker who edits line 2 and fixes its own hash still breaks line 3's prev_hash
        String edited = l.get(1).replace("203.0.113.1", "10.0.0.1");
        String body = edited.substring(0, edited.length() - AuditJson.HASH_SUFFIX_LENGTH) + "}";
        String prev = body.replaceAll(".*\"prev_hash\":\"([0-9a-f]{64})\".*", "$1");
        // even with the key (an insider), fixing the line's own hash breaks the next link
        byte[] key = AuditKey.read(AuditKey.fileFor(file)).orElseThrow().key();
        l.set(1, AuditJson.line(body, AuditHashing.chain(key, prev, body)));
        rewrite(l);
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.firstBrokenLine()).isEqualTo(3);
    }

    @Test
    void case50_reorderedLinesAreDetectedAtTheFirstMovedLine() throws IOException {
        writeEvents(6);
        List<String> l = lines();
        String tmp = l.get(2);
        l.set(2, l.get(4));
        l.set(4, tmp);
        rewrite(l);
        assertThat(AuditVerifier.verify(file).firstBrokenLine()).isEqualTo(3);
    }

    @Test
    void case50_deletedLineIsDetectedAtTheLineAfterIt() throws IOException {
        writeEvents(6);
        List<String> l = lines();
        l.remove(1);
        rewrite(l);
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.firstBrokenLine()).isEqualTo(2);
        assertThat(v.problem()).contains("deleted");
    }

    @Test
    void case50_deletingTheFirstLineIsDetected() throws IOException {
        writeEvents(3);
        List<String> l = lines();
        l.removeFirst();
        rewrite(l);
        assertThat(AuditVerifier.verify(file).firstBrokenLine()).isEqualTo(1);
    }

    @Test
    void case50_insertedLineIsDetected() throws IOException {
        writeEvents(4);
        List<String> l = lines();
        l.add(2, l.get(1)); // a duplicated (replayed) line
        rewrite(l);
        assertThat(AuditVerifier.verify(file).firstBrokenLine()).isEqualTo(3);
    }

    @Test
    void case50_truncatedLastLineIsReported() throws IOException {
        writeEvents(4);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 20));
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.firstBrokenLine()).isEqualTo(4);
        assertThat(v.problem()).contains("truncated");
    }

    /** Writes {@code n} events through a log anchored in a real SQLite store; returns the store (open). */
    private SqliteStore anchoredEvents(int n) {
        SqliteStore store = SqliteStore.open(dir.resolve("chorus.db"));
        try (AuditLog log = AuditLog.open(file, clock, AuditAnchor.in(store, clock))) {
            for (int i = 0; i < n; i++) {
                clock.advance(Duration.ofSeconds(1));
                log.append(AuditEvent.refused("acme", "k_abc", "203.0.113." + i, AuditAction.JOIN, "room:r" + i,
                        "bad_signature"));
            }
        }
        return store;
    }

    private AuditVerification verifyAnchored(SqliteStore store) throws IOException {
        return AuditVerifier.verify(file, AuditKey.read(AuditKey.fileFor(file)).orElseThrow(),
                store.auditHead().orElseThrow());
    }

    /** The lines re-chained with the unkeyed SHA-256 chain after {@code edit} changed each body. */
    private static List<String> unkeyedChain(List<String> lines, java.util.function.UnaryOperator<String> edit) {
        List<String> out = new ArrayList<>();
        String prev = AuditJson.GENESIS_HASH;
        for (String line : lines) {
            String body = line.substring(0, line.length() - AuditJson.HASH_SUFFIX_LENGTH) + "}";
            body = edit.apply(body.replaceAll("\"prev_hash\":\"[0-9a-f]{64}\"", "\"prev_hash\":\"" + prev + "\""));
            prev = AuditHashing.legacy(prev, body);
            out.add(AuditJson.line(body, prev));
        }
        return out;
    }

    @Test
    void case50_tailDeletionIsDetectedAgainstTheHeadAnchoredInTheStore() throws IOException {
        try (SqliteStore store = anchoredEvents(4)) {
            assertThat(verifyAnchored(store).intact()).isTrue();
            assertThat(store.auditHead().orElseThrow().lastId()).isEqualTo(4);
            List<String> l = lines();
            l.removeLast();
            rewrite(l);
            assertThat(AuditVerifier.verify(file).intact()).as("the chain alone cannot tell").isTrue();
            AuditVerification v = verifyAnchored(store);
            assertThat(v.intact()).isFalse();
            assertThat(v.firstBrokenLine()).isEqualTo(4);
            assertThat(v.problem()).contains("anchored head is id 4");
        }
    }

    @Test
    void case50_rollbackToAnOlderCopyIsDetected() throws IOException {
        SqliteStore store = anchoredEvents(3);
        byte[] older = Files.readAllBytes(file);
        store.close();
        try (SqliteStore s2 = anchoredEvents(3)) {
            Files.write(file, older);
            AuditVerification v = verifyAnchored(s2);
            assertThat(v.intact()).isFalse();
            assertThat(v.problem()).contains("ends at id 3", "anchored head is id 6");
        }
    }

    @Test
    void case50_aWholeChainRecomputedWithoutTheKeyFailsAtItsFirstLine() throws IOException {
        writeEvents(4);
        // all an attacker without the key can compute: the unkeyed chain over edited lines
        rewrite(unkeyedChain(lines(), body -> body.replace("bad_signature", "ok")));
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.firstBrokenLine()).isEqualTo(1);
        assertThat(v.problem()).contains("audit key");
    }

    @Test
    void aLogWrittenBeforeTheKeyExistedKeepsItsUnkeyedPrefixAndIsKeyedFromThenOn() throws IOException {
        writeEvents(3);
        // turn the first three lines into a pre-key log: unkeyed chain, no key file
        rewrite(unkeyedChain(lines(), body -> body));
        Files.delete(AuditKey.fileFor(file));
        writeEvents(2);
        assertThat(AuditKey.read(AuditKey.fileFor(file)).orElseThrow().keyedFrom()).isEqualTo(4);
        assertThat(AuditVerifier.verify(file).intact()).isTrue();
        // an unkeyed line after the key's start is refused
        List<String> l = lines();
        String body = l.get(4).substring(0, l.get(4).length() - AuditJson.HASH_SUFFIX_LENGTH) + "}";
        String p4 = body.replaceAll(".*\"prev_hash\":\"([0-9a-f]{64})\".*", "$1");
        l.set(4, AuditJson.line(body, AuditHashing.legacy(p4, body)));
        rewrite(l);
        assertThat(AuditVerifier.verify(file).firstBrokenLine()).isEqualTo(5);
    }

    @Test
    void aLogCutWhileTheServerWasDownIsRecordedAtStartAndStaysReported() throws IOException {
        try (SqliteStore store = anchoredEvents(5)) {
            List<String> l = lines();
            rewrite(l.subList(0, 3));
            try (AuditLog log = AuditLog.open(file, clock, AuditAnchor.in(store, clock))) {
                assertThat(log.lastId()).isEqualTo(4);
            }
            assertThat(lines().getLast()).contains("\"action\":\"audit.anchor_mismatch\"",
                    "\"anchored_id\":\"5\"", "\"log_last_id\":\"3\"");
            AuditVerification v = verifyAnchored(store);
            assertThat(v.firstBrokenLine()).isEqualTo(4);
            assertThat(v.problem()).contains("anchor_mismatch");
        }
    }

    @Test
    void theKeyFileIsPrivateAndNeverInTheLog() throws IOException {
        writeEvents(2);
        Path key = AuditKey.fileFor(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).doesNotContain(Files.readAllLines(key).getFirst());
    }

    @Test
    void garbageAndNonJsonLinesAreReported() throws IOException {
        writeEvents(3);
        List<String> l = lines();
        l.set(1, "hello");
        rewrite(l);
        assertThat(AuditVerifier.verify(file).firstBrokenLine()).isEqualTo(2);
    }

    @Test
    void theChainContinuesAcrossRestarts() throws IOException {
        writeEvents(3);
        writeEvents(2);
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.intact()).isTrue();
        assertThat(v.linesChecked()).isEqualTo(5);
        assertThat(lines().get(3)).startsWith("{\"id\":4,");
    }

    @Test
    void aTornLastLineFromACrashIsCutOnOpenAndTheCutIsAudited() throws IOException {
        writeEvents(3);
        Files.writeString(file, "{\"id\":4,\"time\":\"2026-", StandardOpenOption.APPEND);
        assertThat(AuditVerifier.verify(file).problem()).contains("truncated");
        writeEvents(1);
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.intact()).isTrue();
        List<String> l = lines();
        assertThat(l).hasSize(5);
        assertThat(l.get(3)).contains("\"action\":\"audit.recovered\"", "\"discarded_bytes\":\"21\"");
    }

    @Test
    void theFileIsPrivate() throws IOException {
        writeEvents(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void case27_userTextIsStoredAsInertEscapedAscii() throws IOException {
        String hostile = "evil\r\n{\"id\":99}\u2028${jndi:ldap://127.0.0.1/a}%s%n<script>alert(1)</script>"
                + "'; DROP TABLE keys; --\u0000\u001b[31m\u202e";
        try (AuditLog log = AuditLog.open(file, clock)) {
            log.append(new AuditEvent("acme", hostile, hostile, AuditAction.ROOM_CREATE, "room:" + hostile,
                    AuditOutcome.SUCCESS, null, Map.of("meta", hostile, hostile, "k")));
        }
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text.lines().count()).isEqualTo(1);
        for (byte b : bytes) {
            assertThat(b == '\n' || (b >= 0x20 && b < 0x7f)).as("printable ASCII only, byte %d", b).isTrue();
        }
        assertThat(text).doesNotContain("${", "<script", "%s", "'", "\r").contains("\\u0024{jndi:", "\\u003Cscript");
        assertThat(AuditVerifier.verify(file).intact()).isTrue();
        // and it reads back as exactly the original text
        var node = AuditJson.MAPPER.readTree(text);
        assertThat(node.get("actor").asText()).isEqualTo(hostile);
        assertThat(node.get("changes").get("meta").asText()).isEqualTo(hostile);
    }

    @Test
    void overlongFieldsAreCutSoLinesStayBounded() throws IOException {
        try (AuditLog log = AuditLog.open(file, clock)) {
            log.append(AuditEvent.refused("acme", "x".repeat(100_000), null, AuditAction.JOIN, null, "malformed"));
        }
        assertThat(Files.size(file)).isLessThan(2_000);
        assertThat(AuditVerifier.verify(file).intact()).isTrue();
    }

    @Test
    void concurrentAppendsKeepOneValidChain() throws Exception {
        try (AuditLog log = AuditLog.open(file, clock)) {
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 25; i++) {
                        log.append(AuditEvent.success("acme", "k", null, AuditAction.ROOM_CREATE, "room:x", Map.of()));
                    }
                });
            }
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(30));
            }
        }
        AuditVerification v = AuditVerifier.verify(file);
        assertThat(v.intact()).isTrue();
        assertThat(v.linesChecked()).isEqualTo(100);
    }
}
