package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.http.TlsMaterial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's CLI on this host: {@code admin init}, {@code projects …} and {@code keys create --scopes} offline on
 * the data dir and, with the same commands, through the running server's control channel; {@code status} and
 * {@code stop}; the secret never shows anywhere.
 */
class OperatorCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "an-operator-secret-of-enough-length";

    @TempDir Path tmp;

    Path prodConfig(Path data) throws Exception {
        Path tls = Files.createDirectories(tmp.resolve("tls"));
        if (!Files.exists(tls.resolve("cert.pem"))) {
            TlsMaterial.generateSelfSigned(tls.resolve("cert.pem"), tls.resolve("key.pem"), Duration.ofDays(1));
        }
        Path cfg = tmp.resolve("chorus.yaml");
        Files.writeString(cfg, """
                mode: production
                deploymentId: test-prod
                dataDir: %s
                http: {bindAddress: 127.0.0.1, port: 0, tls: {certFile: %s, keyFile: %s}}
                media: {bindAddress: 127.0.0.1, udpPort: 0, announcedAddresses: [127.0.0.1]}
                """.formatted(data, tls.resolve("cert.pem"), tls.resolve("key.pem")));
        return cfg;
    }

    static JsonNode json(CliTest.Result r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void operatorProjectsAndScopedKeysOfflineThenThroughTheRunningServerThenStop() throws Exception {
        Path data = tmp.resolve("data");
        Path cfg = prodConfig(data);
        String c = cfg.toString();
        Path secretFile = tmp.resolve("admin-secret");
        Files.writeString(secretFile, SECRET + "\n");

        // a refused secret creates nothing
        Files.writeString(tmp.resolve("short"), "short");
        CliTest.Result tooShort = CliTest.run("admin", "init", "--config", c, "--secret-file",
                tmp.resolve("short").toString());
        assertThat(tooShort.code()).isEqualTo(Main.USAGE);
        assertThat(tooShort.err()).contains("at least 16 characters");
        assertThat(data).doesNotExist();

        // offline: admin init creates the data dir and stores only a hash
        CliTest.Result init = CliTest.run("admin", "init", "--config", c, "--secret-file", secretFile.toString());
        assertThat(init.code()).as(init.err()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        CliTest.Result again = CliTest.run("admin", "init", "--config", c, "--secret-file", secretFile.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("conflict");
        assertThat(CliTest.run("admin", "init", "--config", c, "--replace", "--secret-file",
                tmp.resolve("short").toString()).err()).contains("at least 16 characters");

        JsonNode created = json(CliTest.run("projects", "create", "acme", "--config", c, "--json",
                "--max-participants", "20", "--max-token-ttl", "10m", "--scope-ceiling", "room:join,media:subscribe"));
        assertThat(created.path("maxParticipantsPerRoom").asInt()).isEqualTo(20);
        assertThat(created.path("maxTokenTtlSeconds").asInt()).isEqualTo(600);
        assertThat(created.path("aclMode").asBoolean()).isTrue();
        assertThat(CliTest.run("projects", "create", "acme", "--config", c).err()).contains("conflict");
        assertThat(CliTest.run("projects", "create", "Bad Id", "--config", c).err()).contains("invalid_request");
        assertThat(CliTest.run("projects", "update", "acme", "--config", c, "--max-token-ttl", "25h").err())
                .contains("invalid_request");
        CliTest.Result badMode = CliTest.run("projects", "update", "acme", "--config", c, "--acl-mode", "maybe");
        assertThat(badMode.code()).isEqualTo(Main.USAGE);
        assertThat(badMode.err()).contains("--acl-mode must be on or off");
        JsonNode key = json(CliTest.run("keys", "create", "--config", c, "--project", "acme", "--algorithm", "HS256",
                "--scopes", "tokens:mint,rooms:admin", "--json"));
        assertThat(key.at("/key/scopes")).hasSize(2);
        assertThat(CliTest.run("keys", "create", "--config", c, "--project", "acme", "--algorithm", "HS256",
                "--scopes", "everything").err()).contains("unknown API scope");
        assertThat(CliTest.run("status", "--config", c).code()).isEqualTo(StatusCommand.STOPPED);

        // running: the same commands go through the control channel
        ChorusServer server = ChorusServer.start(ConfigLoader.load(cfg, Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of());
        try {
            Path socket = data.resolve(ControlChannel.SOCKET_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
            JsonNode status = json(CliTest.run("status", "--config", c, "--json"));
            assertThat(status.path("state").asText()).isEqualTo("running");
            assertThat(status.path("mode").asText()).isEqualTo("production");
            assertThat(status.path("httpsPort").asInt()).isEqualTo(server.port());
            assertThat(status.path("operatorInitialized").asBoolean()).isTrue();

            JsonNode updated = json(CliTest.run("projects", "update", "acme", "--config", c, "--json",
                    "--max-rooms", "7", "--acl-mode", "off", "--allow-pii", "true"));
            assertThat(updated.path("maxRooms").asInt()).isEqualTo(7);
            assertThat(updated.path("aclMode").asBoolean()).isFalse();
            assertThat(server.control().store().project("acme").orElseThrow().maxRooms()).isEqualTo(7);
            json(CliTest.run("projects", "create", "globex", "--config", c, "--json"));
            JsonNode list = json(CliTest.run("projects", "list", "--config", c, "--json"));
            assertThat(list.findValuesAsText("id")).containsExactly("acme", "globex");
            assertThat(CliTest.run("projects", "delete", "globex", "--config", c).code()).as("--yes is required")
                    .isEqualTo(Main.USAGE);
            assertThat(CliTest.run("projects", "delete", "globex", "--yes", "--config", c).code()).isZero();
            assertThat(CliTest.run("projects", "show", "globex", "--config", c).err()).contains("not_found");

            CliTest.Result stop = CliTest.run("stop", "--config", c);
            assertThat(stop.code()).as(stop.err()).isZero();
            assertThat(stop.out()).contains("stopped");
            assertThat(Files.exists(socket)).isFalse();
        } finally {
            server.close();
        }
        assertThat(CliTest.run("status", "--config", c).code()).isEqualTo(StatusCommand.STOPPED);
        assertThat(CliTest.run("projects", "show", "acme", "--config", c).out()).contains("maxRooms:", "7");

        CliTest.Result verify = CliTest.run("audit", "verify", "--config", c);
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        String audit = Files.readString(data.resolve("audit.log"));
        assertThat(audit).contains("operator.init", "project.create", "project.update", "project.delete", "key.create")
                .doesNotContain(SECRET);
        assertThat(Files.readAllBytes(data.resolve("chorus.db"))).asString(StandardCharsets.ISO_8859_1)
                .doesNotContain(SECRET);
    }

    @Test
    void aFirstProductionStartTakesTheOperatorSecretFromTheFileNamedInTheEnvironment() throws Exception {
        Path data = tmp.resolve("data");
        Path cfg = prodConfig(data);
        Path secretFile = tmp.resolve("admin-secret");
        Files.writeString(secretFile, SECRET);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (ChorusServer server = ChorusServer.start(ConfigLoader.load(cfg, Map.of()),
                new PrintStream(printed, true, StandardCharsets.UTF_8),
                Map.of(OperatorSecret.FILE_ENV, secretFile.toString()))) {
            assertThat(server.control().projects().operatorInitialized()).isTrue();
            server.control().operatorAuth().authenticate("Basic " + java.util.Base64.getEncoder()
                    .encodeToString(("operator:" + SECRET).getBytes(StandardCharsets.UTF_8)), "127.0.0.1");
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
        assertThat(Files.readString(data.resolve("audit.log"))).contains("operator.init").doesNotContain(SECRET);
    }
}
