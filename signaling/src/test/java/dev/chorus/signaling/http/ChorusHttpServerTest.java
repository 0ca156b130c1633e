package dev.chorus.signaling.http;

import dev.chorus.signaling.metrics.ChorusMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTPS listener against real sockets on 127.0.0.1: TLS only (checklist 23), size limits (28), slowloris and
 * per-IP cap (16), routing, health and metrics.
 */
class ChorusHttpServerTest {
    @TempDir Path dir;
    TestTls tls;
    ChorusMetrics metrics;
    ChorusHttpServer server;
    int port;
    final AtomicBoolean storeUp = new AtomicBoolean(true);

    @BeforeEach
    void start() throws Exception {
        tls = TestTls.generate(dir);
        metrics = new ChorusMetrics(true);
        Router router = new Router();
        HealthRoutes.register(router, metrics, List.of(new HealthRoutes.Check("store", storeUp::get)));
        router.add("POST", "/echo", r -> HttpResult.json(200, Map.of("bytes", r.body().length)));
        router.add("GET", "/items/{id}", r -> HttpResult.json(200, Map.of("id", r.pathParam("id"))));
        HttpSettings s = new HttpSettings("127.0.0.1", 0, 1024, 2048, 1024, Duration.ofMillis(1500),
                Duration.ofSeconds(3), 4, 31_536_000L, 16);
        server = new ChorusHttpServer(s, tls.serverContext, router, null, metrics);
        port = server.start().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthzAnswersOverTlsWithHstsAndNoSniff() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"ok\"");
        assertThat(r.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    }

    @Test
    void readyzIsReadyOnlyWhenEveryCheckPasses() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        storeUp.set(false);
        HttpResponse<String> r = get("/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"store\":\"down\"");
    }

    @Test
    void metricsHaveJvmProcessAndRouteTemplatesButNeverRawPaths() throws Exception {
        get("/healthz");
        get("/items/secret-looking-id-123");
        get("/no/such/path/eyJhbGciOi");
        String m = get("/metrics").body();
        assertThat(m).contains("jvm_memory_used_bytes", "process_uptime_seconds", "chorus_ws_sessions_open");
        assertThat(m).contains("chorus_http_server_requests_seconds_count{method=\"GET\",route=\"/healthz\",status=\"200\"}");
        assertThat(m).contains("route=\"/items/{id}\"", "route=\"unmatched\"");
        assertThat(m).doesNotContain("secret-looking-id-123", "eyJhbGciOi");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithJsonErrors() throws Exception {
        HttpResponse<String> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("{\"error\":{\"code\":\"not_found\",\"message\":\"No such resource.\"}}");
        assertThat(get("/echo").statusCode()).isEqualTo(405);
    }

    @Test
    void pathParameterIsOneRawSegmentAndControlCharactersDoNotMatch() throws Exception {
        assertThat(get("/items/a%2Fb").body()).isEqualTo("{\"id\":\"a/b\"}");
        assertThat(get("/items/a/b").statusCode()).isEqualTo(404);
        assertThat(get("/items/a%0Db").statusCode()).isEqualTo(404);
        assertThat(get("/items/plain").body()).contains("\"plain\"");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (SSLSocket s = tls.socket(port)) {
            s.getOutputStream().write(("GET /items/first HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /items/second HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /items/third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            int a = all.indexOf("\"first\""), b = all.indexOf("\"second\""), c = all.indexOf("\"third\"");
            assertThat(a).isPositive();
            assertThat(b).isGreaterThan(a);
            assertThat(c).isGreaterThan(b);
        }
    }

    // ---- checklist 23: plain http:// or ws:// on the TLS port, TLS below 1.2 ----

    @Test
    void plainHttpOnTheTlsPortIsAnsweredWithTlsRequiredAndClosed() throws Exception {
        String answer = plainExchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"tls_required\"");
        assertThat(metrics.scrape()).contains("chorus_http_connections_refused_total{reason=\"plain_http\"} 1.0");
    }

    @Test
    void plainWebSocketUpgradeOnTheTlsPortIsRefused() throws Exception {
        String answer = plainExchange("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("tls_required").doesNotContain("101");
    }

    /** Writes plain text, reads until the server closes (fails if it does not close within 5 s). */
    private String plainExchange(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void tls10AndTls11ClientHellosGetNoServerHello() throws Exception {
        int[] suites = {RawTls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, RawTls.TLS_RSA_WITH_AES_128_CBC_SHA};
        assertThat(RawTls.firstResponseByte(port, RawTls.clientHello(RawTls.TLS11, suites))).isNotEqualTo(22);
        assertThat(RawTls.firstResponseByte(port, RawTls.clientHello(RawTls.TLS10, suites))).isNotEqualTo(22);
    }

    @Test
    void tls12WithOnlyWeakSuitesIsRefusedButAStrongSuiteIsAccepted() throws Exception {
        byte[] weak = RawTls.clientHello(RawTls.TLS12, RawTls.TLS_RSA_WITH_AES_128_CBC_SHA,
                RawTls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, RawTls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
                RawTls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
        assertThat(RawTls.firstResponseByte(port, weak)).isNotEqualTo(22);
        // Control: the same hand-built hello with one strong suite gets a ServerHello, so the refusal above is real.
        byte[] strong = RawTls.clientHello(RawTls.TLS12, RawTls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        assertThat(RawTls.firstResponseByte(port, strong)).isEqualTo(22);
    }

    @Test
    void jdkClientsNegotiateTls12AndTls13() throws Exception {
        for (String v : List.of("TLSv1.2", "TLSv1.3")) {
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                SSLSocket s = (SSLSocket) tls.clientContext.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
                s.setEnabledProtocols(new String[] {v});
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo(v);
                assertThat(s.getSession().getCipherSuite()).matches(".*(GCM|CHACHA20).*");
            }
        }
    }

    // ---- checklist 28 (transport part): oversized bodies and headers ----

    @Test
    void oversizedBodyIsRefusedWith413AndAReason() throws Exception {
        HttpResponse<String> r = tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("\"body_too_large\"");
    }

    @Test
    void oversizedHeadersAreRefusedWith431() throws Exception {
        try (SSLSocket s = tls.socket(port)) {
            s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(4000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 431 ").contains("headers_too_large");
        }
    }

    @Test
    void bodyWithinTheLimitIsDelivered() throws Exception {
        HttpResponse<String> r = tls.httpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("{\"bytes\":1000}");
    }

    // ---- checklist 16: slowloris and the per-IP connection cap ----

    @Test
    void slowlorisClientIsClosedAtTheRequestDeadlineWhateverItTrickles() throws Exception {
        try (SSLSocket s = tls.socket(port)) {
            OutputStream out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long t0 = System.nanoTime();
            boolean closed = false;
            // Keep trickling one header byte every 100 ms, for at most 8 s; the 1.5 s deadline must cut us off.
            for (int i = 0; i < 80 && !closed; i++) {
                try {
                    out.write('X');
                    out.flush();
                    s.setSoTimeout(100);
                    closed = s.getInputStream().read() == -1;
                } catch (java.net.SocketTimeoutException e) {
                    // still open; go on trickling
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed by the server").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void connectionThatNeverSendsAByteIsClosedAtTheHandshakeDeadline() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            int b;
            try {
                b = s.getInputStream().read();
            } catch (IOException e) {
                b = -1;
            }
            assertThat(b).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        }
    }

    @Test
    void perIpConnectionCapRefusesTheConnectionOverTheCapAndFreesSlotsOnClose() throws Exception {
        List<SSLSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) open.add(tls.socket(port));
            try (Socket extra = new Socket()) {
                extra.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                extra.setSoTimeout(5000);
                InputStream in = extra.getInputStream();
                int b;
                try {
                    b = in.read();
                } catch (IOException e) {
                    b = -1;
                }
                assertThat(b).as("connection over the cap is closed without a byte").isEqualTo(-1);
            }
            open.removeFirst().close();
            // The slot frees asynchronously when the server sees the close; poll (bounded) until a new one works.
            boolean ok = false;
            for (int i = 0; i < 50 && !ok; i++) {
                try (SSLSocket again = tls.socket(port)) {
                    again.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    ok = new String(again.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
                } catch (IOException e) {
                    Thread.sleep(20); // bounded retry while the server processes the earlier close
                }
            }
            assertThat(ok).isTrue();
            assertThat(metrics.scrape()).contains("reason=\"per_ip_cap\"");
        } finally {
            for (SSLSocket s : open) s.close();
        }
    }
}
