package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.sdp.SdpFixtures;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.webhook.HttpsWebhookReceiver;
import dev.chorus.signaling.webhook.WebhookReceiver;
import dev.chorus.signaling.webhook.WebhookSignature;
import dev.chorus.signaling.ws.WsTestClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks from a real server to a real HTTPS receiver (an app backend's, on loopback): a scripted call produces
 * every event in order, each signature verifies, a replayed or tampered request is refused by the receiver's
 * checks, and with the receiver down for 30 s — and the server restarted meanwhile — nothing is lost.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class WebhookCallTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;
    HttpsWebhookReceiver receiver;
    ChorusServer server;
    SSLContext trust;
    String auth;

    @BeforeEach
    void start() throws Exception {
        receiver = new HttpsWebhookReceiver(tmp.resolve("receiver"), null, Clock.systemUTC());
        startServer();
        JsonNode created = api("POST", "/v1/webhooks", "{\"url\":\"" + receiver.url() + "\"}", 201);
        assertThat(created.get("secret").asText()).startsWith("whsec_");
        receiver.useSecret(created.get("secret").asText().getBytes(StandardCharsets.US_ASCII));
        // the secret is shown once: listing never repeats it
        assertThat(api("GET", "/v1/webhooks", null, 200).toString()).doesNotContain("whsec_");
    }

    private void startServer() throws Exception {
        Path data = tmp.resolve("data");
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", data.toString(), "CHORUS_HTTP_PORT", "0",
                "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1", "CHORUS_MEDIA_WORKERS", "1",
                "CHORUS_WEBHOOKS_CA_FILE", receiver.certFile().toString(),
                // the backoff reaches 16-32 s during the 30 s outage by default; a receiver that is back must be
                // retried within the test's wait
                "CHORUS_WEBHOOKS_MAX_RETRY_DELAY", "2s"));
        server = ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        trust = TestTls.trusting(data.resolve("tls/cert.pem"));
        String kid = server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID).stream()
                .filter(k -> k.algorithm() == KeyAlgorithm.HS256).map(ProjectKey::kid).findFirst().orElseThrow();
        String secret = Files.readString(data.resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        auth = "Basic " + Base64.getEncoder().encodeToString((kid + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The client closes its WebSocket with 1000 (as a page that closes does): the participant leaves at once with
     * reason {@code disconnected}. A connection that just drops would be kept for a session resume first.
     */
    private static void closeCleanly(WsTestClient c) throws Exception {
        c.ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(5, java.util.concurrent.TimeUnit.SECONDS);
        c.awaitClose(5);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (receiver != null) receiver.close();
    }

    private JsonNode api(String method, String path, String body, int status) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port()
                        + path)).header("Authorization", auth).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private String mint(String room, String identity) throws Exception {
        return api("POST", "/v1/tokens", JSON.writeValueAsString(Map.of("room", room, "identity", identity,
                "scopes", List.of("room:join", "media:publish:audio", "media:publish:video", "media:subscribe"))),
                201).get("token").asText();
    }

    private WsTestClient join(String room, String identity) throws Exception {
        return WsTestClient.connect(trust, server.port()).join(room, mint(room, identity));
    }

    private static void await(BooleanSupplier c, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!c.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(25);
        assertThat(c.getAsBoolean()).as("within " + max).isTrue();
    }

    /** Waits until the receiver accepted {@code n} events in all and returns the types, in arrival order. */
    private List<String> types(int n) throws Exception {
        await(() -> receiver.accepted().size() >= n, Duration.ofSeconds(20));
        return receiver.accepted().stream().map(r -> {
            try {
                return JSON.readTree(r.body()).get("type").asText();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private JsonNode event(int i) throws Exception {
        return JSON.readTree(receiver.accepted().get(i).body());
    }

    @Test
    void aScriptedCallReachesTheReceiverInOrderSignedAndReplaysAreRefused() throws Exception {
        try (WsTestClient alice = join("standup", "alice")) {
            String aliceId = alice.next("joined").get("participantId").asText();
            assertThat(types(2)).containsExactly("room.started", "participant.joined");
            alice.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp", SdpFixtures.chromiumAudioVideoOffer())));
            alice.next("publishAnswer");
            assertThat(types(4).subList(2, 4)).containsExactly("track.published", "track.published");
            try (WsTestClient bob = join("standup", "bob")) {
                bob.next("joined");
                assertThat(types(5).get(4)).isEqualTo("participant.joined");
                api("POST", "/v1/rooms/standup/permissions", "{\"identity\":\"bob\",\"revoke\":[\"media:subscribe\"]}",
                        200);
                assertThat(types(6).get(5)).isEqualTo("permission.changed");
                api("POST", "/v1/revocations/subjects", "{\"subject\":\"bob\"}", 200);
                assertThat(bob.awaitClose(5)).isNotNull();
                List<String> t = types(8);
                assertThat(t.subList(6, 8)).containsExactlyInAnyOrder("revocation.applied", "participant.left");
            }
            // a revoked token's join is refused, and reported with its reason code
            JsonNode minted = api("POST", "/v1/tokens", "{\"room\":\"standup\",\"identity\":\"eve\",\"scopes\":[\"room:join\"]}", 201);
            api("POST", "/v1/revocations/tokens", "{\"jti\":\"" + minted.get("jti").asText() + "\"}", 200);
            assertThat(types(9).get(8)).isEqualTo("revocation.applied");
            try (WsTestClient eve = WsTestClient.connect(trust, server.port()).join("standup",
                    minted.get("token").asText())) {
                assertThat(eve.awaitClose(5)).isNotNull();
            }
            assertThat(types(10).get(9)).isEqualTo("join.refused");
            assertThat(event(9).at("/data/reason").asText()).isNotEmpty();
            closeCleanly(alice);
            List<String> t = types(14);
            assertThat(t.subList(10, 14)).containsExactly("track.unpublished", "track.unpublished",
                    "participant.left", "room.finished");
            assertThat(event(12).at("/data/participantId").asText()).isEqualTo(aliceId);
            assertThat(event(12).at("/data/reason").asText()).isEqualTo("disconnected");
        }
        assertThat(receiver.received()).allMatch(r -> r.verdict() == WebhookReceiver.Verdict.ACCEPTED);
        assertThat(event(0).at("/actor/kind").asText()).isEqualTo("participant");
        assertThat(event(5).at("/actor/kind").asText()).isEqualTo("backend");

        // a captured request sent again is refused as a replay; an altered one fails its signature
        HttpsWebhookReceiver.Received first = receiver.accepted().get(0);
        assertThat(resend(first.signature(), first.body())).isEqualTo(409);
        assertThat(resend(first.signature(), first.body().replace("standup", "standuq"))).isEqualTo(401);
        assertThat(resend(WebhookSignature.sign("wrong".getBytes(StandardCharsets.US_ASCII), Instant.now(),
                first.body()), first.body())).isEqualTo(401);
    }

    private int resend(String signature, String body) throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(receiver.clientContext()).build();
        return c.send(HttpRequest.newBuilder(receiver.url()).header(WebhookSignature.HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void nothingIsLostWhileTheReceiverIsDownFor30sNorAcrossAServerRestart() throws Exception {
        receiver.stop();
        long downSince = System.nanoTime();
        try (WsTestClient carol = join("night", "carol")) {
            carol.next("joined");
            closeCleanly(carol);
        }
        await(() -> server.control().store().webhooks().pending() >= 4, Duration.ofSeconds(10));
        // half way through the outage the server restarts: what it queued is on disk
        Thread.sleep(10_000);
        server.close();
        server = null;
        startServer();
        try (WsTestClient dave = join("night", "dave")) {
            dave.next("joined");
            closeCleanly(dave);
        }
        long remaining = Duration.ofSeconds(30).toNanos() - (System.nanoTime() - downSince);
        if (remaining > 0) Thread.sleep(remaining / 1_000_000);
        assertThat(receiver.received()).isEmpty();
        receiver.restart();
        List<String> t = types(8);
        assertThat(t).containsExactly("room.started", "participant.joined", "participant.left", "room.finished",
                "room.started", "participant.joined", "participant.left", "room.finished");
        assertThat(receiver.accepted()).hasSize(8);
        assertThat(receiver.received()).allMatch(r -> r.verdict() == WebhookReceiver.Verdict.ACCEPTED);
        await(() -> server.control().store().webhooks().pending() == 0, Duration.ofSeconds(5));
    }
}
