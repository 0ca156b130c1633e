package dev.chorus.signaling.api;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsSettings;
import dev.chorus.signaling.ws.WsTestClient;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The real control edge (Netty HTTPS + WSS, real store, audit, verifier) on an ephemeral port of 127.0.0.1,
 * over the {@link ControlFixture} projects (acme, globex) and its movable clock.
 */
final class EdgeHarness implements AutoCloseable {
    final ControlFixture fx = new ControlFixture();
    final ChorusMetrics metrics = new ChorusMetrics(false);
    final ControlPlane control;
    final TestTls tls;
    final ControlEdge edge;
    final int port;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    EdgeHarness() throws Exception {
        tls = TestTls.generate(Files.createDirectories(fx.dir.resolve("tls")));
        control = new ControlPlane(fx.store, fx.audit, ControlFixture.AUDIENCE, fx.clock, metrics.registry());
        HttpSettings http = new HttpSettings("127.0.0.1", 0, 4096, 4096, 1024, Duration.ofSeconds(3),
                Duration.ofSeconds(3), 32, 31_536_000L, 16);
        WsSettings ws = new WsSettings("/v1/ws", Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(1),
                8192, 16384, 20, 40, 5, 16, 8192);
        // the media view's routes too (ApiRouteGuardTest walks every guarded route), over a node with no calls
        edge = new ControlEdge(http, ws, tls.serverContext, control, metrics, fx.clock, List.of(),
                dev.chorus.signaling.ws.SessionLifecycle.NONE, dev.chorus.signaling.project.ProjectEvents.NONE,
                router -> MediaViewApi.register(router, control,
                        project -> java.util.concurrent.CompletableFuture.completedFuture(List.of())));
        port = edge.start().getPort();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    String acmeBasic() {
        return basic(fx.hsKid, fx.hsSecret);
    }

    String globexBasic() {
        return basic(fx.otherHsKid, fx.otherHsSecret);
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> call(String method, String path, String auth, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("Authorization", auth);
        if (contentType != null) b.header("Content-Type", contentType);
        return tls.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String auth, String json) throws Exception {
        return call("POST", path, auth, "application/json", json);
    }

    /** Mints a join token over {@code POST /v1/tokens} with acme's API key; the body must be accepted (201). */
    String mint(String body) throws Exception {
        HttpResponse<String> r = post("/v1/tokens", acmeBasic(), body);
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("token").asText();
    }

    HttpResponse<String> get(String path, String auth) throws Exception {
        return call("GET", path, auth, null, null);
    }

    WsTestClient ws() {
        return WsTestClient.connect(tls.clientContext, port);
    }

    List<String> audit() {
        return fx.auditLines();
    }

    /** Lines appended to the audit trail since {@code before} lines. */
    List<String> auditSince(int before) {
        List<String> all = audit();
        return all.subList(before, all.size());
    }

    List<String> logLines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        edge.close();
        metrics.close();
        fx.close();
    }
}
