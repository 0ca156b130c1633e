package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.sdp.SdpFixtures;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The call messages on the wire, against the real server (dev mode, temp dir, ephemeral loopback ports) with a real
 * WebSocket client: strict validation (SECURITY-CHECKLIST 19), publish refusals (20), presence, the participant
 * limit, and session ends (leave, room close, removal) taking the participant out of the SFU.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@org.junit.jupiter.api.extension.ExtendWith(dev.chorus.media.transport.NettyLeakGuard.class)
class CallProtocolTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;
    ChorusServer server;
    SSLContext trust;

    @BeforeEach
    void start() throws Exception {
        ChorusConfig cfg = ConfigLoader.load(null, Map.of("CHORUS_DATA_DIR", tmp.resolve("data").toString(),
                "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1",
                "CHORUS_MEDIA_WORKERS", "1"));
        server = ChorusServer.start(cfg, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        trust = TestTls.trusting(tmp.resolve("data/tls/cert.pem"));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private HttpResponse<String> http(String method, String path, String body) throws Exception {
        return JsonHttps.send(trust, server.port(), method, path, body);
    }

    private String token(String room, String identity, List<String> scopes) throws Exception {
        HttpResponse<String> r = http("POST", "/dev/token", JSON.writeValueAsString(
                scopes == null ? Map.of("room", room, "identity", identity)
                        : Map.of("room", room, "identity", identity, "scopes", scopes)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("token").asText();
    }

    private WsTestClient joinAs(String room, String identity, List<String> scopes) throws Exception {
        return WsTestClient.connect(trust, server.port()).join(room, token(room, identity, scopes));
    }

    private static JsonNode error(WsTestClient c, String send) throws Exception {
        c.send(send);
        return c.next("error");
    }

    @Test
    void joinedCarriesParticipantsTracksAndIceServersAndPresenceIsAnnounced() throws Exception {
        try (WsTestClient a = joinAs("r1", "alice", null)) {
            JsonNode ja = a.next("joined");
            assertThat(ja.get("participants")).isEmpty();
            assertThat(ja.get("iceServers").isArray()).isTrue(); // TURN off here: no servers
            assertThat(ja.get("rights").toString()).contains("media:publish:video", "media:subscribe");
            a.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp", SdpFixtures.chromiumAudioVideoOffer())));
            JsonNode answer = a.next("publishAnswer");
            assertThat(answer.get("sdp").asText()).contains("a=ice-lite", "a=recvonly");
            try (WsTestClient b = joinAs("r1", "bob", null)) {
                JsonNode jb = b.next("joined");
                JsonNode alice = jb.get("participants").get(0);
                assertThat(alice.get("participantId").asText()).isEqualTo(ja.get("participantId").asText());
                assertThat(alice.get("identity").asText()).isEqualTo("alice");
                assertThat(alice.get("tracks")).hasSize(2);
                JsonNode offer = b.next("subscriberOffer");
                assertThat(offer.get("tracks")).hasSize(2);
                assertThat(offer.get("tracks").get(0).get("participantId").asText()).isEqualTo(ja.get("participantId").asText());
                JsonNode joined = a.next("participantJoined");
                assertThat(joined.at("/participant/participantId").asText()).isEqualTo(jb.get("participantId").asText());
                b.send("{\"type\":\"leave\"}");
                assertThat(b.awaitClose(5).code()).isEqualTo(WsCloseCodes.NORMAL);
                JsonNode left = a.next("participantLeft");
                assertThat(left.get("participantId").asText()).isEqualTo(jb.get("participantId").asText());
            }
        }
    }

    /** Checklist 19: strict validation of the call messages; each bad one is an error reply and changes nothing. */
    @Test
    void badCallMessagesGetStableErrorsAndChangeNothing() throws Exception {
        try (WsTestClient a = joinAs("r2", "alice", null)) {
            a.next("joined");
            assertThat(error(a, "{\"type\":\"subscribe-me\"}").get("code").asText()).isEqualTo("unknown_type");
            assertThat(error(a, "{\"type\":\"publish\",\"sdp\":5}").get("code").asText()).isEqualTo("bad_message");
            assertThat(error(a, "{\"type\":\"publish\"}").get("code").asText()).isEqualTo("bad_message");
            assertThat(error(a, "{\"type\":\"publish\",\"sdp\":\"v=0\",\"extra\":1}").get("code").asText()).isEqualTo("bad_message");
            assertThat(error(a, "{\"type\":\"publish\",\"sdp\":\"v=0\",\"kinds\":{\"0\":\"hologram\"}}").get("code").asText())
                    .isEqualTo("bad_message");
            assertThat(error(a, "{\"type\":\"mute\",\"trackId\":\"0\",\"muted\":\"yes\"}").get("code").asText()).isEqualTo("bad_message");
            String huge = "v=0\r\n" + "a=x\r\n".repeat(20_000);
            assertThat(error(a, JSON.writeValueAsString(Map.of("type", "publish", "sdp", huge))).get("code").asText())
                    .isEqualTo("sdp_too_large");
            // thousands of m-lines: within the size limit, refused by the SDP parser's limits
            String manyLines = SdpFixtures.chromiumAudioVideoOffer() + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n".repeat(1500);
            assertThat(manyLines.length()).isLessThan(64 * 1024);
            assertThat(error(a, JSON.writeValueAsString(Map.of("type", "publish", "sdp", manyLines))).get("code").asText())
                    .isEqualTo("bad_sdp");
            assertThat(error(a, JSON.writeValueAsString(Map.of("type", "publish", "sdp", "v=0\r\nthis is not sdp\r\n")))
                    .get("code").asText()).isEqualTo("bad_sdp");
            assertThat(error(a, JSON.writeValueAsString(Map.of("type", "subscriberAnswer", "sdp", "v=0\r\n")))
                    .get("code").asText()).isIn("no_pending_offer", "bad_sdp");
            assertThat(error(a, "{\"type\":\"mute\",\"trackId\":\"nope\",\"muted\":true}").get("code").asText())
                    .isEqualTo("unknown_track");
            // nothing changed: no track was published, and a valid publish still works
            assertThat(server.sfu().room("dev/r2").orElseThrow().tracks().get(5, TimeUnit.SECONDS)).isEmpty();
            a.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp", SdpFixtures.chromiumAudioVideoOffer())));
            a.next("publishAnswer");
            assertThat(server.sfu().room("dev/r2").orElseThrow().tracks().get(5, TimeUnit.SECONDS)).hasSize(2);
            assertThat(a.isClosed()).isFalse();
        }
    }

    /** Checklist 20: publishing a kind the token does not grant (video without media:publish:video) is refused. */
    @Test
    void publishingAnUngrantedKindIsRefusedWithoutState() throws Exception {
        try (WsTestClient a = joinAs("r3", "audio-only", List.of("room:join", "media:publish:audio"))) {
            a.next("joined");
            JsonNode e = error(a, JSON.writeValueAsString(Map.of("type", "publish", "sdp", SdpFixtures.chromiumAudioVideoOffer())));
            assertThat(e.get("code").asText()).isEqualTo("publish_not_allowed");
            assertThat(server.sfu().room("dev/r3").orElseThrow().tracks().get(5, TimeUnit.SECONDS)).isEmpty();
        }
    }

    /** The project's maxParticipantsPerRoom: one more is refused with 4006 and audited; others are unaffected. */
    @Test
    void aFullRoomRefusesTheNextParticipantWithAStableCode() throws Exception {
        var store = server.control().store();
        Project p = store.project(DevProjectBootstrap.DEV_PROJECT_ID).orElseThrow();
        store.updateProject(p.withLimits(2, p.maxRooms()));
        try (WsTestClient a = joinAs("r4", "a", null); WsTestClient b = joinAs("r4", "b", null)) {
            a.next("joined");
            b.next("joined");
            try (WsTestClient c = joinAs("r4", "c", null)) {
                WsTestClient.Closed closed = c.awaitClose(10);
                assertThat(closed.code()).isEqualTo(WsCloseCodes.ROOM_FULL);
            }
            assertThat(server.calls().participants()).isEqualTo(2);
            a.send("{\"type\":\"ping\"}");
            assertThat(a.next("pong")).isNotNull();
            String audit = java.nio.file.Files.readString(server.dataDir().resolve("audit.log"));
            assertThat(audit).contains("\"room_full\"");
        }
    }

    /** Session ends through the API (room close, participant removal) also close the participant in the SFU. */
    @Test
    void closingTheRoomOrRemovingAParticipantTakesItOutOfTheSfu() throws Exception {
        BackendPrincipal backend = devBackend();
        try (WsTestClient a = joinAs("r5", "a", null); WsTestClient b = joinAs("r5", "b", null)) {
            a.next("joined");
            String bid = b.next("joined").get("participantId").asText();
            assertThat(server.sfu().room("dev/r5").orElseThrow().participantIds().get(5, TimeUnit.SECONDS)).hasSize(2);
            HttpResponse<String> removed = backendPost(backend, "/v1/rooms/r5/participants/" + bid + "/remove");
            assertThat(removed.statusCode()).as(removed.body()).isIn(200, 204);
            assertThat(b.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
            assertThat(dev.chorus.media.transport.ChromiumHarness.await(() -> {
                try {
                    return server.sfu().room("dev/r5").orElseThrow().participantIds().get(5, TimeUnit.SECONDS).size() == 1;
                } catch (Exception e) {
                    return false;
                }
            }, 2)).as("removed participant left the SFU within 1-2 s").isTrue();
            server.control().rooms().close(backend, "r5", "127.0.0.1");
            assertThat(a.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
            assertThat(dev.chorus.media.transport.ChromiumHarness.await(() -> server.sfu().room("dev/r5").isEmpty(), 2))
                    .as("media room closed with the room").isTrue();
            assertThat(server.calls().participants()).isZero();
        }
    }

    private BackendPrincipal devBackend() {
        for (ProjectKey k : server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID)) {
            if (k.algorithm() == KeyAlgorithm.HS256) {
                return new BackendPrincipal(DevProjectBootstrap.DEV_PROJECT_ID, k.kid(), KeyAlgorithm.HS256,
                        BackendPrincipal.Method.API_KEY);
            }
        }
        throw new AssertionError("no dev API key");
    }

    private HttpResponse<String> backendPost(BackendPrincipal backend, String path) throws Exception {
        String secret = java.nio.file.Files.readString(server.dataDir().resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        String auth = java.util.Base64.getEncoder().encodeToString((backend.kid() + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
                .header("Authorization", "Basic " + auth).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The web assets are public; the dev token endpoint exists in dev mode only (production: 404). */
    @Test
    void webAssetsAreServedAndTheDevTokenEndpointIsDevOnly() throws Exception {
        HttpResponse<String> page = http("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
        HttpResponse<String> sdk = http("GET", "/sdk/chorus.js", null);
        assertThat(sdk.statusCode()).isEqualTo(200);
        assertThat(sdk.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(sdk.body()).contains("export class Chorus");
        assertThat(http("POST", "/dev/token", "{\"room\":\"x\"}").statusCode()).isEqualTo(200);

        Path certDir = tmp.resolve("prod-tls");
        java.nio.file.Files.createDirectories(certDir);
        dev.chorus.signaling.http.TlsMaterial.generateSelfSigned(certDir.resolve("cert.pem"), certDir.resolve("key.pem"),
                java.time.Duration.ofDays(1));
        server.close();
        server = null;
        ChorusConfig prod = ConfigLoader.load(null, Map.of("CHORUS_MODE", "production", "CHORUS_DEPLOYMENT_ID", "prod-1",
                "CHORUS_DATA_DIR", tmp.resolve("prod-data").toString(), "CHORUS_HTTP_PORT", "0",
                "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1",
                "CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "127.0.0.1",
                "CHORUS_HTTP_TLS_CERT_FILE", certDir.resolve("cert.pem").toString(),
                "CHORUS_HTTP_TLS_KEY_FILE", certDir.resolve("key.pem").toString()));
        server = ChorusServer.start(prod, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        trust = TestTls.trusting(certDir.resolve("cert.pem"));
        assertThat(http("POST", "/dev/token", "{\"room\":\"x\"}").statusCode()).isEqualTo(404);
        assertThat(http("GET", "/dev/token", null).statusCode()).isEqualTo(404);
        assertThat(http("GET", "/sdk/chorus.js", null).statusCode()).isEqualTo(200);
        // production keeps metrics off the client port (metrics.onClientPort unset): only the private listener has them
        assertThat(http("GET", "/metrics", null).statusCode()).isEqualTo(404);
    }

    private String mint(String room, String identity, List<String> groups, dev.chorus.signaling.auth.PeerPolicy policy,
                        java.util.Set<dev.chorus.signaling.project.Scope> scopes) {
        return server.control().issuer().mint(devBackend(), new dev.chorus.signaling.auth.MintRequest(room, identity,
                scopes, null, groups, policy, null, java.time.Duration.ofMinutes(10)), "127.0.0.1").token();
    }

    private static final java.util.Set<dev.chorus.signaling.project.Scope> FULL = java.util.EnumSet.of(
            dev.chorus.signaling.project.Scope.ROOM_JOIN, dev.chorus.signaling.project.Scope.PUBLISH_AUDIO,
            dev.chorus.signaling.project.Scope.PUBLISH_VIDEO, dev.chorus.signaling.project.Scope.SUBSCRIBE);

    /** Publishes the fixture offer and waits for the answer. */
    private static void publish(WsTestClient c) throws Exception {
        c.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp", SdpFixtures.chromiumAudioVideoOffer())));
        c.next("publishAnswer");
    }

    /** Participant ids of the tracks in the next subscriber offer. */
    private static java.util.Set<String> offeredPublishers(WsTestClient c) throws Exception {
        JsonNode offer = c.next("subscriberOffer");
        java.util.Set<String> out = new java.util.HashSet<>();
        for (JsonNode t : offer.get("tracks")) out.add(t.get("participantId").asText());
        return out;
    }

    /**
     * Checklist 22: the token's peer policy decides whose tracks are offered: a {@code sub:} deny hides that
     * publisher's tracks (never announced, never offered), a {@code grp:} allow admits only that group.
     */
    @Test
    void thePeerPolicyDecidesWhoseTracksAreOffered() throws Exception {
        try (WsTestClient alice = WsTestClient.connect(trust, server.port())
                .join("r6", mint("r6", "alice", List.of("hosts"), null, FULL));
             WsTestClient bob = WsTestClient.connect(trust, server.port()).join("r6", mint("r6", "bob", List.of(), null, FULL))) {
            String aid = alice.next("joined").get("participantId").asText();
            String bid = bob.next("joined").get("participantId").asText();
            publish(alice);
            publish(bob);
            try (WsTestClient carol = WsTestClient.connect(trust, server.port()).join("r6", mint("r6", "carol", List.of(),
                    dev.chorus.signaling.auth.PeerPolicy.of(List.of(), List.of("sub:alice"), -1, -1), FULL));
                 WsTestClient dave = WsTestClient.connect(trust, server.port()).join("r6", mint("r6", "dave", List.of(),
                    dev.chorus.signaling.auth.PeerPolicy.of(List.of("grp:hosts"), List.of(), -1, -1), FULL))) {
                JsonNode jc = carol.next("joined");
                for (JsonNode p : jc.get("participants")) {
                    if (p.get("participantId").asText().equals(aid)) assertThat(p.get("tracks")).isEmpty();
                }
                assertThat(offeredPublishers(carol)).containsExactly(bid);
                dave.next("joined");
                assertThat(offeredPublishers(dave)).containsExactly(aid);
            }
        }
    }

    /** A refresh applies the new token's rights in the SFU at once: gaining media:subscribe brings an offer. */
    @Test
    void aRefreshWithMoreRightsStartsReceiving() throws Exception {
        try (WsTestClient alice = joinAs("r7", "alice", null);
             WsTestClient eve = joinAs("r7", "eve", List.of("room:join"))) {
            String aid = alice.next("joined").get("participantId").asText();
            eve.next("joined");
            publish(alice);
            eve.send(JSON.writeValueAsString(Map.of("type", "refresh", "token",
                    token("r7", "eve", List.of("room:join", "media:subscribe")))));
            JsonNode refreshed = eve.next("refreshed");
            assertThat(refreshed.get("rights").toString()).contains("media:subscribe");
            assertThat(offeredPublishers(eve)).containsExactly(aid);
        }
    }

    /**
     * Checklist 21 (through a refresh, the live path available today): losing media:subscribe mid-call unsubscribes
     * at once; the client is told (trackUnpublished, reason subscribe_rights_revoked) and gets an offer without them.
     */
    @Test
    void aRefreshWithFewerRightsStopsReceivingAndSaysWhy() throws Exception {
        try (WsTestClient alice = joinAs("r8", "alice", null); WsTestClient eve = joinAs("r8", "eve", null)) {
            String aid = alice.next("joined").get("participantId").asText();
            eve.next("joined");
            publish(alice);
            assertThat(offeredPublishers(eve)).containsExactly(aid);
            eve.send(JSON.writeValueAsString(Map.of("type", "refresh", "token", token("r8", "eve", List.of("room:join")))));
            eve.next("refreshed");
            JsonNode gone = eve.next("trackUnpublished");
            assertThat(gone.get("reason").asText()).isEqualTo("subscribe_rights_revoked");
            assertThat(gone.at("/track/participantId").asText()).isEqualTo(aid);
        }
    }

    /** Revoking the session's token (or its subject) closes the session (4004) and its SFU participant within 1 s. */
    @Test
    void revocationClosesTheSessionAndItsSfuParticipant() throws Exception {
        String token = token("r9", "mallory", null);
        String jti = JSON.readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1])).get("jti").asText();
        try (WsTestClient a = joinAs("r9", "alice", null);
             WsTestClient m = WsTestClient.connect(trust, server.port()).join("r9", token)) {
            a.next("joined");
            m.next("joined");
            assertThat(server.sfu().room("dev/r9").orElseThrow().participantIds().get(5, TimeUnit.SECONDS)).hasSize(2);
            server.control().revocations().revokeToken(devBackend(), jti, "127.0.0.1");
            assertThat(m.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
            assertThat(dev.chorus.media.transport.ChromiumHarness.await(() -> {
                try {
                    return server.sfu().room("dev/r9").orElseThrow().participantIds().get(5, TimeUnit.SECONDS).size() == 1;
                } catch (Exception e) {
                    return false;
                }
            }, 1)).as("revoked participant left the SFU within 1 s").isTrue();
            assertThat(a.next("participantLeft").get("participantId").asText()).isNotEmpty();
        }
    }

    // ---- issue 16: ICE restart and graceful drain ---------------------------------------------------------------

    private static String ufrag(String sdp) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertThat(m.find()).as("ice-ufrag in " + sdp).isTrue();
        return m.group(1);
    }

    @Test
    void aPublishOfferWithANewUfragRestartsIceOnTheSameTransportWithoutTouchingTracks() throws Exception {
        try (WsTestClient a = joinAs("restart", "alice", null)) {
            a.next("joined");
            String offer = SdpFixtures.chromiumAudioVideoOffer();
            a.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp", offer)));
            String first = a.next("publishAnswer").get("sdp").asText();
            var tracksBefore = server.sfu().room("dev/restart").orElseThrow().tracks().get(5, TimeUnit.SECONDS);
            assertThat(tracksBefore).hasSize(2);
            // RTCPeerConnection.restartIce(): same DTLS fingerprint, SSRCs and mids; new ufrag and password
            String restarted = offer.replace("a=ice-ufrag:z9iH", "a=ice-ufrag:R3st")
                    .replace("a=ice-pwd:CLT80rl+vmELmSZXP/2cWxFp", "a=ice-pwd:NewPassw0rdForTheRestart1");
            a.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp", restarted)));
            JsonNode answer = a.next("publishAnswer");
            String second = answer.get("sdp").asText();
            assertThat(ufrag(second)).as("fresh SFU credentials for the new ICE generation").isNotEqualTo(ufrag(first));
            assertThat(second).contains("a=ice-lite", "a=recvonly");
            assertThat(server.sfu().room("dev/restart").orElseThrow().tracks().get(5, TimeUnit.SECONDS))
                    .as("the same tracks, not republished").isEqualTo(tracksBefore);
            // the subscribe side asks by message; without subscriptions there is nothing to offer and nothing fails
            a.send("{\"type\":\"iceRestart\"}");
            a.send("{\"type\":\"iceRestart\",\"extra\":1}");
            assertThat(a.next("error").get("code").asText()).isEqualTo("bad_message");
        }
    }

    @Test
    void drainTurnsReadinessFalseRefusesNewSessionsTellsJoinedOnesAndClosesOnceTheyLeft() throws Exception {
        try (WsTestClient a = joinAs("drain", "alice", null)) {
            a.next("joined");
            assertThat(http("GET", "/readyz", null).statusCode()).isEqualTo(200);
            String late = token("drain", "late", null);
            Thread drain = Thread.ofPlatform().name("test-drain").start(server::drainAndClose);
            JsonNode draining = a.next("draining");
            assertThat(draining.get("deadline").asLong()).isGreaterThan(java.time.Instant.now().getEpochSecond());
            assertThat(server.accepting()).isFalse();
            assertThat(http("GET", "/readyz", null).statusCode()).as("not ready while draining").isEqualTo(503);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsTestClient.connect(trust, server.port())
                    .join("drain", late)).as("no new session while draining");
            assertThat(drain.isAlive()).as("waits for the joined session").isTrue();
            a.send("{\"type\":\"leave\"}");
            drain.join(5_000);
            assertThat(drain.isAlive()).as("closed once the last session left, before the 10 s timeout").isFalse();
        }
    }
}
