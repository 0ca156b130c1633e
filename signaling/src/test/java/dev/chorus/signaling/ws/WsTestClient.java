package dev.chorus.signaling.ws;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (java.net.http) over TLS that records what the server sends: text messages and the close
 * code. Every wait is bounded.
 */
public final class WsTestClient implements AutoCloseable {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    /** A close frame from the server, or -1 if the connection dropped without one. */
    public record Closed(int code, String reason) {}

    public final WebSocket ws;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();

    private WsTestClient(SSLContext ssl, int port, String path) {
        this(ssl, port, path, Duration.ofSeconds(5));
    }

    private WsTestClient(SSLContext ssl, int port, String path, Duration connectTimeout) {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(connectTimeout).build();
        this.ws = client.newWebSocketBuilder().connectTimeout(connectTimeout)
                .buildAsync(URI.create("wss://127.0.0.1:" + port + path), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            messages.add(partial.toString());
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(new Closed(code, reason));
                        return null;
                    }

                    @Override
                    public void onError(WebSocket w, Throwable error) {
                        closed.complete(new Closed(-1, String.valueOf(error)));
                    }
                }).join();
    }

    public static WsTestClient connect(SSLContext ssl, int port) {
        return new WsTestClient(ssl, port, "/v1/ws");
    }

    /** With a longer connect/upgrade timeout (the cluster trials run on a loaded machine too). */
    public static WsTestClient connect(SSLContext ssl, int port, Duration connectTimeout) {
        return new WsTestClient(ssl, port, "/v1/ws", connectTimeout);
    }

    public WsTestClient send(String text) {
        ws.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    /** Sends without failing when the server has already closed (floods, oversize). */
    public boolean trySend(String text, boolean last) {
        try {
            ws.sendText(text, last).orTimeout(5, TimeUnit.SECONDS).join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public WsTestClient join(String room, String token) {
        return send("{\"type\":\"join\",\"room\":\"" + room + "\",\"token\":\"" + token + "\"}");
    }

    /** Next text message, or null after 5 s. */
    public String next() throws InterruptedException {
        return messages.poll(5, TimeUnit.SECONDS);
    }

    /**
     * The next text message, or null as soon as the server closed without sending one (a refused join), or after
     * {@code seconds}. Messages sent before the close are still returned first.
     */
    public String nextOrClosed(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String m = messages.poll(20, TimeUnit.MILLISECONDS);
            if (m != null) return m;
            if (closed.isDone()) return messages.poll();
        }
        return null;
    }

    /**
     * The next message of {@code type}, skipping others (track events, offers, …): at most 50 messages, each
     * within 5 s; fails the test when there is none.
     */
    public com.fasterxml.jackson.databind.JsonNode next(String type) throws Exception {
        for (int i = 0; i < 50; i++) {
            String m = next();
            if (m == null) throw new AssertionError("no " + type + " message within 5 s");
            com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(m);
            if (n.path("type").asText().equals(type)) return n;
        }
        throw new AssertionError("no " + type + " within 50 messages");
    }

    /** The close the server sent, waiting at most {@code seconds}. */
    public Closed awaitClose(int seconds) {
        return closed.orTimeout(seconds, TimeUnit.SECONDS).join();
    }

    /** True if the server closed the session within {@code millis} (a bounded wait). */
    public boolean closedWithin(long millis) {
        try {
            closed.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        ws.abort();
    }
}
