package dev.chorus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A start that fails leaves no half-made data dir behind, and never removes one that existed before. */
class FailedStartTest {
    @TempDir Path tmp;

    static ChorusConfig dev(Path data, int port) throws ConfigException {
        return ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT",
                Integer.toString(port), "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"));
    }

    @Test
    void portInUseOnAFreshDataDirLeavesNoDataDir() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> ChorusServer.start(dev(data, busy.getLocalPort()),
                    new PrintStream(new ByteArrayOutputStream()), Map.of())).isInstanceOf(java.io.IOException.class);
        }
        assertThat(data).doesNotExist();
        // the next start begins from nothing and works
        try (ChorusServer s = ChorusServer.start(dev(data, 0), new PrintStream(new ByteArrayOutputStream()), Map.of())) {
            assertThat(s.control().store().project("dev")).isPresent();
        }
    }

    @Test
    void badProductionConfigurationOnAFreshDataDirLeavesNoDataDir() throws Exception {
        Path data = tmp.resolve("prod-data");
        // files that exist (the loader checks that) but hold no certificate: the start itself fails
        Files.writeString(tmp.resolve("bad-cert.pem"), "not a certificate");
        Files.writeString(tmp.resolve("bad-key.pem"), "not a key");
        ChorusConfig prod = ConfigLoader.load(null, Map.of("CHORUS_MODE", "production", "CHORUS_DEPLOYMENT_ID", "p1",
                "CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0",
                "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1", "CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "127.0.0.1",
                "CHORUS_HTTP_TLS_CERT_FILE", tmp.resolve("bad-cert.pem").toString(),
                "CHORUS_HTTP_TLS_KEY_FILE", tmp.resolve("bad-key.pem").toString()));
        assertThatThrownBy(() -> ChorusServer.start(prod, new PrintStream(new ByteArrayOutputStream()), Map.of()))
                .isInstanceOf(ConfigException.class);
        assertThat(data).doesNotExist();
        Path secret = Files.writeString(tmp.resolve("short-secret"), "too-short");
        Path tls = Files.createDirectories(tmp.resolve("tls"));
        dev.chorus.signaling.http.TlsMaterial.generateSelfSigned(tls.resolve("cert.pem"), tls.resolve("key.pem"),
                java.time.Duration.ofDays(1));
        ChorusConfig good = ConfigLoader.load(null, Map.of("CHORUS_MODE", "production", "CHORUS_DEPLOYMENT_ID", "p1",
                "CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0",
                "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1", "CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "127.0.0.1",
                "CHORUS_HTTP_TLS_CERT_FILE", tls.resolve("cert.pem").toString(),
                "CHORUS_HTTP_TLS_KEY_FILE", tls.resolve("key.pem").toString()));
        assertThatThrownBy(() -> ChorusServer.start(good, new PrintStream(new ByteArrayOutputStream()),
                Map.of(OperatorSecret.FILE_ENV, secret.toString()))).isInstanceOf(ConfigException.class);
        assertThat(data).doesNotExist();
    }

    @Test
    void aFailedStartKeepsADataDirThatExistedBefore() throws Exception {
        Path data = tmp.resolve("data");
        ChorusServer.start(dev(data, 0), new PrintStream(new ByteArrayOutputStream()), Map.of()).close();
        byte[] db = Files.readAllBytes(data.resolve("chorus.db"));
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> ChorusServer.start(dev(data, busy.getLocalPort()),
                    new PrintStream(new ByteArrayOutputStream()), Map.of())).isInstanceOf(java.io.IOException.class);
        }
        assertThat(data.resolve("chorus.db")).exists();
        assertThat(data.resolve("dev-api-secret.txt")).exists();
        assertThat(Files.readAllBytes(data.resolve("chorus.db")).length).isGreaterThanOrEqualTo(db.length);
    }
}
