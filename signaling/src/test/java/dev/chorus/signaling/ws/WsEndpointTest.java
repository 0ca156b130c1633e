package dev.chorus.signaling.ws;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chorus.signaling.http.ChorusHttpServer;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.metrics.ChorusMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The participant WebSocket's mechanics on the real Netty server over TLS (checklist 14, 16–19). The gate here is
 * a fixed table (token "good" admits to room r1) because these tests are about framing, deadlines and limits;
 * real tokens through the real JoinAdmission are in the api package's edge tests.
 */
class WsEndpointTest {
    static final String GOOD = "good-token-Zm9vYmFy";
    static final String SHORT = "short-lived-token";
    static final String OTHER = "token-of-user-2";

    static JoinOutcome.Admitted admitted(String identity, Instant exp) {
        return new JoinOutcome.Admitted(AdmissionGate.newParticipantId(), "proj", "r1", identity,
                List.of("room:join", "media:subscribe"), "kid1", "jti-" + identity + exp.getEpochSecond(), Instant.now(), exp);
    }

    @TempDir Path dir;
    TestTls tls;
    ChorusMetrics metrics;
    ChorusHttpServer server;
    ParticipantRegistry registry;
    final List<String> audited = new CopyOnWriteArrayList<>();
    final List<String> gateCalls = new CopyOnWriteArrayList<>();
    int port;
    ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void start() throws Exception {
        tls = TestTls.generate(dir);
        metrics = new ChorusMetrics(false);
        registry = new ParticipantRegistry();
        JoinGate gate = (token, room, ip) -> {
            gateCalls.add(room);
            if (!"r1".equals(room)) return new JoinOutcome.Refused("wrong_room");
            return switch (token) {
                case GOOD -> admitted("user-1", Instant.now().plusSeconds(600));
                case SHORT -> admitted("user-1", Instant.now().plusSeconds(2));
                case OTHER -> admitted("user-2", Instant.now().plusSeconds(600));
                default -> new JoinOutcome.Refused("bad_signature");
            };
        };
        WsSettings ws = new WsSettings("/v1/ws", Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMillis(500),
                1024, 4096, 10, 20, 5, 3, 4096).withTokenExpiry(Duration.ofSeconds(60), Duration.ofMillis(500));
        WsAudit audit = new WsAudit() {
            @Override public void joinRefused(String ip, String reason) { audited.add(reason); }
            @Override public void sessionClosed(ParticipantSession s, String reason) { audited.add("session:" + reason); }
        };
        WsEndpoint endpoint = new WsEndpoint(ws, gate, audit, registry,
                new SignalingProtocol(), metrics, Executors.newVirtualThreadPerTaskExecutor(), Clock.systemUTC());
        HttpSettings http = new HttpSettings("127.0.0.1", 0, 4096, 4096, 1024, Duration.ofSeconds(2),
                Duration.ofSeconds(2), 16, 0, 16);
        server = new ChorusHttpServer(http, tls.serverContext, new Router(), endpoint, metrics);
        port = server.start().getPort();
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        server.close();
        metrics.close();
    }

    private WsTestClient joined() throws Exception {
        WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", GOOD);
        assertThat(c.next()).contains("\"type\":\"joined\"");
        return c;
    }

    /** Polls (bounded) until the registry has {@code n} sessions; closing is asynchronous. */
    private void awaitSessions(int n) throws InterruptedException {
        for (int i = 0; i < 100 && registry.size() != n; i++) Thread.sleep(20);
        assertThat(registry.size()).isEqualTo(n);
    }

    @Test
    void validJoinIsAnsweredWithJoinedAndRegistersOneSession() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", GOOD)) {
            String joined = c.next();
            assertThat(joined).startsWith("{\"type\":\"joined\",\"participantId\":\"p_")
                    .contains("\"room\":\"r1\"", "\"rights\":[\"room:join\",\"media:subscribe\"]");
            assertThat(registry.size()).isEqualTo(1);
            assertThat(metrics.wsSessionsOpen()).isEqualTo(1);
            c.send("{\"type\":\"ping\"}");
            assertThat(c.next()).isEqualTo("{\"type\":\"pong\"}");
            c.send("{\"type\":\"leave\"}");
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.NORMAL);
        }
        awaitSessions(0);
        assertThat(metrics.wsSessionsOpen()).isZero();
    }

    // ---- 14: no valid token, no join in time → closed, nothing created ----

    @Test
    void noJoinWithinTheDeadlineClosesWith4001AndAuditsOnce() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port)) {
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.JOIN_TIMEOUT);
        }
        assertThat(audited).containsExactly("join_timeout");
        assertThat(registry.size()).isZero();
        assertThat(gateCalls).isEmpty();
    }

    @Test
    void firstMessageThatIsNotAWellFormedJoinClosesWith4002AndAuditsOnce() throws Exception {
        for (String bad : List.of("{\"type\":\"ping\"}", "not json", "{\"type\":\"join\",\"token\":\"" + GOOD + "\"}",
                "{\"type\":\"join\",\"room\":\"r1\",\"token\":7}",
                "{\"type\":\"join\",\"room\":\"r1\",\"token\":\"" + GOOD + "\",\"extra\":1}")) {
            try (WsTestClient c = WsTestClient.connect(tls.clientContext, port)) {
                c.send(bad);
                assertThat(c.awaitClose(5).code()).as(bad).isEqualTo(WsCloseCodes.BAD_JOIN);
            }
        }
        assertThat(audited).hasSize(5).containsOnly("bad_join");
        assertThat(registry.size()).isZero();
        assertThat(gateCalls).isEmpty();
    }

    @Test
    void refusedTokenClosesWith4003AndCreatesNothing() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", "forged.token.value")) {
            WsTestClient.Closed closed = c.awaitClose(5);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.JOIN_REFUSED);
            assertThat(closed.reason()).isEqualTo("join refused"); // generic: the reason is in the audit trail
        }
        assertThat(registry.size()).isZero();
        assertThat(metrics.wsSessionsOpen()).isZero();
    }

    // ---- 15: tokens never in a log line ----

    @Test
    void tokensNeverAppearInLogs() throws Exception {
        try (WsTestClient ok = joined();
             WsTestClient bad = WsTestClient.connect(tls.clientContext, port).join("r1", "forged-XYZ-secret")) {
            bad.awaitClose(5);
            ok.send("{\"type\":\"nope\",\"token\":\"" + GOOD + "\"}");
            ok.next();
        }
        List<ILoggingEvent> snapshot;
        synchronized (logs) { // AppenderBase.doAppend holds the appender's monitor; closing sessions still log
            snapshot = new ArrayList<>(logs.list);
        }
        for (ILoggingEvent e : snapshot) {
            assertThat(e.getFormattedMessage()).doesNotContain(GOOD, "forged-XYZ-secret");
        }
    }

    // ---- 16: idle / half-open clients, per-IP session cap ----

    @Test
    void joinedSessionThatGoesSilentIsClosedAtTheIdleDeadline() throws Exception {
        try (WsTestClient c = joined()) {
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.IDLE_TIMEOUT);
        }
        awaitSessions(0);
        assertThat(audited).as("idling out is not a refusal").isEmpty();
    }

    @Test
    void perIpSessionCapRefusesTheUpgradeWith429() throws Exception {
        List<WsTestClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) open.add(joined());
            assertThatThrownBy(() -> WsTestClient.connect(tls.clientContext, port))
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(WebSocketHandshakeException.class)
                    .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(429));
        } finally {
            open.forEach(WsTestClient::close);
        }
    }

    // ---- 17: message flood ----

    @Test
    void floodIsClosedWithPolicyViolationAndOtherSessionsAreUnaffected() throws Exception {
        try (WsTestClient calm = joined(); WsTestClient flood = joined()) {
            for (int i = 0; i < 200 && !flood.isClosed(); i++) {
                if (!flood.trySend("{\"type\":\"ping\"}", true)) break;
            }
            assertThat(flood.awaitClose(5).code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
            assertThat(audited).containsExactly("session:rate_limited");
            calm.send("{\"type\":\"ping\"}");
            assertThat(calm.next()).isEqualTo("{\"type\":\"pong\"}");
            awaitSessions(1);
        }
    }

    // ---- 18: oversized frames, fragments that never end ----

    @Test
    void oversizedFrameIsClosedWith1009() throws Exception {
        try (WsTestClient c = joined()) {
            c.trySend("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}", true);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.MESSAGE_TOO_BIG);
        }
        awaitSessions(0);
        assertThat(audited).containsExactly("session:too_big");
    }

    @Test
    void oversizedMessageMadeOfSmallFragmentsIsClosedWith1009() throws Exception {
        try (WsTestClient c = joined()) {
            c.trySend("{\"type\":\"ping\",\"pad\":\"", false);
            for (int i = 0; i < 8 && !c.isClosed(); i++) c.trySend("y".repeat(900), false);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.MESSAGE_TOO_BIG);
        }
        awaitSessions(0);
        assertThat(audited).containsExactly("session:too_big");
    }

    @Test
    void fragmentedMessageThatNeverEndsIsClosedAtTheFragmentDeadline() throws Exception {
        try (WsTestClient c = joined()) {
            c.trySend("{\"type\":\"pi", false);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
        }
        awaitSessions(0);
        assertThat(audited).containsExactly("session:incomplete_message");
    }

    @Test
    void unfinishedJoinFragmentIsClosedWithoutReachingTheGate() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port)) {
            c.trySend("{\"type\":\"join\",\"room\":\"r1\",\"token\":\"" + GOOD, false);
            int code = c.awaitClose(5).code();
            assertThat(code).isIn(WsCloseCodes.POLICY_VIOLATION, WsCloseCodes.JOIN_TIMEOUT);
        }
        assertThat(gateCalls).isEmpty();
        assertThat(registry.size()).isZero();
        assertThat(audited).hasSize(1).first().isIn("incomplete_message", "join_timeout");
    }

    // ---- 19: malformed JSON, wrong types, huge numbers → error reply, no crash ----

    @Test
    void badMessagesGetErrorRepliesAndTheSessionSurvives() throws Exception {
        try (WsTestClient c = joined()) {
            c.send("{not json");
            assertThat(c.next()).contains("\"code\":\"bad_json\"");
            c.send("{\"type\":5}");
            assertThat(c.next()).contains("\"code\":\"bad_message\"");
            c.send("{\"type\":\"ping\",\"n\":" + "9".repeat(500) + "}");
            assertThat(c.next()).contains("\"code\":\"bad_json\"");
            c.send("[".repeat(200) + "]".repeat(200));
            assertThat(c.next()).contains("\"code\":\"bad_json\"");
            c.send("{\"type\":\"teleport\"}");
            assertThat(c.next()).contains("\"code\":\"unknown_type\"");
            c.send("{\"type\":\"ping\"}");
            assertThat(c.next()).isEqualTo("{\"type\":\"pong\"}");
            assertThat(registry.size()).isEqualTo(1);
        }
    }

    @Test
    void tooManyBadMessagesCloseWithPolicyViolation() throws Exception {
        try (WsTestClient c = joined()) {
            for (int i = 0; i < 6; i++) c.trySend("{bad", true);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.POLICY_VIOLATION);
        }
        awaitSessions(0);
        assertThat(audited).containsExactly("session:too_many_errors");
    }

    @Test
    void binaryMessagesAreRefusedWith1003() throws Exception {
        try (WsTestClient c = joined()) {
            c.ws.sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.UNSUPPORTED_DATA);
        }
        awaitSessions(0);
        assertThat(audited).containsExactly("session:binary");
    }

    @Test
    void revokingTheKeyClosesItsSessionsWith4004() throws Exception {
        try (WsTestClient c = joined()) {
            new SessionEvents(registry).keyRevoked("proj", "kid1");
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.REVOKED);
        }
        awaitSessions(0);
    }

    // ---- token expiry during a session, and refresh ----

    @Test
    void sessionWhoseTokenExpiresIsWarnedThenClosedWith4005() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", SHORT)) {
            assertThat(c.next()).contains("\"type\":\"joined\"");
            assertThat(c.next()).contains("\"type\":\"token_expiring\"");
            // keep the session busy until the expiry (2 s + 0.5 s grace) closes it
            for (int i = 0; i < 40 && !c.closedWithin(250); i++) c.trySend("{\"type\":\"ping\"}", true);
            assertThat(c.awaitClose(5).code()).isEqualTo(WsCloseCodes.TOKEN_EXPIRED);
        }
        awaitSessions(0);
        assertThat(audited).containsExactly("session:token_expired");
    }

    @Test
    void refreshWithAFreshTokenKeepsTheSessionOpen() throws Exception {
        try (WsTestClient c = WsTestClient.connect(tls.clientContext, port).join("r1", SHORT)) {
            assertThat(c.next()).contains("joined");
            assertThat(c.next()).contains("token_expiring");
            c.send("{\"type\":\"refresh\",\"token\":\"" + GOOD + "\"}");
            assertThat(c.next()).contains("\"type\":\"refreshed\"", "\"expiresAt\":");
            // pace pings past the old token's expiry + grace (2.5 s); every one must still be answered
            for (int i = 0; i < 14; i++) {
                assertThat(c.closedWithin(250)).as("closed after %d pings", i).isFalse();
                c.send("{\"type\":\"ping\"}");
                assertThat(c.next()).isEqualTo("{\"type\":\"pong\"}");
            }
        }
    }

    @Test
    void refreshWithABadTokenOrAnotherIdentityIsRefusedAndTheSessionGoesOn() throws Exception {
        try (WsTestClient c = joined()) {
            c.send("{\"type\":\"refresh\",\"token\":\"forged\"}");
            assertThat(c.next()).contains("\"code\":\"refresh_refused\"");
            c.send("{\"type\":\"refresh\",\"token\":\"" + OTHER + "\"}");
            assertThat(c.next()).contains("\"code\":\"refresh_refused\"");
            c.send("{\"type\":\"refresh\"}");
            assertThat(c.next()).contains("\"code\":\"bad_message\"");
            String identity = registry.all().iterator().next().identity();
            assertThat(identity).isEqualTo("user-1");
            c.send("{\"type\":\"ping\"}");
            assertThat(c.next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    // ---- upgrade hardening (issue 15 findings 5, 6, 7) and the Origin allow-list ----

    @Test
    void legacyHixieHandshakesAreRefusedWith400AndNeverUpgraded() throws Exception {
        String hixie75 = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: WebSocket\r\n"
                + "Connection: Upgrade\r\nOrigin: https://127.0.0.1:" + port + "\r\n\r\n";
        String hixie76 = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: WebSocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nContent-Length: 8\r\n\r\n";
        try (RawWs a = RawWs.open(tls.clientContext, port); RawWs b = RawWs.open(tls.clientContext, port)) {
            assertThat(a.request(hixie75, null)).isEqualTo(400);
            assertThat(b.request(hixie76, "^n:ds[4U".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
                    .isEqualTo(400);
        }
        assertThat(registry.size()).isZero();
        assertThat(gateCalls).isEmpty();
    }

    @Test
    void malformedUpgradesDoNotLeakPerSourceSessionSlots() throws Exception {
        String noKey = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
        String shortKey = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n";
        for (int i = 0; i < 30; i++) {
            try (RawWs r = RawWs.open(tls.clientContext, port)) {
                assertThat(r.request(i % 2 == 0 ? noKey : shortKey, null)).isEqualTo(400);
            }
        }
        // the per-source cap here is 3: a leak of even three slots would answer 429
        try (WsTestClient c = joined()) {
            assertThat(registry.size()).isEqualTo(1);
        }
    }

    @Test
    void invalidUtf8InATextFrameClosesWith1007BeforeAnythingAnswers() throws Exception {
        byte[][] bad = {
                {(byte) 0xC0, (byte) 0x80},                                    // overlong NUL
                {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},    // lone surrogate U+D800
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},          // above U+10FFFF
        };
        for (byte[] payload : bad) {
            try (RawWs r = RawWs.open(tls.clientContext, port)) {
                assertThat(r.request(RawWs.upgrade(port, ""), null)).isEqualTo(101);
                r.frame(0x1, payload);
                assertThat(r.awaitCloseCode()).isEqualTo(WsCloseCodes.INVALID_PAYLOAD);
            }
        }
        assertThat(gateCalls).isEmpty();
        assertThat(audited).containsOnly("invalid_utf8");
    }

    @Test
    void originOtherThanTheServersOwnIsRefusedWith403AndAudited() throws Exception {
        try (RawWs evil = RawWs.open(tls.clientContext, port); RawWs nul = RawWs.open(tls.clientContext, port);
             RawWs own = RawWs.open(tls.clientContext, port); RawWs none = RawWs.open(tls.clientContext, port)) {
            assertThat(evil.request(RawWs.upgrade(port, "Origin: https://evil.example\r\n"), null)).isEqualTo(403);
            assertThat(nul.request(RawWs.upgrade(port, "Origin: null\r\n"), null)).isEqualTo(403);
            assertThat(own.request(RawWs.upgrade(port, "Origin: https://127.0.0.1:" + port + "\r\n"), null))
                    .isEqualTo(101);
            assertThat(none.request(RawWs.upgrade(port, ""), null)).as("no Origin: not a web page").isEqualTo(101);
        }
        assertThat(audited).containsExactly("origin_not_allowed", "origin_not_allowed");
    }
}
