package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.signaling.ws.ParticipantSession;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16's session resume with real Chromium and the real SDK (docs/sdk.md, "Network changes and reconnects"):
 * the server drops one page's WebSocket; the page resumes within a few seconds as the SAME participant with the same
 * tracks (no renegotiation), the other page never stops decoding it and is never told it left; the used credential
 * is refused a second time. When the page cannot reach the server for longer than the grace window, the server lets
 * the participant go (participantLeft) and the page rejoins by itself as a new participant.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionResumeBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SCOPES = List.of("room:join", "media:publish:audio", "media:publish:video", "media:subscribe");

    @Test
    void aDroppedPageResumesAsTheSameParticipantAndPastTheWindowRejoinsAsANewOne() throws Exception {
        try (BrowserCallFixture f = BrowserCallFixture.start("chorus-resume-", Map.of("CHORUS_WS_RESUME_GRACE", "5s"),
                CallBrowserTest.HELPERS)) {
            String a = join(f, "a");
            String b = join(f, "b");
            f.chromium.async("""
                    for (const n of ['a', 'b']) {
                      const rec = T.clients[n];
                      rec.reconnects = [];
                      rec.c.on('reconnected', d => rec.reconnects.push(d));
                      rec.c.on('participantJoined', d => rec.events.push('participantJoined ' + d.participant.participantId));
                    }
                    return 'ok';""");
            assertThat(ChromiumHarness.await(() -> frames(f, "a", b) > 0 && frames(f, "b", a) > 0, 40))
                    .as("both pages decode each other").isTrue();
            String oldCredential = (String) f.chromium.async("return T.clients.a.c._resume.credential;");
            long aTracksBefore = events(f, "a").stream().filter(e -> e.startsWith("track ")).count();

            // 1. the server side of a's WebSocket goes away without a close frame (as a lost network does)
            ParticipantSession session = f.server.edge().sessions().get(a).orElseThrow();
            List<Long> bDecodesA = new ArrayList<>();
            long droppedAt = System.nanoTime();
            session.dropConnection();
            boolean resumed = false;
            double resumedAfter = -1;
            long end = droppedAt + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end) {
                bDecodesA.add(frames(f, "b", a));
                if (!resumed && reconnects(f, "a").size() == 1) {
                    resumed = true;
                    resumedAfter = (System.nanoTime() - droppedAt) / 1e9;
                }
                if (resumed && System.nanoTime() - droppedAt > TimeUnit.SECONDS.toNanos(4)) break;
                Thread.sleep(500);
            }
            JsonNode reconnect = reconnects(f, "a").get(0);
            System.out.printf("session resume: page a reconnected %.2f s after its WebSocket was dropped: %s;"
                    + " b's framesDecoded from a every 0.5 s: %s%n", resumedAfter, reconnect, bDecodesA);
            assertThat(resumed).as("a reconnected; events " + events(f, "a")).isTrue();
            assertThat(resumedAfter).isLessThan(5.0);
            assertThat(reconnect.path("resumed").asBoolean()).as("resumed, not rejoined").isTrue();
            assertThat(reconnect.path("participantId").asText()).isEqualTo(a);
            // never stops: more frames within every 1.5 s (a loaded machine may decode only a few frames a second)
            for (int i = 3; i < bDecodesA.size(); i++) {
                assertThat(bDecodesA.get(i)).as("b's frames from a never stop: " + bDecodesA)
                        .isGreaterThan(bDecodesA.get(i - 3));
            }
            assertThat(bDecodesA.getLast()).isGreaterThan(bDecodesA.getFirst());
            assertThat(events(f, "b")).noneMatch(e -> e.startsWith("participantLeft") || e.startsWith("participantJoined"));
            assertThat(events(f, "a").stream().filter(e -> e.startsWith("track ")).count())
                    .as("no track was offered again: nothing renegotiated").isEqualTo(aTracksBefore);
            long aFrames = frames(f, "a", b);
            assertThat(ChromiumHarness.await(() -> frames(f, "a", b) > aFrames, 5)).as("a still decodes b").isTrue();

            // 2. the credential was single use
            Object second = f.chromium.async("""
                    const ws = new WebSocket(location.origin.replace('https', 'wss') + '/v1/ws');
                    return await new Promise(res => {
                      ws.onopen = () => ws.send(JSON.stringify({ type: 'resume', room: 'resume',
                        token: T.clients.a.c._token, credential: args[0] }));
                      ws.onclose = ev => res(ev.code + ' ' + ev.reason);
                      setTimeout(() => res('no close'), 10000);
                    });""", oldCredential);
            assertThat(second).isEqualTo("4011 credential_used");

            // 3. a cannot reach the server for longer than the window (its connections hang), then it can again
            try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                List<Socket> held = new ArrayList<>();
                Thread acceptor = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) held.add(blackHole.accept()); // accepted, never answered
                    } catch (Exception e) {
                        // closed
                    }
                });
                f.chromium.async("T.clients.a.c._wsUrl = 'wss://127.0.0.1:' + args[0] + '/v1/ws'; return 1;",
                        blackHole.getLocalPort());
                long cutAt = System.nanoTime();
                f.server.edge().sessions().get(a).orElseThrow().dropConnection();
                assertThat(ChromiumHarness.await(() -> events(f, "b").contains("participantLeft " + a), 15))
                        .as("b is told a left once the window passed; b events " + events(f, "b")).isTrue();
                double leftAfter = (System.nanoTime() - cutAt) / 1e9;
                assertThat(ChromiumHarness.await(() -> reconnects(f, "a").size() == 2, 20))
                        .as("a rejoined; events " + events(f, "a")).isTrue();
                JsonNode rejoin = reconnects(f, "a").get(1);
                System.out.printf("past the window: b told a left %.2f s after the cut; a then %s%n", leftAfter, rejoin);
                assertThat(leftAfter).as("not before the 5 s window").isGreaterThanOrEqualTo(4.5);
                assertThat(rejoin.path("resumed").asBoolean()).isFalse();
                String newA = rejoin.path("participantId").asText();
                assertThat(newA).startsWith("p_").isNotEqualTo(a);
                assertThat(ChromiumHarness.await(() -> frames(f, "b", newA) > 0 && frames(f, "a", b) > 0, 20))
                        .as("b decodes the new a, a decodes b").isTrue();
                acceptor.interrupt();
                for (Socket s : held) s.close();
            }
        }
    }

    private static String join(BrowserCallFixture f, String name) {
        Object id = f.chromium.async(CallBrowserTest.HELPERS + "return await T.join(args[0], 'resume', args[1], true);",
                name, SCOPES);
        assertThat(String.valueOf(id)).startsWith("p_");
        return (String) id;
    }

    private static long frames(BrowserCallFixture f, String name, String from) {
        try {
            JsonNode by = JSON.readTree((String) f.chromium.async("return await T.stats(args[0]);", name)).path("by");
            return by.path(from).path("frames").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<String> events(BrowserCallFixture f, String name) {
        try {
            List<String> out = new ArrayList<>();
            JSON.readTree((String) f.chromium.async("return JSON.stringify(T.clients[args[0]].events);", name))
                    .forEach(n -> out.add(n.asText()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> reconnects(BrowserCallFixture f, String name) {
        try {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree((String) f.chromium.async("return JSON.stringify(T.clients[args[0]].reconnects);", name))
                    .forEach(out::add);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
