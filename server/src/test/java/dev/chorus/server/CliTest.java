package dev.chorus.server;

import dev.chorus.signaling.audit.AuditAction;
import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {
    @TempDir Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path auditFile(int events) {
        Path f = dir.resolve("audit.log");
        try (AuditLog log = AuditLog.open(f, Clock.systemUTC())) {
            for (int i = 0; i < events; i++) {
                log.append(AuditEvent.success("dev", "kid" + i, "127.0.0.1", AuditAction.ROOM_CREATE, "room:r" + i, Map.of()));
            }
        }
        return f;
    }

    @Test
    void auditVerifyAcceptsAnIntactChain() {
        Result r = run("audit", "verify", auditFile(3).toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("OK: 3 lines");
    }

    @Test
    void auditVerifyFailsOnAnEditedLineAndReportsIt() throws Exception {
        Path f = auditFile(4);
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        lines.set(1, lines.get(1).replace("room:r1", "room:rX"));
        Files.write(f, lines);
        Result r = run("audit", "verify", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("BROKEN: line 2");
    }

    @Test
    void auditVerifyFailsOnADeletedLine() throws Exception {
        Path f = auditFile(4);
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        lines.remove(2);
        Files.write(f, lines);
        Result r = run("audit", "verify", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("BROKEN: line 3");
    }

    @Test
    void auditVerifyOfTheDataDirChecksTheHeadAnchoredInTheStore() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        try (var control = dev.chorus.signaling.project.ControlPlane.open(data, "aud", Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            for (int i = 0; i < 4; i++) {
                control.audit().append(AuditEvent.success("dev", "kid", "127.0.0.1", AuditAction.ROOM_CREATE,
                        "room:r" + i, Map.of()));
            }
        }
        Result ok = run("audit", "verify", "--data-dir", data.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("OK: 4 lines", "anchored head id 4 present");
        Path log = data.resolve("audit.log");
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        lines.removeLast();
        Files.write(log, lines);
        assertThat(run("audit", "verify", log.toString()).code()).as("the file alone still chains").isZero();
        Result cut = run("audit", "verify", "--data-dir", data.toString());
        assertThat(cut.code()).isEqualTo(1);
        assertThat(cut.out()).contains("BROKEN: line 4", "anchored head is id 4");
    }

    @Test
    void auditVerifyOnAMissingFileFails() {
        assertThat(run("audit", "verify", dir.resolve("nope.log").toString()).code()).isEqualTo(1);
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : List.of(new String[] {"--help"}, new String[] {"start", "--help"},
                new String[] {"token", "mint", "--help"}, new String[] {"keys", "list", "--help"},
                new String[] {"keys", "create", "--help"}, new String[] {"keys", "retire", "--help"},
                new String[] {"keys", "revoke", "--help"}, new String[] {"audit", "verify", "--help"})) {
            Result r = run(cmd);
            assertThat(r.code()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).contains("Usage:");
        }
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("token", "mint").code()).as("missing --room/--identity").isEqualTo(2);
    }
}
