package dev.chorus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("chorus.yaml");
        Files.writeString(f, text);
        return f;
    }

    private static List<String> problems(Path file, Map<String, String> env) {
        try {
            ConfigLoader.load(file, env);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected a configuration error");
    }

    @Test
    void noFileMeansDevModeWithDefaults() throws Exception {
        ChorusConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.isDev()).isTrue();
        assertThat(c.http().port()).isEqualTo(8443);
        assertThat(c.dataDir()).isEqualTo("./chorus-data");
    }

    @Test
    void theDocumentedSampleIsValidAndEqualToTheDefaults() throws Exception {
        Path sample = Path.of("../docs/chorus.sample.yaml");
        assertThat(sample).exists();
        assertThat(ConfigLoader.load(sample, Map.of())).isEqualTo(ChorusConfig.defaults());
    }

    @Test
    void everyDefaultKeyAppearsInTheSample() throws Exception {
        String sample = Files.readString(Path.of("../docs/chorus.sample.yaml"));
        for (String key : List.of("mode", "deploymentId", "dataDir", "bindAddress", "port", "publicUrl", "certFile",
                "keyFile", "maxBodyBytes", "maxHeaderBytes", "maxRequestLineBytes", "requestTimeout",
                "tlsHandshakeTimeout", "maxConnectionsPerIp", "maxInFlightRequests", "hstsMaxAge", "joinTimeout",
                "idleTimeout", "fragmentTimeout", "maxFrameBytes", "maxMessageBytes", "framesPerSecond", "frameBurst",
                "maxErrors", "maxSessionsPerIp", "maxTokenBytes", "tokenExpiryWarning", "tokenExpiryGrace", "drainTimeout", "resumeGrace", "udpPort", "announcedAddresses", "enabled", "tcpPort",
                "realm", "secrets", "secretsFile", "credentialTtl", "allowLoopbackPeers", "workers", "emptyRoomGrace",
                "relayAddress")) {
            assertThat(sample).as(key).containsPattern("(?m)^\\s*" + key + ":");
        }
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKeyAndTheKnownOnes() throws Exception {
        List<String> p = problems(yaml("http:\n  prot: 9000\n"), Map.of());
        assertThat(p).singleElement().asString().contains("unknown key 'http.prot'").contains("port");
        assertThat(problems(yaml("colour: blue\n"), Map.of())).singleElement().asString().contains("'colour'");
    }

    @Test
    void badPortsAreErrorsNamingTheKey() throws Exception {
        assertThat(problems(yaml("http:\n  port: 70000\n"), Map.of())).singleElement().asString()
                .contains("http.port").contains("70000");
        assertThat(problems(yaml("media:\n  udpPort: -1\n"), Map.of())).singleElement().asString().contains("media.udpPort");
        assertThat(problems(yaml("http:\n  port: eighty\n"), Map.of())).singleElement().asString().contains("http.port");
    }

    @Test
    void unreadableOrMissingFileIsAnError() throws Exception {
        assertThat(problems(dir.resolve("missing.yaml"), Map.of())).singleElement().asString().contains("does not exist");
        assertThat(problems(dir, Map.of())).singleElement().asString().contains("not a regular file");
    }

    @Test
    void fileWithoutReadPermissionIsAnError() throws Exception {
        Path f = yaml("mode: dev\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(f), "running as root: permissions are not enforced");
        assertThat(problems(f, Map.of())).singleElement().asString().contains("not readable");
    }

    @Test
    void invalidYamlReportsTheLine() throws Exception {
        assertThat(problems(yaml("http:\n  port: [8443\n"), Map.of())).singleElement().asString()
                .contains("not valid YAML").contains("line");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        List<String> p = problems(yaml("mode: staging\nhttp:\n  port: 0\n  bindAddress: localhost\n"
                + "  requestTimeout: soon\nturn:\n  credentialTtl: 1h\n"), Map.of());
        assertThat(p).hasSize(4);
        assertThat(String.join("\n", p)).contains("'mode'", "http.bindAddress", "http.requestTimeout", "turn.credentialTtl");
    }

    @Test
    void environmentOverridesFileAndDefaults() throws Exception {
        ChorusConfig c = ConfigLoader.load(yaml("http:\n  port: 9000\n"), Map.of(
                "CHORUS_HTTP_PORT", "9443",
                "CHORUS_WS_JOIN_TIMEOUT", "3s",
                "CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "203.0.113.7, media.example.org",
                "CHORUS_TURN_ENABLED", "true",
                "CHORUS_JAVA_OPTS", "-Xmx1g"));
        assertThat(c.http().port()).isEqualTo(9443);
        assertThat(c.ws().joinTimeout()).isEqualTo("3s");
        assertThat(c.media().announcedAddresses()).containsExactly("203.0.113.7", "media.example.org");
        assertThat(c.turn().enabled()).isTrue();
    }

    @Test
    void badEnvironmentValueIsAnErrorNamingTheKey() {
        assertThat(problems(null, Map.of("CHORUS_HTTP_PORT", "abc"))).singleElement().asString().contains("http.port");
    }

    @Test
    void envNameRule() {
        assertThat(ConfigLoader.envName("http.port")).isEqualTo("CHORUS_HTTP_PORT");
        assertThat(ConfigLoader.envName("http.tls.certFile")).isEqualTo("CHORUS_HTTP_TLS_CERT_FILE");
        assertThat(ConfigLoader.envName("ws.maxFrameBytes")).isEqualTo("CHORUS_WS_MAX_FRAME_BYTES");
        assertThat(ConfigLoader.envName("dataDir")).isEqualTo("CHORUS_DATA_DIR");
    }

    @Test
    void productionNeedsTlsMaterialAndItsOwnDeploymentId() throws Exception {
        List<String> p = problems(yaml("mode: production\n"), Map.of());
        assertThat(String.join("\n", p)).contains("deploymentId", "production needs a TLS certificate");
    }

    @Test
    void devDefaultsBindEveryListenerToLoopback() throws Exception {
        ChorusConfig c = ConfigLoader.load(null, Map.of());
        assertThat(List.of(c.http().bindAddress(), c.media().bindAddress(), c.turn().bindAddress(),
                c.metrics().bindAddress())).containsOnly("127.0.0.1");
        assertThat(c.media().announcedAddresses()).isEmpty(); // the bound address (127.0.0.1) is announced
        assertThat(c.metricsOnClientPort()).isTrue();
    }

    @Test
    void productionNeedsAnnouncedMediaAddressesAndKeepsMetricsOffTheClientPort() throws Exception {
        List<String> p = problems(yaml("mode: production\n"), Map.of());
        assertThat(String.join("\n", p)).contains("key 'media.announcedAddresses': production needs the address");
        Path cert = dir.resolve("c.pem");
        Files.writeString(cert, "x");
        ChorusConfig prod = ConfigLoader.load(yaml("mode: production\ndeploymentId: acme-1\nhttp:\n  tls:\n"
                + "    certFile: " + cert + "\n    keyFile: " + cert + "\nmedia:\n  bindAddress: 0.0.0.0\n"
                + "  announcedAddresses: [192.0.2.10]\n"), Map.of());
        assertThat(prod.metricsOnClientPort()).isFalse();
        assertThat(ConfigLoader.load(null, Map.of("CHORUS_METRICS_ON_CLIENT_PORT", "false")).metricsOnClientPort())
                .isFalse();
    }

    @Test
    void metricsListenerPortIsCheckedAgainstTheRangeAndTheClientPort() throws Exception {
        assertThat(String.join("\n", problems(yaml("metrics:\n  port: -2\n"), Map.of())))
                .contains("key 'metrics.port': -2 is not a port");
        assertThat(String.join("\n", problems(yaml("metrics:\n  port: 8443\n"), Map.of())))
                .contains("keys 'metrics.port' and 'http.port'");
        assertThat(String.join("\n", problems(yaml("metrics:\n  bindAddress: localhost\n"), Map.of())))
                .contains("key 'metrics.bindAddress'");
    }

    @Test
    void configuredTlsFilesMustBeReadable() throws Exception {
        List<String> p = problems(yaml("http:\n  tls:\n    certFile: /nonexistent/cert.pem\n    keyFile: /nonexistent/key.pem\n"), Map.of());
        assertThat(p).hasSize(2).allSatisfy(s -> assertThat(s).contains("not readable"));
    }

    @Test
    void portClashesBetweenPlanesAreErrors() throws Exception {
        List<String> p = problems(yaml("turn:\n  enabled: true\n  udpPort: 10000\n  tcpPort: 8443\n"), Map.of());
        assertThat(String.join("\n", p)).contains("turn.tcpPort", "turn.udpPort");
    }

    @Test
    void startWithABadConfigExitsWithCode2AndStartsNothing() throws Exception {
        Path data = dir.resolve("data");
        Path cfg = yaml("dataDir: " + data + "\nhttp:\n  port: 99999\n");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "start", "--config", cfg.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("configuration error", "http.port");
        assertThat(data).doesNotExist();
    }

    /** Fuzzing finding: a NUL in a path setting exited 1 with an exception message; now it is a per-key error, exit 2. */
    @Test
    void aNulCharacterInAPathSettingIsAConfigurationErrorNamingTheKey() throws Exception {
        for (String key : List.of("dataDir: \"/tmp/chorus\\0data\"\n", "http:\n  tls:\n    certFile: \"a\\0b\"\n    keyFile: k.pem\n",
                "turn:\n  secretsFile: \"s\\0\"\n")) {
            List<String> p = problems(yaml(key), Map.of());
            assertThat(p).as(key).anySatisfy(line -> assertThat(line).contains("not a valid path")
                    .containsAnyOf("'dataDir'", "'http.tls.certFile'", "'turn.secretsFile'").doesNotContain("\0"));
        }
        Path cfg = yaml("dataDir: \"" + dir.resolve("d") + "\\0x\"\n");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "start", "--config", cfg.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("configuration error", "key 'dataDir': not a valid path");
    }

    @Test
    void allowedOriginsMustBePlainOrigins() throws Exception {
        assertThat(ConfigLoader.load(yaml("ws:\n  allowedOrigins: [\"https://app.example.com\", \"http://localhost:3000\"]\n"),
                Map.of()).ws().allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
        assertThat(problems(yaml("ws:\n  allowedOrigins: [\"https://app.example.com/path\"]\n"), Map.of()))
                .singleElement().asString().contains("ws.allowedOrigins");
        assertThat(problems(yaml("ws:\n  allowedOrigins: [\"*\"]\n"), Map.of()))
                .singleElement().asString().contains("ws.allowedOrigins");
    }
}
