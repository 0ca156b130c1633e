package dev.chorus.signaling.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.live.LiveHarness.Peer;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Token refresh and expiry of live sessions, and the ABAC conditions and PII guard at join and refresh, over the
 * real WebSocket edge (SECURITY-CHECKLIST 8, 9, 49: every refusal is exactly one audit event naming the rule).
 */
@ExtendWith(NettyLeakGuard.class)
class LiveSessionTest {
    /** Tokens live 3 s; the server warns 1 s ahead and closes 0.5 s after expiry. */
    final LiveHarness h;

    LiveSessionTest() throws Exception {
        h = new LiveHarness(Duration.ofSeconds(1), Duration.ofMillis(500));
    }

    @AfterEach
    void close() {
        h.close();
    }

    ObjectNode shortLived(String identity) {
        ObjectNode c = h.claims(identity, "room:join media:subscribe");
        c.put("exp", c.get("iat").asLong() + 3);
        return c;
    }

    List<String> auditSince(int before) {
        List<String> all = h.fx.auditLines();
        return all.subList(before, all.size());
    }

    @Test
    void refreshedThreeTimesTheSessionLivesOnThenExpiresWithReasonAndAudit() throws Exception {
        Peer p = h.join(h.fx.es256(shortLived("user-r")));
        for (int i = 0; i < 3; i++) {
            h.fx.clock.advance(Duration.ofSeconds(2)); // the control plane's clock moves with the session
            p.awaitWithin("token_expiring", 4000);
            p.ws.send(h.JSON.createObjectNode().put("type", "refresh").put("token", h.fx.es256(shortLived("user-r")))
                    .toString());
            JsonNode refreshed = p.awaitWithin("refreshed", 4000);
            assertThat(refreshed.get("expiresAt").asLong()).isEqualTo(h.fx.clock.instant().getEpochSecond() + 3);
        }
        assertThat(p.ws.isClosed()).isFalse();
        assertThat(h.fx.auditLines().stream().filter(l -> l.contains("\"action\":\"refresh\"")
                && l.contains("\"outcome\":\"success\""))).hasSize(3);
        int before = h.fx.auditLines().size();
        // no refresh this time: closed after expiry + grace with 4005 and one audit event
        var closed = p.ws.awaitClose(6);
        assertThat(closed.code()).isEqualTo(WsCloseCodes.TOKEN_EXPIRED);
        assertThat(closed.reason()).isEqualTo("token expired");
        assertThat(auditSince(before)).singleElement().asString()
                .contains("\"action\":\"session.close\"", "\"reason\":\"token_expired\"");
    }

    @Test
    void refreshMustBeTheSameIdentityAndNotRevoked() throws Exception {
        Peer p = h.join(h.fx.es256(h.claims("user-a", "room:join media:subscribe")));
        int before = h.fx.auditLines().size();
        p.ws.send(h.JSON.createObjectNode().put("type", "refresh")
                .put("token", h.fx.es256(h.claims("user-b", "room:join media:subscribe"))).toString());
        assertThat(p.await("error").get("code").asText()).isEqualTo("refresh_refused");
        ObjectNode revoked = h.claims("user-a", "room:join media:subscribe");
        h.post("/v1/revocations/tokens", "{\"jti\":\"" + revoked.get("jti").asText() + "\"}");
        p.ws.send(h.JSON.createObjectNode().put("type", "refresh").put("token", h.fx.es256(revoked)).toString());
        assertThat(p.await("error").get("code").asText()).isEqualTo("refresh_refused");
        ObjectNode otherRoom = h.claims("user-a", "room:join media:subscribe");
        otherRoom.put("room", "room-b");
        p.ws.send(h.JSON.createObjectNode().put("type", "refresh").put("token", h.fx.es256(otherRoom)).toString());
        assertThat(p.await("error").get("code").asText()).isEqualTo("refresh_refused");
        List<String> events = auditSince(before).stream().filter(l -> l.contains("\"action\":\"refresh\"")).toList();
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).contains("\"reason\":\"refresh_mismatch\"");
        assertThat(events.get(1)).contains("\"reason\":\"token_revoked\"");
        assertThat(events.get(2)).contains("\"reason\":\"wrong_room\"");
        assertThat(p.ws.isClosed()).isFalse(); // the session keeps its current token
    }

    /** Joins with {@code token} and expects a refusal audited with {@code reason}. */
    void assertJoinRefused(String token, String reason) throws Exception {
        int before = h.fx.auditLines().size();
        try (WsTestClient c = WsTestClient.connect(h.tls.clientContext, h.port).join(ControlFixture.ROOM, token)) {
            assertThat(c.awaitClose(5).code()).as(reason).isEqualTo(WsCloseCodes.JOIN_REFUSED);
        }
        assertThat(auditSince(before)).as(reason).singleElement().asString()
                .contains("\"outcome\":\"refused\"", "\"reason\":\"" + reason + "\"");
    }

    @Test
    void abacConditionsAreCheckedAtJoinAndNameTheDenyingRule() throws Exception {
        // cidr: the client is 127.0.0.1; the policy is written as an IPv4-mapped IPv6 block and still matches
        assertThat(h.post("/v1/access-policy", "{\"allowedCidrs\":[\"10.0.0.0/8\"]}").statusCode()).isEqualTo(200);
        assertJoinRefused(h.fx.es256(h.claims("user-c", "room:join")), "abac_cidr");
        h.post("/v1/access-policy", "{\"allowedCidrs\":[\"::ffff:127.0.0.0/104\"],\"maxSessionsPerIdentity\":1}");
        assertThat(h.get("/v1/access-policy").body()).contains("\"allowedCidrs\":[\"127.0.0.0/8\"]");
        Peer first = h.join(h.fx.es256(h.claims("user-c", "room:join")));
        assertJoinRefused(h.fx.es256(h.claims("user-c", "room:join")), "abac_max_sessions");
        first.ws.close();
        LiveHarness.await(() -> h.edge.sessions().size() == 0, "first session gone");
        h.join(h.fx.es256(h.claims("user-c", "room:join")));

        // token conditions narrow further: a validity window, a CIDR, daily hours (fixture clock: 10:00 UTC)
        ObjectNode late = h.claims("user-d", "room:join");
        late.putObject("cond").put("notAfter", h.fx.clock.instant().getEpochSecond());
        assertJoinRefused(h.fx.es256(late), "abac_validity_window");
        ObjectNode elsewhere = h.claims("user-d", "room:join");
        elsewhere.putObject("cond").putArray("cidr").add("192.0.2.0/24");
        assertJoinRefused(h.fx.es256(elsewhere), "abac_cidr");
        ObjectNode night = h.claims("user-d", "room:join");
        night.putObject("cond").put("hours", "22:00-06:00");
        assertJoinRefused(h.fx.es256(night), "abac_hours");
        ObjectNode malformed = h.claims("user-d", "room:join");
        malformed.putObject("cond").put("cidr", "not-a-list");
        assertJoinRefused(h.fx.es256(malformed), "invalid_claim");
        ObjectNode ok = h.claims("user-d", "room:join");
        ok.putObject("cond").put("hours", "08:00-18:00").putArray("cidr").add("127.0.0.1");
        h.join(h.fx.es256(ok));
        assertThat(AuditVerifier.verify(h.fx.audit.file()).intact()).isTrue();
    }

    @Test
    void piiGuardRefusesEmailAndPhoneIdentitiesInProductionWarnsInDevAndHasAProjectOptOut() throws Exception {
        assertJoinRefused(h.fx.es256(h.claims("alice@example.com", "room:join")), "pii_identity");
        assertJoinRefused(h.fx.es256(h.claims("+44 20 7946 0958", "room:join")), "pii_identity");
        ObjectNode meta = h.claims("user-e", "room:join");
        meta.putObject("meta").put("contact", "bob@example.org");
        assertJoinRefused(h.fx.es256(meta), "pii_meta");
        String line = String.join("\n", h.fx.auditLines());
        assertThat(line).doesNotContain("alice@example.com", "bob@example.org", "7946");

        h.control.devMode(true); // dev mode: admitted with a warning
        h.join(h.fx.es256(h.claims("alice@example.com", "room:join")));
        h.control.devMode(false);
        assertJoinRefused(h.fx.es256(h.claims("carol@example.com", "room:join")), "pii_identity");
        // documented per-project opt-out
        h.post("/v1/access-policy", "{\"allowPiiIdentities\":true}");
        h.join(h.fx.es256(h.claims("carol@example.com", "room:join")));
        assertThat(h.fx.auditLines()).anyMatch(l -> l.contains("\"action\":\"access_policy_changed\"")
                && l.contains("\"allow_pii\":\"true\""));
    }
}
