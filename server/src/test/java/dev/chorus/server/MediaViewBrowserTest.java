package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.http.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who receives whom against real Chromium: three participants publish camera and microphone (fake devices) in one
 * room; the snapshot of {@code GET /v1/media/rooms} lists exactly the participants the browsers are, the tracks they
 * publish (by mid) and, per track, exactly the participants whose browser got it, active, with packets, a rate, loss
 * and a round trip from their RTCP. The API and the live page refuse a request without a valid credential; the page
 * opened with the key renders every receiver and follows the call when one participant leaves.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MediaViewBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROOM = "media-view";
    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;
    static String kid;
    static String secret;
    static SSLContext trust;

    static final String HELPERS = """
            if (!window.M) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.M = { clients: {} };
              M.join = async (key, room) => {
                const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                      body: JSON.stringify({ room, identity: 'user-' + key }) });
                const c = await Chorus.connect({ token: (await r.json()).token, room });
                const rec = { c, received: new Set() };
                M.clients[key] = rec;
                c.on('track', d => rec.received.add(d.participantId + '/' + d.trackId));
                c.on('trackRemoved', d => rec.received.delete(d.participantId + '/' + d.trackId));
                await c.publish({ audio: true, video: true });
                return c.participantId;
              };
              // what the browsers know: who each one is, the mids it publishes, what it receives
              M.call = () => JSON.stringify(Object.fromEntries(Object.entries(M.clients).map(([k, r]) => [k, {
                id: r.c.participantId,
                publishes: r.c.publisher.getTransceivers().map(t => t.mid),
                receives: [...r.received] }])));
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-mediaview-", Map.of(), HELPERS);
        chromium = fixture.chromium;
        ChorusServer server = fixture.server;
        kid = server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID).stream()
                .filter(k -> k.algorithm() == KeyAlgorithm.HS256).map(ProjectKey::kid).findFirst().orElseThrow();
        secret = Files.readString(server.dataDir().resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        trust = TestTls.trusting(server.dataDir().resolve("tls/cert.pem"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static String basic(String id, String s) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + s).getBytes(StandardCharsets.UTF_8));
    }

    /** A request from the test (not the page: a 401 challenge to a page's fetch would open the browser's prompt). */
    static HttpResponse<String> get(String path, String auth) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + fixture.server.port() + path));
        if (auth != null) b.header("Authorization", auth);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode snapshot() throws Exception {
        HttpResponse<String> r = get("/v1/media/rooms/" + ROOM, basic(kid, secret));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(r.body()).path("rooms").get(0);
    }

    /** "publisher/track" → receivers, from the snapshot. */
    static Map<String, Set<String>> receiversIn(JsonNode room) {
        Map<String, Set<String>> out = new HashMap<>();
        for (JsonNode p : room.path("participants")) {
            for (JsonNode t : p.path("tracks")) {
                Set<String> rs = new TreeSet<>();
                for (JsonNode r : t.path("receivers")) rs.add(r.path("participantId").asText());
                out.put(p.path("participantId").asText() + "/" + t.path("trackId").asText(), rs);
            }
        }
        return out;
    }

    /** The same map from what the browsers published and received. */
    static Map<String, Set<String>> receiversInBrowsers(JsonNode call) {
        Map<String, Set<String>> out = new HashMap<>();
        for (JsonNode c : call) {
            for (JsonNode mid : c.path("publishes")) out.put(c.path("id").asText() + "/" + mid.asText(), new TreeSet<>());
        }
        for (JsonNode c : call) {
            for (JsonNode t : c.path("receives")) out.computeIfAbsent(t.asText(), k -> new TreeSet<>()).add(c.path("id").asText());
        }
        return out;
    }

    static boolean everyReceiverMeasured(JsonNode room) {
        for (JsonNode p : room.path("participants")) {
            for (JsonNode t : p.path("tracks")) {
                for (JsonNode r : t.path("receivers")) {
                    if (!r.path("active").asBoolean() || r.path("bitrateBps").asLong() <= 0 || r.path("fractionLost").isNull()) {
                        return false;
                    }
                    if (t.path("kind").asText().equals("video") && r.path("rttMs").isNull()) return false;
                }
            }
        }
        return true;
    }

    @Test
    void theSnapshotAndThePageShowWhoReceivesWhomAndNeedACredential() throws Exception {
        List<String> keys = List.of("ann", "bob", "cy");
        for (String k : keys) chromium.async(HELPERS + "return await M.join(args[0], args[1]);", k, ROOM);
        assertThat(ChromiumHarness.await(() -> {
            try {
                JsonNode call = JSON.readTree(String.valueOf(chromium.eval("return M.call();")));
                for (JsonNode c : call) if (c.path("receives").size() != 4) return false;
                return true;
            } catch (Exception e) {
                return false;
            }
        }, 25)).as("everyone receives the others' audio and video").isTrue();
        JsonNode call = JSON.readTree(String.valueOf(chromium.eval("return M.call();")));

        // the API refuses a missing or wrong credential before anything is read
        for (String path : List.of("/v1/media/rooms", "/v1/media/rooms/" + ROOM, "/v1/media/view")) {
            HttpResponse<String> none = get(path, null);
            assertThat(none.statusCode()).as(path + " without credential").isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("Basic"));
            assertThat(none.body()).doesNotContain("participants").doesNotContain("<html");
            assertThat(get(path, basic(kid, secret + "x")).statusCode()).as(path + " wrong secret").isEqualTo(401);
        }

        // the snapshot: once rates and the receivers' reports are in, every receiver is active and measured
        assertThat(ChromiumHarness.await(() -> {
            try {
                return everyReceiverMeasured(snapshot());
            } catch (Exception e) {
                return false;
            }
        }, 20)).as("every receiver active with a rate, loss and (video) round trip: " + snapshot()).isTrue();
        JsonNode room = snapshot();
        assertThat(room.path("project").asText()).isEqualTo(DevProjectBootstrap.DEV_PROJECT_ID);
        Map<String, String> identities = new HashMap<>();
        for (JsonNode p : room.path("participants")) {
            identities.put(p.path("participantId").asText(), p.path("identity").asText());
            assertThat(p.path("tracks")).extracting(t -> t.path("kind").asText()).containsExactlyInAnyOrder("audio", "video");
            assertThat(p.path("receiving").asInt()).isEqualTo(4);
        }
        Map<String, String> expectedIdentities = new HashMap<>();
        for (String k : keys) expectedIdentities.put(call.path(k).path("id").asText(), "user-" + k);
        assertThat(identities).isEqualTo(expectedIdentities);
        assertThat(receiversIn(room)).isEqualTo(receiversInBrowsers(call));
        for (Set<String> rs : receiversIn(room).values()) assertThat(rs).hasSize(2);
        for (JsonNode p : room.path("participants")) {
            for (JsonNode t : p.path("tracks")) {
                assertThat(t.path("bitrateBps").asLong()).as("arriving rate").isPositive();
                for (JsonNode r : t.path("receivers")) {
                    if (t.path("kind").asText().equals("audio")) {
                        assertThat(r.path("layer").isNull()).as("a single-stream track has no layer").isTrue();
                    } else {
                        // The SDK publishes camera video with simulcast (rids q, h, f): the receiver's layer is the
                        // encoding the SFU forwards to it (none yet, while it waits for that layer's key frame).
                        JsonNode layer = r.path("layer");
                        assertThat(layer.isObject()).as("a simulcast track reports the forwarded layer: " + layer).isTrue();
                        if (!layer.path("spatial").isNull()) {
                            assertThat(layer.path("rid").asText()).isIn("q", "h", "f");
                        }
                    }
                    assertThat(r.path("packets").asLong()).isPositive();
                    assertThat(r.path("fractionLost").asDouble()).isBetween(0.0, 0.2);
                }
            }
        }

        // the live page, opened with the key (sent with every request, as a browser resends its Basic credential),
        // renders every receiver ...
        String callTab = chromium.tab();
        String pageTab = chromium.newTab(BrowserCallFixture.pageUrl("127.0.0.1", fixture.server) + "v1/media/view",
                Map.of("Authorization", basic(kid, secret)));
        try {
            assertThat(ChromiumHarness.await(() -> rows() == 12, 15)).as("12 receiver rows; page: "
                    + chromium.eval("return document.body.innerText;")).isTrue();
            String text = String.valueOf(chromium.eval("return document.body.innerText;"));
            for (String k : keys) assertThat(text).contains("user-" + k);
            assertThat(text).contains("Room " + ROOM);

            // ... and follows the call: cy leaves, the next refresh shows 2 × 2 tracks with one receiver each
            chromium.switchTo(callTab);
            chromium.async("await M.clients.cy.c.leave(); return 'ok';");
            chromium.switchTo(pageTab);
            assertThat(ChromiumHarness.await(() -> rows() == 4, 15)).as("4 receiver rows after cy left").isTrue();
        } finally {
            chromium.switchTo(callTab);
        }
        JsonNode after = snapshot();
        assertThat(after.path("participants")).hasSize(2);
        List<String> left = new ArrayList<>();
        receiversIn(after).values().forEach(left::addAll);
        assertThat(left).hasSize(4).doesNotContain(call.path("cy").path("id").asText());
        chromium.eval("for (const k of ['ann', 'bob']) M.clients[k].c.leave();");
    }

    static long rows() {
        return ((Number) chromium.eval("return document.querySelectorAll('tr.receiver').length;")).longValue();
    }
}
