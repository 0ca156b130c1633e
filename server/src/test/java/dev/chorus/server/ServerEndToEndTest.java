package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.auth.BackendTokenMinter;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real server as `chorus start` wires it: dev bootstrap into a temp dir, generated certificate, ephemeral port.
 * A backend mints a token over HTTPS with the dev API key, a real WebSocket client (trusting only the generated
 * certificate) joins with it; expired, forged and wrong-room tokens are refused.
 */
class ServerEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;
    Path data;
    ChorusServer server;
    String banner;
    SSLContext trust;
    String apiKeyId;
    String signingKid;

    @BeforeEach
    void start() throws Exception {
        data = tmp.resolve("chorus-data");
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server = ChorusServer.start(cfg, new PrintStream(out, true, StandardCharsets.UTF_8));
        banner = out.toString(StandardCharsets.UTF_8);
        trust = TestTls.trusting(data.resolve("tls/cert.pem"));
        for (ProjectKey k : server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID)) {
            if (k.algorithm() == KeyAlgorithm.HS256) apiKeyId = k.kid();
            if (k.algorithm() == KeyAlgorithm.ES256) signingKid = k.kid();
        }
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private String secret() throws Exception {
        return Files.readString(data.resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
    }

    private HttpResponse<String> mintOverHttps(String room, String identity) throws Exception {
        String auth = Base64.getEncoder().encodeToString((apiKeyId + ":" + secret()).getBytes(StandardCharsets.UTF_8));
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/v1/tokens"))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"" + room + "\",\"identity\":\"" + identity
                        + "\",\"scopes\":[\"room:join\",\"media:subscribe\"]}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void devStartPrintsHowToMintWithoutSecretsAndKeepsKeysPrivate() throws Exception {
        assertThat(banner).contains("https://localhost:" + server.port(), "curl --cacert", "/v1/tokens",
                "chorus token mint --room demo --identity user-1", apiKeyId, DevProjectBootstrap.API_SECRET_FILE);
        assertThat(banner).doesNotContain(secret(), "PRIVATE KEY");
        for (String f : new String[] {DevProjectBootstrap.API_SECRET_FILE, DevProjectBootstrap.SIGNING_KEY_FILE, "tls/key.pem"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(f)))).as(f).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        HttpClient client = HttpClient.newBuilder().sslContext(trust).build();
        assertThat(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void tokenMintedOverHttpsAdmitsARealWebSocketClient() throws Exception {
        HttpResponse<String> minted = mintOverHttps("demo", "user-1");
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        String token = JSON.readTree(minted.body()).get("token").asText();
        try (WsTestClient c = WsTestClient.connect(trust, server.port()).join("demo", token)) {
            JsonNode joined = JSON.readTree(c.next());
            assertThat(joined.get("type").asText()).isEqualTo("joined");
            assertThat(joined.get("room").asText()).isEqualTo("demo");
            assertThat(server.edge().sessions().size()).isEqualTo(1);
        }
    }

    @Test
    void tokenFromTheCliWithTheDevSigningKeyIsAdmittedWhileTheServerRuns() throws Exception {
        CliTest.Result r = CliTest.run("token", "mint", "--data-dir", data.toString(), "--room", "demo", "--identity", "cli-user");
        assertThat(r.code()).as(r.err()).isZero();
        String token = r.out().trim();
        assertThat(token.split("\\.")).hasSize(3);
        try (WsTestClient c = WsTestClient.connect(trust, server.port()).join("demo", token)) {
            assertThat(c.next()).contains("\"type\":\"joined\"");
        }
        // While the server owns the data dir (one audit chain writer), key commands go through its control channel.
        CliTest.Result keys = CliTest.run("keys", "list", "--data-dir", data.toString());
        assertThat(keys.code()).as(keys.err()).isZero();
        assertThat(keys.out()).contains("HS256", "ES256");
    }

    @Test
    void expiredForgedAndWrongRoomTokensAreRefused() throws Exception {
        PrivateKey devKey = BackendTokenMinter.readPrivateKeyPem(Files.readString(data.resolve(DevProjectBootstrap.SIGNING_KEY_FILE)));
        long now = Instant.now().getEpochSecond();
        String expired = BackendTokenMinter.sign(devKey, signingKid, "chorus-join+jwt",
                "{\"iss\":\"dev\",\"aud\":\"chorus-dev\",\"sub\":\"u\",\"jti\":\"" + "j".repeat(22) + "\",\"iat\":" + (now - 1200)
                        + ",\"nbf\":" + (now - 1200) + ",\"exp\":" + (now - 600) + ",\"room\":\"demo\",\"scope\":\"room:join\"}");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair attacker = g.generateKeyPair();
        String forged = BackendTokenMinter.joinToken(attacker.getPrivate(), signingKid, "dev", "chorus-dev", "demo", "u",
                "room:join", Duration.ofMinutes(5));
        String otherRoom = BackendTokenMinter.joinToken(devKey, signingKid, "dev", "chorus-dev", "other-room", "u",
                "room:join", Duration.ofMinutes(5));
        for (String token : new String[] {expired, forged, otherRoom}) {
            try (WsTestClient c = WsTestClient.connect(trust, server.port()).join("demo", token)) {
                assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.JOIN_REFUSED);
            }
        }
        assertThat(server.edge().sessions().size()).isZero();
        assertThat(Files.readString(data.resolve("audit.log"))).contains("\"reason\":\"expired\"",
                "\"reason\":\"bad_signature\"", "\"reason\":\"wrong_room\"");
    }

    @Test
    void secondServerOnTheSameDataDirAndProductionOnDevKeysAreRefused() throws Exception {
        ChorusConfig again = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"));
        assertThatThrownBy(() -> ChorusServer.start(again, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("in use");
        server.close();
        server = null;
        ChorusConfig prod = ConfigLoader.load(null, Map.of("CHORUS_MODE", "production", "CHORUS_DEPLOYMENT_ID", "prod-1",
                "CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1",
                "CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "127.0.0.1",
                "CHORUS_HTTP_TLS_CERT_FILE", data.resolve("tls/cert.pem").toString(),
                "CHORUS_HTTP_TLS_KEY_FILE", data.resolve("tls/key.pem").toString()));
        assertThatThrownBy(() -> ChorusServer.start(prod, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dev keys");
    }
}
