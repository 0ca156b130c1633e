package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.NettyLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16: a relayed call outlives its TURN credential. The relay ends an allocation when the credential it was
 * made with expires, so with {@code turn.credentialTtl} shortened to 12 s a relay-only Chromium participant would
 * stop decoding about 12 s after it joined; the server pushes fresh {@code iceServers} at 3/4 of the credential's
 * life and the SDK restarts ICE with them. Real server, real Chromium, our TURN relay on loopback.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TurnRenewalBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long TTL_SECONDS = 12;

    static BrowserCallFixture fixture;
    static ChromiumHarness chromium;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> config = new java.util.HashMap<>(CallBrowserTest.LOOPBACK_TURN);
        config.put("CHORUS_TURN_CREDENTIAL_TTL", TTL_SECONDS + "s");
        fixture = BrowserCallFixture.start("chorus-turn-renewal-", config, CallBrowserTest.HELPERS);
        chromium = fixture.chromium;
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    private static String join(String name, String room, List<String> scopes, boolean publish, String policy) {
        Object id = chromium.async(CallBrowserTest.HELPERS + "return await T.join(args[0], args[1], args[2], args[3], args[4]);",
                name, room, scopes, publish, policy);
        assertThat(String.valueOf(id)).as("join of " + name).startsWith("p_");
        return (String) id;
    }

    /** Frames decoded by {@code name} from {@code from}'s video so far (-1 while stats are unreadable). */
    private static long framesFrom(String name, String from) {
        try {
            JsonNode st = JSON.readTree((String) chromium.async("return await T.stats(args[0]);", name));
            return st.path("by").path(from).path("frames").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String relayUsername() {
        return (String) chromium.eval("return T.clients.relayed.c.iceServers[0].username;");
    }

    private static String selectedLocalCandidateType() {
        return String.valueOf(chromium.async("""
                const report = await T.clients.relayed.c.subscriber.getStats();
                let pair = null;
                report.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId); });
                return pair ? report.get(pair.localCandidateId).candidateType : 'none';"""));
    }

    @Test
    void aRelayOnlyCallKeepsDecodingPastItsFirstTurnCredentialsExpiry() throws Exception {
        String pub = join("pub", "turn-renewal", CallBrowserTest.ALL, true, "all");
        join("relayed", "turn-renewal", List.of("room:join", "media:subscribe"), false, "relay");
        String first = relayUsername();
        long firstExpiry = Long.parseLong(first.substring(0, first.indexOf(':')));
        assertThat(firstExpiry - System.currentTimeMillis() / 1000).as("the shortened credential lifetime")
                .isLessThanOrEqualTo(TTL_SECONDS);
        assertThat(ChromiumHarness.await(() -> framesFrom("relayed", pub) > 0, 25))
                .as("the relayed participant decodes the publisher's video").isTrue();
        assertThat(selectedLocalCandidateType()).isEqualTo("relay");
        // Renewal must come before the relay ends the allocation: an ICE restart only after the path died (the SDK's
        // reaction to 'disconnected') would also bring media back, after a gap. So the subscribe connection's ICE
        // state must never leave connected/completed/checking.
        chromium.eval("""
                const rec = T.clients.relayed, pc = rec.c.subscriber;
                rec.iceStates = [];
                pc.addEventListener('iceconnectionstatechange', () => rec.iceStates.push(pc.iceConnectionState));""");

        // past the first credential's expiry (the relay has ended its allocations by then) ...
        long wait = firstExpiry * 1000 + 3_000 - System.currentTimeMillis();
        if (wait > 0) Thread.sleep(wait);
        assertThat(relayUsername()).as("new TURN credentials were pushed before the first expired").isNotEqualTo(first);
        // ... frames keep being decoded, over the relay
        long before = framesFrom("relayed", pub);
        assertThat(ChromiumHarness.await(() -> framesFrom("relayed", pub) > before + 10, 10))
                .as("framesDecoded rises after the first credential expired; events "
                        + chromium.eval("return JSON.stringify(T.clients.relayed.events);")).isTrue();
        assertThat(selectedLocalCandidateType()).isEqualTo("relay");
        assertThat(String.valueOf(chromium.eval("return JSON.stringify(T.clients.relayed.iceStates);")))
                .as("the relayed path never broke").doesNotContain("disconnected", "failed");
        assertThat(String.valueOf(chromium.eval("return JSON.stringify(T.clients.relayed.events);")))
                .contains("iceRestart subscribe");
        for (String n : List.of("pub", "relayed")) chromium.eval("T.clients[arguments[0]].c.leave();", n);
    }
}
