package dev.chorus.signaling.api;

import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.testing.ControlFixture;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every guarded route of the real edge, taken from its route table (so a new route is covered the moment it is
 * registered): without a credential, with a wrong one, and with a valid credential of the wrong kind (a key lacking
 * the route's API scope; a project key on an operator route) it answers 401/403 with a reason, the refusal is
 * audited, and nothing in the store changes, although each request carries a body that would change something.
 */
class ApiRouteGuardTest {
    static final String OPERATOR_SECRET = "operator-secret-for-the-guard-test";

    /** Routes that need no credential; anything else public is a forgotten guard. */
    static final Set<String> PUBLIC = Set.of("GET /healthz", "GET /readyz", "GET /metrics");

    /** A body that would change state if the guard let it through; a new write route must add one. */
    static final Map<String, String> BODIES = Map.ofEntries(
            Map.entry("POST /v1/tokens", "{\"room\":\"room-a\",\"identity\":\"u1\",\"scopes\":[\"room:join\"]}"),
            Map.entry("POST /v1/keys", "{\"algorithm\":\"HS256\",\"scopes\":[\"tokens:mint\"]}"),
            Map.entry("POST /v1/keys/{kid}/rotate", "{}"),
            Map.entry("POST /v1/keys/{kid}/retire", "{}"),
            Map.entry("POST /v1/keys/{kid}/revoke", "{}"),
            Map.entry("POST /v1/rooms", "{\"room\":\"new-room\"}"),
            Map.entry("POST /v1/rooms/{room}/close", "{}"),
            Map.entry("POST /v1/rooms/{room}/participants/{participantId}/remove", "{}"),
            Map.entry("POST /v1/revocations/tokens", "{\"jti\":\"guard-jti\"}"),
            Map.entry("POST /v1/revocations/subjects", "{\"subject\":\"guard-subject\"}"),
            Map.entry("POST /v1/acl/grants", "{\"subscriber\":\"a\",\"publisher\":\"b\"}"),
            Map.entry("POST /v1/acl/revocations", "{\"subscriber\":\"a\",\"publisher\":\"c\"}"),
            Map.entry("POST /v1/rooms/{room}/permissions", "{\"identity\":\"u1\",\"revoke\":[\"room:join\"]}"),
            Map.entry("POST /v1/access-policy", "{\"maxSessionsPerIdentity\":3}"),
            Map.entry("POST /v1/webhooks", "{\"url\":\"https://hooks.example.com/chorus\"}"),
            Map.entry("POST /v1/webhooks/{webhookId}/remove", "{}"),
            Map.entry("POST /v1/admin/projects", "{\"id\":\"initech\"}"),
            Map.entry("PATCH /v1/admin/projects/{project}", "{\"maxRooms\":7}"),
            Map.entry("POST /v1/admin/projects/{project}/keys", "{\"algorithm\":\"HS256\",\"scopes\":[\"keys:admin\"]}"));

    @Test
    void everyGuardedRouteRefusesMissingWrongAndUnderprivilegedCredentialsAndChangesNothing() throws Exception {
        try (EdgeHarness h = new EdgeHarness()) {
            h.fx.store.putOperatorCredential(OperatorCredential.create(OPERATOR_SECRET, h.fx.clock.instant()));
            List<Router.Entry> routes = h.edge.routes();
            assertThat(routes).hasSizeGreaterThan(25);
            List<String> checked = new ArrayList<>();
            for (Router.Entry r : routes) {
                String route = r.method() + " " + r.template();
                if (r.access().equals(Router.PUBLIC)) {
                    assertThat(PUBLIC).as("public route " + route).contains(route);
                    continue;
                }
                String body = BODIES.get(route);
                if (Set.of("POST", "PUT", "PATCH").contains(r.method())) assertThat(body).as("sample body for " + route).isNotNull();
                String path = r.template().replace("{kid}", h.fx.hsKid).replace("{room}", ControlFixture.ROOM)
                        .replace("{participantId}", "p_guard").replace("{webhookId}", "wh_guard").replace("{project}", ControlFixture.PROJECT);

                if (r.access().equals(Router.OPERATOR)) {
                    refused(h, r, path, body, null, 401, "missing_credentials");
                    refused(h, r, path, body, EdgeHarness.basic("operator", OPERATOR_SECRET + "x"), 401,
                            "bad_credentials");
                    // a project key holding every API scope is still no operator credential
                    refused(h, r, path, body, h.acmeBasic(), 401, "bad_credentials");
                } else {
                    assertThat(r.access()).startsWith("scope:");
                    ApiScope needed = ApiScope.fromWire(r.access().substring("scope:".length())).orElseThrow();
                    refused(h, r, path, body, null, 401, "missing_credentials");
                    refused(h, r, path, body, EdgeHarness.basic(h.fx.hsKid, h.fx.hsSecret + "x"), 401,
                            "bad_credentials");
                    Set<ApiScope> allBut = EnumSet.allOf(ApiScope.class);
                    allBut.remove(needed);
                    String kid = KeyMaterial.newKid();
                    String secret = KeyMaterial.newHs256Secret();
                    h.fx.store.insertKey(ProjectKey.active(kid, ControlFixture.PROJECT, KeyAlgorithm.HS256,
                            secret.getBytes(StandardCharsets.US_ASCII), h.fx.clock.instant()).withApiScopes(allBut));
                    refused(h, r, path, body, EdgeHarness.basic(kid, secret), 403, "missing_scope");
                }
                checked.add(route);
                h.fx.clock.advance(Duration.ofMinutes(2)); // a fresh failure budget for the next route
            }
            assertThat(checked).contains("POST /v1/tokens", "POST /v1/keys/{kid}/revoke", "DELETE /v1/admin/projects/{project}");
        }
    }

    @Test
    void theRightScopeOrTheOperatorCredentialPasses() throws Exception {
        try (EdgeHarness h = new EdgeHarness()) {
            h.fx.store.putOperatorCredential(OperatorCredential.create(OPERATOR_SECRET, h.fx.clock.instant()));
            String kid = KeyMaterial.newKid();
            String secret = KeyMaterial.newHs256Secret();
            h.fx.store.insertKey(ProjectKey.active(kid, ControlFixture.PROJECT, KeyAlgorithm.HS256,
                    secret.getBytes(StandardCharsets.US_ASCII), h.fx.clock.instant())
                    .withApiScopes(Set.of(ApiScope.ROOMS_ADMIN)));
            assertThat(h.get("/v1/rooms", EdgeHarness.basic(kid, secret)).statusCode()).isEqualTo(200);
            assertThat(h.get("/v1/keys", EdgeHarness.basic(kid, secret)).statusCode()).isEqualTo(403);
            HttpResponse<String> created = h.post("/v1/admin/projects",
                    EdgeHarness.basic("operator", OPERATOR_SECRET), "{\"id\":\"initech\",\"maxRooms\":3}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(h.fx.store.project("initech")).map(Project::maxRooms).contains(3);
        }
    }

    private static void refused(EdgeHarness h, Router.Entry r, String path, String body, String auth, int status,
                                String auditReason) throws Exception {
        String before = snapshot(h.fx.store);
        int auditBefore = h.audit().size();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + h.port + path))
                .timeout(Duration.ofSeconds(10)).method(r.method(), body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        if (body != null) b.header("Content-Type", "application/json");
        // one client for the whole walk: a client per request would hold a pooled connection each
        HttpResponse<String> resp = client(h).send(b.build(), HttpResponse.BodyHandlers.ofString());
        String what = r.method() + " " + r.template() + " with " + auditReason;
        assertThat(resp.statusCode()).as(what + ": " + resp.body()).isEqualTo(status);
        assertThat(resp.body()).as(what).contains(status == 401 ? "\"unauthorized\"" : "\"missing_scope\"");
        assertThat(h.auditSince(auditBefore)).as(what + " audited").hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("\"outcome\":\"refused\"", "\"reason\":\"" + auditReason + "\""));
        assertThat(snapshot(h.fx.store)).as(what + " changed nothing").isEqualTo(before);
    }

    private static final Map<EdgeHarness, HttpClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    private static HttpClient client(EdgeHarness h) {
        return CLIENTS.computeIfAbsent(h, x -> x.tls.httpClient());
    }

    /** Everything a route could change, as text. */
    static String snapshot(Store s) {
        StringBuilder sb = new StringBuilder();
        for (Project p : s.projects()) {
            sb.append(p).append('\n').append(s.keys(p.id())).append('\n').append(s.rooms(p.id())).append('\n')
                    .append(s.aclEntries(p.id())).append('\n')
                    .append(s.accessPolicy(p.id()).orElse(AccessPolicy.DEFAULT)).append('\n')
                    .append(s.scopeOverrides(p.id(), ControlFixture.ROOM)).append('\n')
                    .append(s.webhooks().endpoints(p.id())).append('\n')
                    .append(s.isTokenRevoked(p.id(), "guard-jti")).append(s.subjectWatermark(p.id(), "guard-subject"));
        }
        return sb.append(s.operatorCredential()).toString();
    }
}
