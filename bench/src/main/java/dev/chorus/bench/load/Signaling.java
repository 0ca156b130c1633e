package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A participant's control-plane side, as a browser app does it: its backend mints a join token over HTTPS with the
 * dev API key ({@code POST /v1/tokens}), then the participant opens {@code wss://…/v1/ws}, sends {@code join} and
 * exchanges JSON messages (docs/protocol.md). Each simulated participant connects from a 127.0.0.x source address
 * so that a storm looks like many hosts and stays under the per-source caps ({@code ws.maxSessionsPerIp}).
 */
public final class Signaling implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Participants per loopback source address (under the default 32 sessions / 64 connections per source). */
    static final int PER_SOURCE = 16;
    /**
     * One HTTP client per server (its TLS trust) and loopback source, shared by that source's participants. Keyed by
     * the server too: a client built for one server's certificate refuses the next one's (two runs in one JVM).
     */
    private static final ConcurrentHashMap<ClientKey, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    private record ClientKey(javax.net.ssl.SSLContext tls, int source) {}

    private final ServerTarget target;
    private final HttpClient http;
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private volatile WebSocket ws;
    private volatile String closed;
    private volatile Thread keepAlive;
    /** Pongs received: the keep-alive's answers (not queued as messages). */
    final java.util.concurrent.atomic.AtomicLong pongs = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A {@code ping} every 20 s after joining, as docs/protocol.md asks of clients: without it the server closes a
     * session that sent nothing for {@code ws.idleTimeout} (60 s, code 4000), and a run longer than a minute lost
     * its publisher.
     */
    static final long KEEP_ALIVE_MILLIS = 20_000;

    public Signaling(ServerTarget target, int participantIndex) {
        this.target = target;
        int source = 1 + participantIndex / PER_SOURCE;
        this.http = CLIENTS.computeIfAbsent(new ClientKey(target.tls(), source), k -> HttpClient.newBuilder()
                .sslContext(k.tls())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)) // a loopback connect takes seconds on an overloaded machine
                .localAddress(loopback(k.source()))
                .build());
    }

    static InetAddress loopback(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) (n >>> 8), (byte) Math.max(1, n & 0xFF)});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Mints a join token with the dev API key (the secret goes only into the Authorization header). */
    public String mintToken(String room, String identity, List<String> scopes) throws IOException, InterruptedException {
        String auth = Base64.getEncoder().encodeToString((target.apiKeyId() + ":" + target.apiSecret()).getBytes(StandardCharsets.UTF_8));
        ObjectNode body = JSON.createObjectNode().put("room", room).put("identity", identity);
        scopes.forEach(body.putArray("scopes")::add);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(target.baseUrl().resolve("/v1/tokens"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IOException("token mint: HTTP " + r.statusCode());
        return JSON.readTree(r.body()).get("token").asText();
    }

    /** Opens the WebSocket, sends {@code join}, waits for {@code joined}. */
    public JsonNode join(String room, String token, long timeoutMillis) throws IOException, InterruptedException {
        try {
            ws = http.newWebSocketBuilder().connectTimeout(Duration.ofMillis(timeoutMillis))
                    .buildAsync(target.wsUrl(), new Listener()).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("WebSocket connect failed: " + e.getMessage(), e);
        }
        send(JSON.createObjectNode().put("type", "join").put("room", room).put("token", token));
        JsonNode joined = await(m -> m.path("type").asText().equals("joined"), timeoutMillis);
        keepAlive = Thread.ofVirtual().name("ws-keepalive").start(this::keepAlive);
        return joined;
    }

    private void keepAlive() {
        try {
            while (closed == null) {
                Thread.sleep(KEEP_ALIVE_MILLIS);
                if (closed != null) return;
                sendText("{\"type\":\"ping\"}");
            }
        } catch (InterruptedException e) {
            // closing
        } catch (Exception e) {
            if (closed == null) closed = "keep-alive ping failed: " + e;
        }
    }

    /** Why the WebSocket closed (code and reason), or null while it is open. */
    public String closedReason() {
        return closed;
    }

    /**
     * The {@code subscriberAnswer} to {@code offer} with {@code answerSdp}, naming the offer's version when it has one
     * (docs/protocol.md): an answer to an offer the server withdrew meanwhile is then ignored, not refused.
     */
    static ObjectNode subscriberAnswer(JsonNode offer, String answerSdp) {
        ObjectNode m = JSON.createObjectNode().put("type", "subscriberAnswer").put("sdp", answerSdp);
        if (offer.path("version").canConvertToLong()) m.put("version", offer.path("version").longValue());
        return m;
    }

    public void send(ObjectNode message) throws IOException {
        try {
            sendText(message.toString());
        } catch (Exception e) {
            throw new IOException("WebSocket send failed", e);
        }
    }

    /**
     * One text message, waiting for it to be written. Serialised: the JDK's WebSocket refuses a send while another
     * is pending ("Send pending"), and the keep-alive ping runs beside the participant's own messages.
     */
    private synchronized void sendText(String text) throws Exception {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /**
     * The next message matching {@code wanted}; messages that do not match stay queued for later. Fails on an
     * {@code error} message, a close or the timeout.
     */
    public JsonNode await(Predicate<JsonNode> wanted, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        java.util.ArrayList<JsonNode> skipped = new java.util.ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (closed != null) throw new IOException("WebSocket closed: " + closed);
                    throw new GeneratorTimeout("timed out waiting for a signaling message (" + timeoutMillis + " ms)");
                }
                JsonNode m = inbox.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                if (m == null) {
                    if (closed != null) {
                        throw new IOException("WebSocket closed: " + closed + (closed.startsWith("4006")
                                ? " (the project's maxParticipantsPerRoom, 100 for the dev project: use --rooms or fewer"
                                  + " --subscribers)" : ""));
                    }
                    continue;
                }
                if (wanted.test(m)) return m;
                if (m.path("type").asText().equals("error")) throw new IOException("server error: " + m.path("code").asText());
                skipped.add(m);
            }
        } finally {
            // keep order for the next await
            java.util.ArrayList<JsonNode> rest = new java.util.ArrayList<>();
            inbox.drainTo(rest);
            inbox.addAll(skipped);
            inbox.addAll(rest);
        }
    }

    /** The oldest queued message of any type without waiting, or null (a reader that handles every message). */
    public JsonNode next() {
        return inbox.poll();
    }

    /** A queued message of this type without waiting, or null. */
    public JsonNode poll(String type) {
        for (JsonNode m : inbox) {
            if (m.path("type").asText().equals(type) && inbox.remove(m)) return m;
        }
        return null;
    }

    @Override
    public void close() {
        Thread k = keepAlive;
        if (k != null) k.interrupt();
        WebSocket w = ws;
        if (w != null && closed == null) {
            try {
                w.sendText("{\"type\":\"leave\"}", true).get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // closing anyway
            }
            w.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(partial.toString());
                    if (m.path("type").asText().equals("pong")) pongs.incrementAndGet();
                    else inbox.add(m);
                } catch (IOException e) {
                    closed = "unparsable message";
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed = statusCode + " " + reason;
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed = "error: " + error;
        }
    }
}
