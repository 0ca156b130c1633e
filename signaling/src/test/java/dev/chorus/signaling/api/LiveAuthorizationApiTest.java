package dev.chorus.signaling.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live-authorization routes: authenticated, project-scoped, strict bodies, audited refusals. */
class LiveAuthorizationApiTest {
    final EdgeHarness h;

    LiveAuthorizationApiTest() throws Exception {
        h = new EdgeHarness();
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void routesNeedCredentialsAndStayInsideTheCallersProject() throws Exception {
        for (String path : new String[] {"/v1/acl", "/v1/access-policy", "/v1/rooms/room-a/permissions"}) {
            assertThat(h.get(path, null).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(h.post("/v1/acl/grants", null, "{\"subscriber\":\"a\",\"publisher\":\"b\"}").statusCode())
                .isEqualTo(401);
        assertThat(h.post("/v1/acl/grants", h.acmeBasic(), "{\"subscriber\":\"a\",\"publisher\":\"b\"}").statusCode())
                .isEqualTo(200);
        assertThat(h.get("/v1/acl", h.acmeBasic()).body()).contains("\"subscriber\":\"a\"");
        assertThat(h.get("/v1/acl", h.globexBasic()).body()).isEqualTo("{\"entries\":[]}");
        // acme's room-b does not exist for globex (globex has its own room-a only)
        assertThat(h.post("/v1/rooms/room-b/permissions", h.globexBasic(),
                "{\"identity\":\"a\",\"revoke\":[\"media:subscribe\"]}").statusCode()).isEqualTo(404);
        assertThat(h.get("/v1/rooms/room-b/permissions", h.globexBasic()).statusCode()).isEqualTo(404);
        assertThat(h.audit()).anyMatch(l -> l.contains("\"action\":\"permission_changed\"")
                && l.contains("\"outcome\":\"refused\"") && l.contains("\"project\":\"globex\""));
    }

    @Test
    void badBodiesAreRefusedWithReasons() throws Exception {
        assertThat(h.post("/v1/acl/grants", h.acmeBasic(), "{\"subscriber\":\"a\"}").statusCode()).isEqualTo(400);
        assertThat(h.post("/v1/acl/grants", h.acmeBasic(), "{\"subscriber\":\"a\",\"publisher\":\"b\",\"x\":1}")
                .statusCode()).isEqualTo(400);
        assertThat(h.post("/v1/acl/revocations", h.acmeBasic(),
                "{\"subscriber\":\"a\",\"publisher\":\"b\",\"kind\":\"smell\"}").statusCode()).isEqualTo(400);
        var unknownScope = h.post("/v1/rooms/room-a/permissions", h.acmeBasic(),
                "{\"identity\":\"a\",\"revoke\":[\"media:teleport\"]}");
        assertThat(unknownScope.statusCode()).isEqualTo(400);
        assertThat(unknownScope.body()).contains("unknown_scope");
        assertThat(h.post("/v1/rooms/room-a/permissions", h.acmeBasic(), "{\"identity\":\"a\"}").statusCode())
                .isEqualTo(400);
        var aclOff = h.post("/v1/access-policy", h.acmeBasic(), "{\"aclMode\":false}");
        assertThat(aclOff.statusCode()).isEqualTo(400);
        assertThat(aclOff.body()).contains("dev mode");
        assertThat(h.post("/v1/access-policy", h.acmeBasic(), "{\"maxSessionsPerIdentity\":-1}").statusCode())
                .isEqualTo(400);
        assertThat(h.post("/v1/access-policy", h.acmeBasic(), "{\"allowedCidrs\":[\"localhost\"]}").statusCode())
                .isEqualTo(400);
        var ok = h.post("/v1/rooms/room-a/permissions", h.acmeBasic(),
                "{\"identity\":\"a\",\"revoke\":[\"media:publish:video\"],\"restore\":[\"media:subscribe\"]}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"identity\":\"a\",\"revoked\":[\"media:publish:video\"]}");
    }

    @Test
    void mintedTokensCarryConditionsAndPiiIdentitiesAreRefusedAtMint() throws Exception {
        var minted = h.post("/v1/tokens", h.acmeBasic(), "{\"room\":\"room-a\",\"identity\":\"user-9\","
                + "\"scopes\":[\"room:join\"],\"cond\":{\"cidr\":[\"192.0.2.0/24\"]}}");
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(minted.body()).get("token").asText();
        int before = h.audit().size();
        try (var c = h.ws().join("room-a", token)) {
            assertThat(c.awaitClose(5).code()).isEqualTo(dev.chorus.signaling.ws.WsCloseCodes.JOIN_REFUSED);
        }
        assertThat(h.auditSince(before)).singleElement().asString().contains("\"reason\":\"abac_cidr\"");
        assertThat(h.post("/v1/tokens", h.acmeBasic(), "{\"room\":\"room-a\",\"identity\":\"u\","
                + "\"scopes\":[\"room:join\"],\"cond\":{\"hours\":\"25:00-26:00\"}}").statusCode()).isEqualTo(400);
        var pii = h.post("/v1/tokens", h.acmeBasic(),
                "{\"room\":\"room-a\",\"identity\":\"dana@example.com\",\"scopes\":[\"room:join\"]}");
        assertThat(pii.statusCode()).isEqualTo(400);
        assertThat(pii.body()).contains("e-mail");
        h.post("/v1/access-policy", h.acmeBasic(), "{\"allowPiiIdentities\":true}");
        assertThat(h.post("/v1/tokens", h.acmeBasic(),
                "{\"room\":\"room-a\",\"identity\":\"dana@example.com\",\"scopes\":[\"room:join\"]}")
                .statusCode()).isEqualTo(201);
    }
}
