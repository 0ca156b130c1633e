package dev.chorus.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Issue 14 interop, shared by the stacks: a stack's data client ({@code *-data-client.mjs}) opens the SDK's data
 * channels to Chorus and exchanges relayed messages with real Chromium running the SDK; each must receive the other's
 * messages exactly once, in order, with the sender id the server attached, and nothing malformed.
 */
final class DataPairs {
    static final ObjectMapper JSON = new ObjectMapper();

    static final String PAGE = """
            if (!window.DI) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.DI = { got: [] };
              const r = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                    body: JSON.stringify({ room: args[0], identity: 'chromium-data' }) });
              const c = await Chorus.connect({ token: (await r.json()).token, room: args[0] });
              DI.c = c;
              c.on('data', d => DI.got.push(d.topic + '|' + d.participantId + '|' + d.data));
              await c._openData();
            }
            return DI.c.participantId;
            """;

    private DataPairs() { }

    /** Chromium joins {@code room}, the stack's client ({@code command}, with --base/--room/--identity added) too. */
    static void exchange(Browser chromium, String base, String stack, String room, List<String> command)
            throws Exception {
        String browserId = (String) chromium.async(PAGE, room);
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--base", base, "--room", room, "--identity", stack + "-data-user", "--messages", "10",
                "--seconds", "60"));
        try (StackClient client = StackClient.start(stack, full, Map.of())) {
            String stackId = client.awaitJoined(30);
            List<String> fromStack = IntStream.range(0, 10).mapToObj(n -> "interop|" + stackId + "|" + stack + "-" + n)
                    .toList();
            assertThat(ChromiumHarness.await(() -> got(chromium).size() >= 10, 30))
                    .as("Chromium receives %s's messages: %s\n%s", stack, got(chromium), client.output()).isTrue();

            chromium.async("for (let n = 0; n < 10; n++) await DI.c.sendData('interop', 'chromium-' + n); return 'ok';");
            List<String> fromBrowser = IntStream.range(0, 10).mapToObj(n -> "interop|" + browserId + "|chromium-" + n)
                    .toList();
            assertThat(ChromiumHarness.await(() -> stackGot(client).size() >= 10, 30))
                    .as("%s receives Chromium's messages: %s", stack, client.output()).isTrue();
            Thread.sleep(300); // a duplicate would arrive now
            assertThat(got(chromium)).containsExactlyElementsOf(fromStack);
            assertThat(stackGot(client)).containsExactlyElementsOf(fromBrowser);
            assertThat(client.output()).doesNotContain("data-malformed");
        } finally {
            chromium.async("if (window.DI) { DI.c.leave(); window.DI = undefined; } return 'ok';");
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> got(Browser chromium) {
        return (List<String>) chromium.async("return DI.got.slice();");
    }

    static List<String> stackGot(StackClient client) {
        List<String> out = new ArrayList<>();
        for (String line : client.output().split("\n")) {
            if (!line.startsWith("{\"event\":\"data\"")) continue;
            try {
                JsonNode m = JSON.readTree(line);
                out.add(m.path("topic").asText() + "|" + m.path("from").asText() + "|" + m.path("text").asText());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }
}
