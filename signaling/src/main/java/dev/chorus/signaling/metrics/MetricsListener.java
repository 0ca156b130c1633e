package dev.chorus.signaling.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The private scrape listener ({@code metrics.bindAddress}/{@code metrics.port}): plain HTTP serving only
 * {@code GET /metrics} (Prometheus text) and {@code GET /healthz} (the container health check), on an address meant to
 * be reachable by the monitoring network only, the convention of Jitsi Videobridge and LiveKit. It is separate from
 * the client port so that production never shows its metrics to participants or the internet, and so Prometheus
 * needs no TLS trust or credential. The JDK's HTTP server is enough for one scraper every few seconds.
 */
public final class MetricsListener implements AutoCloseable {
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsListener(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and starts; the caller owns the result and closes it. */
    public static MetricsListener start(InetSocketAddress bind, ChorusMetrics metrics) throws IOException {
        HttpServer server = HttpServer.create(bind, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name("chorus-metrics-listener").factory());
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                } else if ("/metrics".equals(path)) {
                    send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                            metrics.scrape().getBytes(StandardCharsets.UTF_8));
                } else if ("/healthz".equals(path)) {
                    send(exchange, 200, "application/json", HEALTHY);
                } else {
                    send(exchange, 404, "text/plain; charset=utf-8",
                            "not found (this listener serves /metrics and /healthz)\n".getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        server.start();
        return new MetricsListener(server, executor);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The address actually bound (ephemeral port resolved). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
