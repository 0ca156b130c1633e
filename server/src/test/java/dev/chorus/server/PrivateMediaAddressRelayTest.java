package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.common.testing.RequiredTool;
import dev.chorus.media.transport.ChromiumHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13 defect 3 / issue 10: a server whose media address is private (10.x.y.1 on a veth pair into a network
 * namespace this test creates) and a real Chromium participant restricted to relay candidates: the built-in TURN
 * relay must relay to the SFU's own media address (before: 403 forbidden peer, and the call never connected), with
 * no allow-list configured. Both directions go through the relay: the relayed participant decodes the direct one's
 * video and audio, and the direct one decodes the relayed one's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrivateMediaAddressRelayTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path IP = Path.of("/usr/sbin/ip");

    @Test
    void aRelayOnlyChromiumReachesAnSfuOnAPrivateAddressThroughTheBuiltInTurn() throws Exception {
        ChromiumHarness.require();
        RequiredTool.requireExecutables("iproute2 (ip)", IP);
        String id = Long.toString(ProcessHandle.current().pid() % 10000, 36) + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        String ns = "chorusrl" + id, hostEnd = "chrl" + id + "a", nsEnd = "chrl" + id + "b";
        int b = ThreadLocalRandom.current().nextInt(1, 255), c = ThreadLocalRandom.current().nextInt(0, 64) * 4;
        String sfuAddress = "10.213." + b + "." + (c + 1);
        List<String[]> cleanup = new ArrayList<>();
        try {
            ip("netns", "add", ns);
            cleanup.add(new String[] {"netns", "del", ns});
            ip("link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd, "netns", ns);
            cleanup.add(0, new String[] {"link", "del", hostEnd});
            ip("addr", "add", sfuAddress + "/30", "dev", hostEnd);
            ip("-n", ns, "addr", "add", "10.213." + b + "." + (c + 2) + "/30", "dev", nsEnd);
            ip("-n", ns, "link", "set", nsEnd, "up");
            ip("link", "set", hostEnd, "up");

            try (BrowserCallFixture f = BrowserCallFixture.start("chorus-private-relay-", Map.of(
                    "CHORUS_MEDIA_BIND_ADDRESS", sfuAddress,
                    "CHORUS_MEDIA_ANNOUNCED_ADDRESSES", sfuAddress,
                    "CHORUS_TURN_ENABLED", "true",
                    "CHORUS_TURN_BIND_ADDRESS", "127.0.0.1",
                    "CHORUS_TURN_UDP_PORT", "0",
                    "CHORUS_TURN_TCP_PORT", "0"), CallBrowserTest.HELPERS)) {
                assertThat(f.server.mediaCandidates().toString()).contains(sfuAddress);
                String direct = join(f, "direct", "all");
                String relayed = join(f, "relayed", "relay");
                assertDecodes(f, "relayed", direct);
                assertDecodes(f, "direct", relayed);
                Object local = f.chromium.async("""
                        const report = await T.clients.relayed.c.subscriber.getStats();
                        let pair = null;
                        report.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId); });
                        return pair ? report.get(pair.localCandidateId).candidateType + ' ' + report.get(pair.remoteCandidateId).address : 'none';""");
                assertThat(local).isEqualTo("relay " + sfuAddress);
                long forbidden = f.server.turn().onLoop(core -> core.refusals(dev.chorus.turn.core.Refusal.FORBIDDEN_PEER));
                assertThat(forbidden).as("no 403 forbidden peer").isZero();
            }
        } finally {
            for (String[] cmd : cleanup) {
                try {
                    ip(cmd);
                } catch (Exception e) {
                    // best effort; the namespace delete removes the veth pair too
                }
            }
        }
    }

    static String join(BrowserCallFixture f, String name, String policy) {
        Object pid = f.chromium.async(CallBrowserTest.HELPERS + "return await T.join(args[0], args[1], args[2], args[3], args[4]);",
                name, "private-relay", List.of("room:join", "media:publish:audio", "media:publish:video", "media:subscribe"),
                true, policy);
        assertThat(String.valueOf(pid)).as("join of " + name).startsWith("p_");
        return (String) pid;
    }

    static void assertDecodes(BrowserCallFixture f, String name, String from) throws Exception {
        boolean flowing = ChromiumHarness.await(() -> {
            try {
                JsonNode p = JSON.readTree((String) f.chromium.async("return await T.stats(args[0]);", name)).path("by").path(from);
                return p.path("frames").asLong() > 0 && p.path("audio").asLong() > 0;
            } catch (Exception e) {
                return false;
            }
        }, 40);
        assertThat(flowing).as(name + " decodes video and receives audio from " + from + ": "
                + f.chromium.async("return await T.stats(args[0]);", name)).isTrue();
    }

    static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(IP.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
        }
    }
}
