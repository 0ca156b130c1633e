package dev.chorus.signaling.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.signaling.http.HttpRequestContext;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.ParticipantRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Fuzz harness of the backend HTTP API's body handling: an authenticated backend POSTs fuzzed JSON to every route
 * that takes a body (mint, keys, rooms, revocations, ACL, permissions, access policy), through the real route
 * handlers over the real store. Contract: every answer is a 2xx or a 4xx with an error code, never a 5xx and
 * never an exception out of the handler (a bad body changes nothing and says why).
 */
class ApiBodyFuzzTest {
    /** The body-taking routes, with a path that exists in the fixture's project. */
    private static final String[][] ROUTES = {
            {"/v1/tokens", "/v1/tokens"},
            {"/v1/keys", "/v1/keys"},
            {"/v1/rooms", "/v1/rooms"},
            {"/v1/revocations/tokens", "/v1/revocations/tokens"},
            {"/v1/revocations/subjects", "/v1/revocations/subjects"},
            {"/v1/acl/grants", "/v1/acl/grants"},
            {"/v1/acl/revocations", "/v1/acl/revocations"},
            {"/v1/rooms/{room}/permissions", "/v1/rooms/room-a/permissions"},
            {"/v1/access-policy", "/v1/access-policy"},
    };
    private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8",
            "application/json; charset=iso-8859-1", "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json;charset=\"utf-8\"", ""};
    /** Recreated now and then so the audit trail and store of a long run stay small. */
    private static final int INPUTS_PER_FIXTURE = 20_000;

    private static ControlFixture fixture;
    private static Router router;
    private static String auth;
    private static int inputs;

    @FuzzTest
    void mintBody(FuzzedDataProvider data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        check(data);
    }

    private static synchronized void setUp() {
        if (fixture != null && inputs++ < INPUTS_PER_FIXTURE) return;
        if (fixture != null) fixture.close();
        inputs = 0;
        fixture = new ControlFixture();
        ControlPlane control = new ControlPlane(fixture.store, fixture.audit, ControlFixture.AUDIENCE, fixture.clock,
                fixture.registry);
        router = new Router();
        BackendApi.register(router, control, new ParticipantRegistry());
        auth = "Basic " + Base64.getEncoder().encodeToString((fixture.hsKid + ":" + fixture.hsSecret)
                .getBytes(StandardCharsets.UTF_8));
    }

    static void check(FuzzedDataProvider data) {
        setUp();
        String[] route = ROUTES[data.consumeInt(0, ROUTES.length - 1)];
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set("Authorization", auth);
        // any content type a client can put on the wire (Netty's decoder refuses control characters before us)
        headers.set("Content-Type", data.pickValue(CONTENT_TYPES));
        byte[] body = data.consumeRemainingAsBytes();
        Router.Match m = router.match("POST", route[1]);
        assertThat(m.found()).as(route[0]).isTrue();
        HttpRequestContext req = new HttpRequestContext("POST", route[0], route[1], m.params(), Map.of(), headers,
                body, "203.0.113.9");
        HttpResult r;
        try {
            r = m.handler().handle(req);
        } catch (dev.chorus.signaling.http.ApiError e) {
            r = HttpResult.error(e);
        }
        assertThat(r.status()).as(route[0] + " answered " + new String(r.body(), StandardCharsets.UTF_8))
                .isBetween(200, 499);
        if (r.status() >= 400) {
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"code\"");
        }
    }

}
