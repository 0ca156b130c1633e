package dev.chorus.signaling.ws;

import dev.chorus.signaling.http.ChorusHttpServer;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.metrics.ChorusMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebSocket's contract with the call layer ({@link SessionLifecycle}), on the real Netty server over TLS:
 * {@code joined} waits for the call layer and carries its fields, messages sent meanwhile follow {@code joined},
 * a refusal closes with its own code (audited), and every session end is reported exactly once.
 */
class SessionLifecycleTest {
    @TempDir Path dir;
    TestTls tls;
    ChorusMetrics metrics;
    ChorusHttpServer server;
    ParticipantRegistry registry;
    int port;
    final List<String> audited = new CopyOnWriteArrayList<>();
    final List<String> ended = new CopyOnWriteArrayList<>();
    final List<String> hooks = new CopyOnWriteArrayList<>();
    final AtomicReference<CompletableFuture<Map<String, Object>>> pending = new AtomicReference<>();
    final AtomicReference<ParticipantSession> started = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        tls = TestTls.generate(dir);
        metrics = new ChorusMetrics(false);
        registry = new ParticipantRegistry();
        JoinGate gate = (token, room, ip) -> new JoinOutcome.Admitted(AdmissionGate.newParticipantId(), "proj", room,
                "user-1", List.of("room:join"), "kid1", "jti-1", Instant.now(), Instant.now().plusSeconds(600));
        SessionLifecycle lifecycle = new SessionLifecycle() {
            @Override
            public CompletionStage<Map<String, Object>> start(ParticipantSession s) {
                started.set(s);
                s.onClose(() -> hooks.add(s.participantId()));
                CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
                pending.set(f);
                return f;
            }

            @Override
            public void ended(ParticipantSession s) {
                ended.add(s.participantId());
            }
        };
        WsSettings ws = new WsSettings("/v1/ws", Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(500),
                4096, 8192, 20, 40, 5, 3, 4096);
        WsAudit audit = new WsAudit() {
            @Override public void joinRefused(String ip, String reason) { audited.add(reason); }
            @Override public void sessionClosed(ParticipantSession s, String reason) { audited.add("session:" + reason); }
        };
        WsEndpoint endpoint = new WsEndpoint(ws, gate, audit, registry, new SignalingProtocol(), metrics,
                Executors.newVirtualThreadPerTaskExecutor(), Clock.systemUTC(), lifecycle);
        HttpSettings http = new HttpSettings("127.0.0.1", 0, 4096, 4096, 1024, Duration.ofSeconds(2),
                Duration.ofSeconds(2), 16, 0, 16);
        server = new ChorusHttpServer(http, tls.serverContext, new Router(), endpoint, metrics);
        port = server.start().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private void awaitStarted() throws InterruptedException {
        for (int i = 0; i < 200 && pending.get() == null; i++) Thread.sleep(10);
        assertThat(pending.get()).as("lifecycle started").isNotNull();
    }

    @Test
    void joinedWaitsForTheCallLayerCarriesItsFieldsAndEarlyMessagesFollowIt() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", "t")) {
            awaitStarted();
            started.get().send(Map.of("type", "early"));          // e.g. an SFU event before joined
            c.send("{\"type\":\"ping\"}");                         // not read until joined
            assertThat(c.closedWithin(200)).isFalse();
            pending.get().complete(Map.of("participants", List.of(), "iceServers", List.of()));
            String joined = c.next();
            assertThat(joined).contains("\"type\":\"joined\"", "\"participants\":[]", "\"iceServers\":[]");
            assertThat(c.next()).contains("\"type\":\"early\"");
            assertThat(c.next()).contains("\"type\":\"pong\"");
            c.send("{\"type\":\"leave\"}");
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.NORMAL);
        }
        for (int i = 0; i < 100 && ended.isEmpty(); i++) Thread.sleep(20);
        assertThat(ended).hasSize(1);
        assertThat(hooks).hasSize(1);
    }

    @Test
    void aRefusalClosesWithItsCodeIsAuditedAndLeavesNoSession() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", "t")) {
            awaitStarted();
            pending.get().completeExceptionally(new SessionRefusedException(WsCloseCodes.ROOM_FULL, "room_full"));
            WsTestClient.Closed closed = c.awaitClose(5);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.ROOM_FULL);
            assertThat(closed.reason()).isEqualTo("room full");
        }
        for (int i = 0; i < 100 && (registry.size() != 0 || ended.isEmpty()); i++) Thread.sleep(20);
        assertThat(audited).containsExactly("room_full");
        assertThat(registry.size()).isZero();
        assertThat(ended).hasSize(1);
        assertThat(hooks).hasSize(1);
    }

    @Test
    void aServerSideCloseRunsTheCloseHooksAtOnce() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", "t")) {
            awaitStarted();
            pending.get().complete(Map.of());
            assertThat(c.next()).contains("\"type\":\"joined\"");
            registry.closeRoom("proj", "r1");
            assertThat(hooks).as("hook ran when the server decided, before the socket is gone").hasSize(1);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
        }
        for (int i = 0; i < 100 && ended.isEmpty(); i++) Thread.sleep(20);
        assertThat(ended).hasSize(1);
        assertThat(hooks).hasSize(1);
    }
}
