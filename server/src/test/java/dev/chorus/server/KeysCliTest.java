package dev.chorus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** `chorus keys …` and `chorus audit verify` on a data dir that dev mode bootstrapped (server stopped). */
class KeysCliTest {
    @TempDir Path tmp;

    @Test
    void keysLifecycleFromTheCliIsAuditedAndTheChainVerifies() throws Exception {
        Path data = tmp.resolve("data");
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"));
        ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream())).close();
        String dd = data.toString();

        CliTest.Result list = CliTest.run("keys", "list", "--data-dir", dd);
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out().lines()).hasSize(2).anyMatch(l -> l.contains("HS256")).anyMatch(l -> l.contains("ES256"));

        CliTest.Result created = CliTest.run("keys", "create", "--algorithm", "HS256", "--data-dir", dd);
        assertThat(created.code()).as(created.err()).isZero();
        Matcher m = Pattern.compile("^(k_[A-Za-z0-9_-]+)\\s+HS256\\s+active", Pattern.MULTILINE).matcher(created.out());
        assertThat(m.find()).isTrue();
        String kid = m.group(1);
        assertThat(created.out()).contains("secret: ");

        assertThat(CliTest.run("keys", "retire", kid, "--data-dir", dd).out()).contains("retiring");
        assertThat(CliTest.run("keys", "revoke", kid, "--data-dir", dd).out()).contains("revoked");
        CliTest.Result again = CliTest.run("keys", "retire", kid, "--data-dir", dd);
        assertThat(again.out() + again.err()).as("a revoked key never comes back").doesNotContain("retiring");
        assertThat(CliTest.run("keys", "revoke", "k_unknown", "--data-dir", dd).err()).contains("not_found");

        CliTest.Result ok = CliTest.run("audit", "verify", "--data-dir", dd);
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        Path audit = data.resolve("audit.log");
        String log = Files.readString(audit);
        assertThat(log).contains("\"actor\":\"local-cli\"", "key.create", "key.retire", "key.revoke");
        assertThat(log).doesNotContain(created.out().lines().filter(l -> l.startsWith("secret: ")).findFirst()
                .orElseThrow().substring(8));

        List<String> lines = new ArrayList<>(Files.readAllLines(audit));
        assertThat(lines.get(1)).contains("key.create");
        lines.set(1, lines.get(1).replace("key.create", "key.cre8te"));
        Files.write(audit, lines);
        CliTest.Result broken = CliTest.run("audit", "verify", "--data-dir", dd);
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.out()).contains("BROKEN: line 2");
    }
}
