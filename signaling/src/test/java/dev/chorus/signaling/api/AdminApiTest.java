package dev.chorus.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.testing.ControlFixture;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's HTTP API on the real edge: a project from creation to deletion, its first key (whose scopes then
 * work on the backend API), refusals with stable codes, and every change in the audit trail.
 */
class AdminApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "the-operator-secret-of-this-test";

    @Test
    void aProjectFromCreationToDeletionThroughTheAdminApi() throws Exception {
        try (EdgeHarness h = new EdgeHarness()) {
            h.fx.store.putOperatorCredential(OperatorCredential.create(SECRET, h.fx.clock.instant()));
            String op = EdgeHarness.basic("operator", SECRET);

            HttpResponse<String> created = h.post("/v1/admin/projects", op, """
                    {"id":"initech","name":"Initech","maxParticipantsPerRoom":8,"maxRooms":4,"maxTokenTtlSeconds":900,
                     "scopeCeiling":["room:join","media:subscribe"],"allowPiiIdentities":true,"hs256JoinTokens":true}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode p = JSON.readTree(created.body());
            assertThat(p.path("maxParticipantsPerRoom").asInt()).isEqualTo(8);
            assertThat(p.path("scopeCeiling")).hasSize(2);
            assertThat(p.path("aclMode").asBoolean()).isTrue();
            assertThat(p.path("allowPiiIdentities").asBoolean()).isTrue();
            assertThat(h.post("/v1/admin/projects", op, "{\"id\":\"initech\"}").statusCode()).isEqualTo(409);
            assertThat(h.post("/v1/admin/projects", op, "{\"id\":\"Not Valid\"}").statusCode()).isEqualTo(400);
            assertThat(h.post("/v1/admin/projects", op, "{\"id\":\"x\",\"maxRooms\":0}").statusCode()).isEqualTo(400);
            assertThat(h.post("/v1/admin/projects", op, "{\"id\":\"x\",\"scopeCeiling\":[\"root\"]}").statusCode())
                    .isEqualTo(400);
            assertThat(h.fx.store.project("x")).isEmpty();

            HttpResponse<String> patched = h.call("PATCH", "/v1/admin/projects/initech", op, "application/json",
                    "{\"maxRooms\":9,\"aclMode\":false}");
            assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
            assertThat(JSON.readTree(patched.body()).path("maxRooms").asInt()).isEqualTo(9);
            assertThat(h.fx.store.accessPolicy("initech").orElseThrow().aclMode()).isFalse();
            assertThat(h.call("PATCH", "/v1/admin/projects/initech", op, "application/json", "{\"id\":\"other\"}")
                    .statusCode()).isEqualTo(400);
            assertThat(h.call("PATCH", "/v1/admin/projects/nope", op, "application/json", "{\"maxRooms\":2}")
                    .statusCode()).isEqualTo(404);

            HttpResponse<String> key = h.post("/v1/admin/projects/initech/keys", op,
                    "{\"algorithm\":\"HS256\",\"scopes\":[\"rooms:admin\"]}");
            assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
            JsonNode k = JSON.readTree(key.body());
            String keyAuth = EdgeHarness.basic(k.at("/key/kid").asText(), k.path("secret").asText());
            assertThat(h.post("/v1/rooms", keyAuth, "{\"room\":\"r1\"}").statusCode()).isEqualTo(201);
            assertThat(h.post("/v1/tokens", keyAuth, "{\"room\":\"r1\",\"identity\":\"u\"}").statusCode())
                    .isEqualTo(403);
            assertThat(JSON.readTree(h.get("/v1/admin/projects/initech/keys", op).body()).path("keys")).hasSize(1);
            assertThat(JSON.readTree(h.get("/v1/admin/projects", op).body()).path("projects").findValuesAsText("id"))
                    .containsExactly(ControlFixture.PROJECT, ControlFixture.OTHER_PROJECT, "initech");

            assertThat(h.call("DELETE", "/v1/admin/projects/initech", op, null, null).statusCode()).isEqualTo(200);
            assertThat(h.fx.store.project("initech")).isEmpty();
            assertThat(h.fx.store.key(k.at("/key/kid").asText())).isEmpty();
            assertThat(h.get("/v1/rooms", keyAuth).statusCode()).as("its key is gone with it").isEqualTo(401);
            assertThat(h.get("/v1/admin/projects/initech", op).statusCode()).isEqualTo(404);

            String audit = String.join("\n", h.audit());
            assertThat(audit).contains("\"action\":\"project.create\"", "\"action\":\"project.update\"",
                    "\"action\":\"project.delete\"", "\"action\":\"key.create\"", "\"actor\":\"operator\"")
                    .doesNotContain(SECRET).doesNotContain(k.path("secret").asText());
        }
    }
}
