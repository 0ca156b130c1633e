package dev.chorus.signaling.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.http.HttpRequestContext;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.testing.ControlFixture;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 finding 11: {@code /dev/token} mints without credentials, so what a cross-site page can send must be
 * refused: a body not declared JSON (a "simple" cross-site POST needs no preflight) and a foreign {@code Origin}.
 */
class DevTokenRouteTest {
    private final ControlFixture f = new ControlFixture();
    private final Router router = new Router();

    DevTokenRouteTest() {
        f.issuer.devMode(true); // as the dev server runs it (random dev identities are never taken for PII)
        DevTokenRoute.register(router, f.store, f.issuer, ControlFixture.PROJECT);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private HttpResult post(Map<String, String> headers, String body) throws Exception {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("Host", "localhost:8443");
        headers.forEach(h::set);
        Router.Match m = router.match("POST", DevTokenRoute.PATH);
        return m.handler().handle(new HttpRequestContext("POST", DevTokenRoute.PATH, DevTokenRoute.PATH, Map.of(),
                Map.of(), h, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1"));
    }

    @Test
    void crossSiteShapedRequestsAreRefusedAndMintNothing() throws Exception {
        int auditBefore = f.auditLines().size();
        assertThat(post(Map.of("Content-Type", "text/plain"), "{\"room\":\"x\"}").status()).isEqualTo(415);
        assertThat(post(Map.of("Content-Type", "application/x-www-form-urlencoded"), "room=x").status())
                .isEqualTo(415);
        assertThat(post(Map.of(), "").status()).as("no content type, no body").isEqualTo(415);
        assertThat(post(Map.of("Content-Type", "application/json", "Origin", "https://evil.example"),
                "{\"room\":\"x\"}").status()).isEqualTo(403);
        assertThat(post(Map.of("Content-Type", "text/plain", "Origin", "https://evil.example"),
                "{\"room\":\"x\"}").status()).isEqualTo(403);
        assertThat(f.auditLines()).as("nothing minted").hasSize(auditBefore);
    }

    @Test
    void theServersOwnPageAndNonBrowserClientsGetATokenAsBefore() throws Exception {
        assertThat(post(Map.of("Content-Type", "application/json", "Origin", "https://localhost:8443"),
                "{\"room\":\"x\"}").status()).isEqualTo(200);
        assertThat(post(Map.of("Content-Type", "application/json; charset=utf-8"), "{\"room\":\"x\"}").status())
                .isEqualTo(200);
        assertThat(post(Map.of("Content-Type", "application/json"), "").status()).isEqualTo(200);
    }
}
