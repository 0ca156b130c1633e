package dev.chorus.signaling.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.testing.ControlFixture;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/audit} (scope {@code audit:read}): a project reads its own events, never another project's. */
class AuditReadApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aKeyWithAuditReadSeesItsProjectsEventsOnlyNewestLast() throws Exception {
        try (EdgeHarness h = new EdgeHarness()) {
            String kid = KeyMaterial.newKid();
            String secret = KeyMaterial.newHs256Secret();
            h.fx.store.insertKey(ProjectKey.active(kid, ControlFixture.PROJECT, KeyAlgorithm.HS256,
                    secret.getBytes(StandardCharsets.US_ASCII), h.fx.clock.instant())
                    .withApiScopes(Set.of(ApiScope.AUDIT_READ)));
            String reader = EdgeHarness.basic(kid, secret);
            assertThat(h.post("/v1/rooms", h.acmeBasic(), "{\"room\":\"audited-room\"}").statusCode()).isEqualTo(201);
            assertThat(h.post("/v1/rooms", h.globexBasic(), "{\"room\":\"globex-room\"}").statusCode()).isEqualTo(201);

            HttpResponse<String> r = h.get("/v1/audit?limit=5", reader);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode events = JSON.readTree(r.body()).path("events");
            assertThat(events.size()).isBetween(1, 5);
            assertThat(events.findValuesAsText("project")).containsOnly(ControlFixture.PROJECT);
            assertThat(events.get(events.size() - 1).path("resource").asText()).contains("audited-room");
            assertThat(r.body()).doesNotContain("globex-room");
            assertThat(h.get("/v1/audit?limit=0", reader).statusCode()).isEqualTo(400);
            assertThat(h.get("/v1/audit?limit=x", reader).statusCode()).isEqualTo(400);
            assertThat(h.post("/v1/rooms", reader, "{\"room\":\"nope\"}").statusCode()).isEqualTo(403);
        }
    }
}
