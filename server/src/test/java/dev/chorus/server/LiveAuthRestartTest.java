package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.signaling.audit.AuditVerification;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
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
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live-authorization state survives a restart of the whole server (same data dir): ACL grants and revocations,
 * scope overrides, the access policy, jti and subject revocations and a revoked key still apply afterwards, and the
 * audit chain verifies across the restart.
 */
@ExtendWith(NettyLeakGuard.class)
class LiveAuthRestartTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;
    ChorusServer server;
    SSLContext trust;
    String auth;

    void start() throws Exception {
        Path data = tmp.resolve("data");
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0",
                "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"));
        server = ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        trust = TestTls.trusting(data.resolve("tls/cert.pem"));
        String kid = server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID).stream()
                .filter(k -> k.algorithm() == KeyAlgorithm.HS256).map(ProjectKey::kid).findFirst().orElseThrow();
        String secret = Files.readString(data.resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        auth = "Basic " + Base64.getEncoder().encodeToString((kid + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<String> r = call(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 201);
        return JSON.readTree(r.body());
    }

    String mint(String identity) throws Exception {
        return ok("POST", "/v1/tokens", "{\"room\":\"demo\",\"identity\":\"" + identity
                + "\",\"scopes\":[\"room:join\",\"media:subscribe\"]}").get("token").asText();
    }

    int joinCode(String token) throws Exception {
        try (WsTestClient c = WsTestClient.connect(trust, server.port()).join("demo", token)) {
            String first = c.next();
            if (first != null && JSON.readTree(first).path("type").asText().equals("joined")) return 0;
            return c.awaitClose(5).code();
        }
    }

    @Test
    void grantsRevocationsOverridesAndPolicySurviveAServerRestartAndTheAuditChainVerifies() throws Exception {
        start();
        ok("POST", "/v1/acl/grants", "{\"subscriber\":\"agent-1\",\"publisher\":\"caller-1\"}");
        ok("POST", "/v1/acl/revocations", "{\"subscriber\":\"agent-2\",\"publisher\":\"caller-1\",\"kind\":\"video\"}");
        ok("POST", "/v1/rooms", "{\"room\":\"demo\"}");
        ok("POST", "/v1/rooms/demo/permissions", "{\"identity\":\"agent-3\",\"revoke\":[\"media:subscribe\"]}");
        ok("POST", "/v1/access-policy", "{\"maxSessionsPerIdentity\":2}");
        String revokedToken = mint("user-jti");
        String jti = new String(Base64.getUrlDecoder().decode(revokedToken.split("\\.")[1]), StandardCharsets.UTF_8)
                .replaceAll(".*\"jti\":\"([^\"]+)\".*", "$1");
        ok("POST", "/v1/revocations/tokens", "{\"jti\":\"" + jti + "\"}");
        String subjectToken = mint("user-gone");
        Thread.sleep(1100); // a subject watermark has whole-second resolution: revoke in a later second than iat
        ok("POST", "/v1/revocations/subjects", "{\"subject\":\"user-gone\"}");
        JsonNode key = ok("POST", "/v1/keys", "{\"algorithm\":\"HS256\"}");
        String kid = key.path("key").path("kid").asText();
        ok("POST", "/v1/keys/" + kid + "/revoke", "{}");
        server.close();

        start(); // same data dir
        JsonNode acl = ok("GET", "/v1/acl", null).get("entries");
        assertThat(acl).hasSize(2);
        assertThat(acl.get(0).get("effect").asText()).isEqualTo("allow");
        assertThat(acl.get(1).get("effect").asText()).isEqualTo("deny");
        assertThat(ok("GET", "/v1/rooms/demo/permissions", null).toString()).contains("agent-3", "media:subscribe");
        assertThat(ok("GET", "/v1/access-policy", null).get("maxSessionsPerIdentity").asInt()).isEqualTo(2);
        assertThat(ok("GET", "/v1/keys/" + kid, null).get("state").asText()).isEqualTo("revoked");
        assertThat(joinCode(revokedToken)).isEqualTo(WsCloseCodes.JOIN_REFUSED);
        assertThat(joinCode(subjectToken)).isEqualTo(WsCloseCodes.JOIN_REFUSED);
        assertThat(joinCode(mint("user-fresh"))).isZero();
        server.close();
        server = null;

        Path log = tmp.resolve("data").resolve("audit.log");
        AuditVerification v = AuditVerifier.verify(log);
        assertThat(v.intact()).as(v.problem()).isTrue();
        String audit = Files.readString(log);
        assertThat(audit).contains("\"action\":\"acl_granted\"", "\"action\":\"acl_revoked\"",
                "\"action\":\"permission_changed\"", "\"action\":\"access_policy_changed\"",
                "\"reason\":\"token_revoked\"", "\"reason\":\"subject_revoked\"");
    }

    @org.junit.jupiter.api.AfterEach
    void stop() {
        if (server != null) server.close();
    }
}
