package dev.chorus.signaling.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.common.testing.ThrowawayPostgres;
import dev.chorus.signaling.audit.AuditAnchor;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.store.PostgresStore;
import dev.chorus.signaling.store.StoreSettings;
import dev.chorus.signaling.ws.WsSettings;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real control edge on a real PostgreSQL that goes away and comes back: readiness turns false, the WebSocket
 * upgrade (a join) is refused with 503 {@code store_unavailable}, the API answers 503, and all of it recovers without
 * restarting anything.
 */
class StoreOutageEdgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void joinsAreRefusedWith503WhileTheDatabaseIsDownAndAdmittedAgainAfter() throws Exception {
        Clock clock = Clock.systemUTC();
        try (ThrowawayPostgres pg = ThrowawayPostgres.start()) {
            PostgresStore store = PostgresStore.open(StoreSettings.postgres(pg.jdbcUrl(), pg.user(), pg.passwordFile())
                    .withPool(4, Duration.ofMillis(500)));
            Instant now = clock.instant();
            store.createProject(Project.withDefaults("acme", "Acme", now).withHs256JoinTokens(true));
            String kid = KeyMaterial.newKid();
            String secret = KeyMaterial.newHs256Secret();
            store.insertKey(ProjectKey.active(kid, "acme", KeyAlgorithm.HS256,
                    secret.getBytes(StandardCharsets.US_ASCII), now).withApiScopes(ApiScope.all()));
            store.createRoom(Room.open("acme", "room-a", now));
            AuditLog audit = AuditLog.open(dir.resolve("audit.log"), clock, AuditAnchor.in(store, clock));
            ChorusMetrics metrics = new ChorusMetrics(false);
            ControlPlane control = new ControlPlane(store, audit, "chorus-test", clock, metrics.registry());
            TestTls tls = TestTls.generate(Files.createDirectories(dir.resolve("tls")));
            ControlEdge edge = new ControlEdge(new HttpSettings("127.0.0.1", 0, 4096, 4096, 1024,
                    Duration.ofSeconds(5), Duration.ofSeconds(5), 32, 31_536_000L, 16),
                    new WsSettings("/v1/ws", Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(1), 8192,
                            16384, 20, 40, 5, 16, 8192), tls.serverContext, control, metrics, clock, List.of());
            try {
                int port = edge.start().getPort();
                String api = "Basic " + Base64.getEncoder().encodeToString((kid + ":" + secret)
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(within(Duration.ofSeconds(30), () -> get(tls, port, "/readyz").statusCode() == 200))
                        .as("ready before the outage").isTrue();
                assertThat(mint(tls, port, api).statusCode()).isEqualTo(201);

                pg.stop();
                assertThat(within(Duration.ofSeconds(15), () -> get(tls, port, "/readyz").statusCode() == 503))
                        .as("readiness turns false").isTrue();
                HttpResponse<String> ready = get(tls, port, "/readyz");
                assertThat(JSON.readTree(ready.body()).at("/checks/store").asText()).isEqualTo("down");
                assertThat(upgradeStatus(tls, port)).as("a join is refused before the upgrade").isEqualTo(503);
                HttpResponse<String> minted = mint(tls, port, api);
                assertThat(minted.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(minted.body()).at("/error/code").asText("")
                        + JSON.readTree(minted.body()).path("code").asText("")).contains("store_unavailable");

                pg.startAgain();
                assertThat(within(Duration.ofSeconds(30), () -> get(tls, port, "/readyz").statusCode() == 200))
                        .as("readiness recovers without a restart").isTrue();
                assertThat(mint(tls, port, api).statusCode()).isEqualTo(201);
                assertThat(upgradeStatus(tls, port)).as("joins are admitted to the upgrade again").isEqualTo(101);
            } finally {
                edge.close();
                metrics.close();
                control.close();
            }
        }
    }

    private static HttpResponse<String> get(TestTls tls, int port, String path) throws Exception {
        return tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> mint(TestTls tls, int port, String auth) throws Exception {
        return tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v1/tokens"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"room-a\",\"identity\":\"user-1\","
                        + "\"scopes\":[\"room:join\",\"media:subscribe\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The HTTP status of a WebSocket upgrade to {@code /v1/ws}: 101 when it was accepted. */
    private static int upgradeStatus(TestTls tls, int port) throws Exception {
        try {
            WebSocket ws = tls.httpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("wss://127.0.0.1:" + port + "/v1/ws"), new WebSocket.Listener() { })
                    .get(15, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until {@code check} holds or {@code limit} passes (bounded). */
    private static boolean within(Duration limit, Check check) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (check.holds()) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // a connect that timed out on a loaded machine: ask again until the limit
            }
            Thread.sleep(200);
        }
        return check.holds();
    }
}
