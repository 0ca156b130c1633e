package dev.chorus.signaling.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, edge: ABAC conditions hold during the whole session (timer and access-policy changes end it with
 * 4008), one live session per token, and a per-source budget of refused joins with rate-limited refusal auditing.
 * Real control edge over TLS on 127.0.0.1; the clock is the fixture's (10:00 UTC).
 */
class SessionConditionsTest {
    EdgeHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new EdgeHarness();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private String mint(String identity, String extra) throws Exception {
        return h.mint("{\"room\":\"room-a\",\"identity\":\"" + identity
                + "\",\"scopes\":[\"room:join\",\"media:subscribe\"],\"ttlSeconds\":3600" + extra + "}");
    }

    private WsTestClient joined(String token) throws Exception {
        WsTestClient c = h.ws().join("room-a", token);
        assertThat(c.next()).contains("\"type\":\"joined\"");
        return c;
    }

    @Test
    void aSessionOutsideItsHoursEndsWith4008AndIsAuditedOnce() throws Exception {
        try (WsTestClient bounded = joined(mint("user-hours", ",\"cond\":{\"hours\":\"09:00-10:30\"}"));
             WsTestClient free = joined(mint("user-free", ""))) {
            assertThat(h.edge.conditions().sweep()).as("inside its hours").isZero();
            h.fx.clock.advance(Duration.ofMinutes(31)); // 10:31 UTC
            int before = h.audit().size();
            assertThat(h.edge.conditions().sweep()).isEqualTo(1);
            WsTestClient.Closed closed = bounded.awaitClose(5);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.CONDITIONS_NOT_MET);
            assertThat(free.isClosed()).isFalse();
            List<String> audit = h.auditSince(before);
            assertThat(audit).singleElement().asString().contains("\"action\":\"session.close\"",
                    "\"reason\":\"abac_hours\"");
            free.send("{\"type\":\"ping\"}");
            assertThat(free.next()).contains("pong");
        }
    }

    @Test
    void anAccessPolicyChangeThroughTheApiEndsSessionsOutsideTheNewSourceRangeAtOnce() throws Exception {
        try (WsTestClient c = joined(mint("user-cidr", ""))) {
            HttpResponse<String> r = h.post("/v1/access-policy", h.acmeBasic(), "{\"allowedCidrs\":[\"10.0.0.0/8\"]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.CONDITIONS_NOT_MET);
            assertThat(h.audit()).anySatisfy(l -> assertThat(l).contains("\"action\":\"session.close\"",
                    "\"reason\":\"abac_cidr\""));
        }
    }

    @Test
    void aSecondJoinWithTheSameTokenIsRefusedWhileTheFirstSessionLives() throws Exception {
        String token = mint("user-once", "");
        try (WsTestClient first = joined(token); WsTestClient second = h.ws().join("room-a", token)) {
            assertThat(second.awaitClose(5).code()).isEqualTo(WsCloseCodes.JOIN_REFUSED);
            assertThat(h.audit().getLast()).contains("\"reason\":\"token_in_use\"");
            assertThat(first.isClosed()).isFalse();
        }
        // the first session ended: the token may reconnect
        for (int i = 0; i < 100 && h.edge.sessions().size() != 0; i++) Thread.sleep(20);
        try (WsTestClient again = joined(token)) {
            assertThat(again.isClosed()).isFalse();
        }
    }

    @Test
    void aSourceThatKeepsFailingIsRefusedUnverifiedAndItsFloodIsAuditedAsACount() throws Exception {
        int before = h.audit().size();
        String forged = mint("user-x", "").replaceAll("\\.[^.]+$", ".AAAA");
        for (int i = 0; i < 40; i++) {
            assertThat(h.control.admission().liveSessions("acme", "user-x")).isZero();
            try {
                h.control.admission().admit(forged, "room-a", "198.51.100.9");
            } catch (dev.chorus.signaling.auth.TokenRefusedException e) {
                assertThat(e.reason().code()).isIn("bad_signature", "throttled");
            }
        }
        String good = mint("user-y", "");
        h.fx.counting.reset();
        try {
            h.control.admission().admit(good, "room-a", "198.51.100.9");
            throw new AssertionError("a throttled source must be refused");
        } catch (dev.chorus.signaling.auth.TokenRefusedException e) {
            assertThat(e.reason().code()).isEqualTo("throttled");
        }
        assertThat(h.fx.counting.calls("key")).as("no key lookup, so no signature check").isZero();
        assertThat(h.control.admission().admit(good, "room-a", "198.51.100.10")).as("other sources unaffected")
                .isNotNull();
        List<String> refusals = h.auditSince(before).stream().filter(l -> l.contains("198.51.100.9")).toList();
        assertThat(refusals).hasSize(10);
        assertThat(h.control.refusals().flush()).as("the window has not ended").isZero();
        h.fx.clock.advance(Duration.ofMinutes(1));
        assertThat(h.control.refusals().flush()).isEqualTo(1);
        assertThat(h.audit().getLast()).contains("\"action\":\"audit.suppressed\"", "\"source\":\"198.51.100.9\"",
                "\"suppressed\":\"31\"");
    }

    @Test
    void aProjectCanLetASecondJoinWithTheSameTokenReplaceTheFirstSession() throws Exception {
        HttpResponse<String> r = h.post("/v1/access-policy", h.acmeBasic(),
                "{\"replaceSameTokenSession\":true,\"maxSessionsPerIdentity\":1}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"replaceSameTokenSession\":true");
        String token = mint("user-again", "");
        try (WsTestClient first = joined(token); WsTestClient second = joined(token)) {
            WsTestClient.Closed closed = first.awaitClose(5);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.REVOKED);
            assertThat(closed.reason()).isEqualTo("replaced");
            assertThat(second.isClosed()).isFalse();
            assertThat(h.audit()).anySatisfy(l -> assertThat(l).contains("\"action\":\"session.close\"",
                    "\"reason\":\"replaced\""));
        }
    }

    @Test
    void parallelWebSocketJoinsOfOneIdentityAdmitAtMostMaxSessions() throws Exception {
        List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) tokens.add(mint("user-race", ",\"cond\":{\"maxSessions\":1}"));
        List<WsTestClient> clients = new java.util.ArrayList<>();
        try {
            for (String t : tokens) clients.add(h.ws().join("room-a", t)); // all sent before any is answered
            int joined = 0;
            int refused = 0;
            for (WsTestClient c : clients) {
                String first = c.next();
                if (first != null && first.contains("\"type\":\"joined\"")) joined++;
                else if (c.awaitClose(5).code() == WsCloseCodes.JOIN_REFUSED) refused++;
            }
            assertThat(joined).isEqualTo(1);
            assertThat(refused).isEqualTo(7);
            assertThat(h.audit()).filteredOn(l -> l.contains("\"reason\":\"abac_max_sessions\"")).hasSize(7);
        } finally {
            clients.forEach(WsTestClient::close);
        }
    }
}
