package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.server.interop.NetworkNamespace;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14: data channels through the SFU with real Chromium and the real SDK ({@code room.sendData}, the
 * {@code data} event). Participant "b" runs in a second Chromium inside a network namespace this test creates,
 * reaching the server only over that link, which loses 5 % of the packets in both directions (an iptables random
 * drop where the packets arrive, {@code NetworkNamespace.loss}: this kernel has no netem); the others run in a Chromium in the root namespace. Tokens
 * are minted through the real backend API, rights changed through the real ACL API.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DataChannelBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> DATA = List.of("room:join", "data:publish", "data:subscribe");

    static NetworkNamespace netns;
    static BrowserCallFixture fixture;
    static ChromiumHarness edge;
    static String devAuth;

    /**
     * Page helpers: join with given scopes and open the data channels; record every message as
     * {@code topic|sender|reliable|index|length|checksum}. Payloads are deterministic (byte i of message n is
     * {@code (n * 31 + i) & 0xff}), so the receiver checks them byte for byte without the test shipping them around.
     */
    static final String HELPERS = """
            if (!window.D) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.D = { clients: {}, Chorus };
              D.api = async (auth, method, path, body) => {
                const r = await fetch(path, { method, headers: { 'Authorization': auth, 'Content-Type': 'application/json' },
                                             body: body === undefined ? undefined : JSON.stringify(body) });
                const text = await r.text();
                if (!r.ok) throw new Error(method + ' ' + path + ': ' + r.status + ' ' + text);
                return JSON.parse(text);
              };
              D.payload = (n, size) => { const b = new Uint8Array(size); for (let i = 0; i < size; i++) b[i] = (n * 31 + i) & 0xff; return b; };
              D.join = async (auth, name, room, scopes) => {
                const token = (await D.api(auth, 'POST', '/v1/tokens', { room, identity: name, scopes, ttlSeconds: 600 })).token;
                const rec = { got: [], errors: [], at: [] };
                D.clients[name] = rec;
                const c = await Chorus.connect({ token, room });
                rec.c = c;
                c.on('error', e => rec.errors.push(e.code));
                c.on('data', d => {
                  const b = d.data;
                  if (typeof b === 'string') { rec.got.push(d.topic + '|' + d.participantId + '|' + d.reliable + '|' + b); rec.at.push(performance.now()); return; }
                  const n = b[0] | b[1] << 8;
                  let ok = b.length >= 2;
                  for (let i = 2; i < b.length && ok; i++) ok = b[i] === ((n * 31 + i) & 0xff);
                  rec.got.push(d.topic + '|' + d.participantId + '|' + d.reliable + '|' + n + '|' + b.length + '|' + (ok ? 'ok' : 'corrupt'));
                  rec.at.push(performance.now());
                });
                await c._openData();
                return c.participantId;
              };
              D.send = async (name, topic, n, size, reliable) => {
                const b = D.payload(n, size); b[0] = n & 0xff; b[1] = n >> 8;
                await D.clients[name].c.sendData(topic, b, { reliable });
              };
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        ChromiumHarness.require();
        NetworkNamespace.require();
        netns = NetworkNamespace.create();
        fixture = BrowserCallFixture.start("chorus-data-", Map.of(), HELPERS, netns.hostAddress);
        edge = ChromiumHarness.browseIn(netns.exec(List.of()), netns.clientAddress, netns.hostAddress,
                BrowserCallFixture.pageUrl(netns.hostAddress, fixture.server));
        assertThat(edge.async(HELPERS + "return 'ok';")).isEqualTo("ok");
        String kid = fixture.server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID).stream()
                .filter(k -> k.algorithm() == KeyAlgorithm.HS256).map(ProjectKey::kid).findFirst().orElseThrow();
        String secret = Files.readString(fixture.server.dataDir().resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        devAuth = LiveAuthBrowserTest.basic(kid, secret);
    }

    @AfterAll
    static void stop() throws Exception {
        try (AutoCloseable n = netns; AutoCloseable f = fixture; AutoCloseable e = edge) {
            // closed in reverse order: the namespaced browser, the server, then the namespace
        }
    }

    static String join(ChromiumHarness browser, String name, String room, List<String> scopes) {
        Object id = browser.async(HELPERS + "return await D.join(args[0], args[1], args[2], args[3]);", devAuth, name,
                room, scopes);
        assertThat(String.valueOf(id)).as("join of " + name).startsWith("p_");
        return (String) id;
    }

    /** Sends messages {@code from..to-1} of {@code size} bytes, in order, without waiting between them. */
    static void send(ChromiumHarness browser, String name, String topic, int from, int to, int size, boolean reliable) {
        browser.async(HELPERS + "for (let n = args[2]; n < args[3]; n++) await D.send(args[0], args[1], n, args[4], args[5]);"
                + " return 'sent';", name, topic, from, to, size, reliable);
    }

    @SuppressWarnings("unchecked")
    static List<String> got(ChromiumHarness browser, String name) {
        return (List<String>) browser.eval("return D.clients[arguments[0]].got.slice();", name);
    }

    static List<String> got(ChromiumHarness browser, String name, String topic) {
        return got(browser, name).stream().filter(s -> s.startsWith(topic + "|")).toList();
    }

    @SuppressWarnings("unchecked")
    static List<String> errors(ChromiumHarness browser, String name) {
        return (List<String>) browser.eval("return D.clients[arguments[0]].errors.slice();", name);
    }

    /** The SFU's data relay counters by outcome, summed over its workers (for the test's output). */
    static Map<String, Long> relayCounters() {
        Map<String, Long> sum = new java.util.TreeMap<>();
        for (var c : fixture.server.sfu().dataCounters()) {
            c.snapshot().forEach((k, v) -> sum.merge(k.name(), v, Long::sum));
            sum.merge("SCTP_DROPPED", c.sctpDropped(), Long::sum);
            sum.merge("CHANNELS_OPEN", c.channelsOpen(), Long::sum);
        }
        return sum;
    }

    /** What {@code count} reliable messages {@code 0..count-1} of {@code size} bytes from {@code sender} look like. */
    static List<String> expected(String topic, String sender, int from, int to, int size) {
        return java.util.stream.IntStream.range(from, to)
                .mapToObj(n -> topic + "|" + sender + "|true|" + n + "|" + size + "|ok").toList();
    }

    /**
     * Must-show: three participants, 5 % loss on b's link. Reliable 1 KB and 60 KB messages arrive exactly once and
     * in order at both receivers, in both directions of the lossy link; lossy messages arrive or not, but never twice
     * and never corrupted.
     */
    @Test
    void reliableMessagesArriveExactlyOnceAndInOrderThroughFivePercentLoss() throws Exception {
        String room = "data-loss";
        String a = join(fixture.chromium, "a", room, DATA);
        String b = join(edge, "b", room, DATA);
        String c = join(fixture.chromium, "c", room, DATA);
        netns.loss(5);
        long t0 = System.nanoTime();
        try {
            send(fixture.chromium, "a", "small", 0, 20, 1024, true);
            send(fixture.chromium, "a", "big", 0, 5, 60 * 1024, true);
            send(edge, "b", "small", 0, 20, 1024, true);
            send(fixture.chromium, "a", "lossy", 0, 40, 200, false);
            List<String> aSmall = expected("small", a, 0, 20, 1024);
            List<String> aBig = expected("big", a, 0, 5, 60 * 1024);
            List<String> bSmall = expected("small", b, 0, 20, 1024);
            boolean all = ChromiumHarness.await(() -> got(edge, "b", "small").size() >= 20
                    && got(edge, "b", "big").size() >= 5 && got(fixture.chromium, "c", "big").size() >= 5
                    && got(fixture.chromium, "c", "small").size() >= 40
                    && got(fixture.chromium, "a", "small").size() >= 20, 40);
            assertThat(all).as("every reliable message arrived: b %s, c %s, a %s", got(edge, "b").size(),
                    got(fixture.chromium, "c").size(), got(fixture.chromium, "a").size()).isTrue();
            Thread.sleep(500); // a duplicate would arrive now
            assertThat(got(edge, "b", "small")).containsExactlyElementsOf(aSmall);
            assertThat(got(edge, "b", "big")).containsExactlyElementsOf(aBig);
            assertThat(got(fixture.chromium, "c", "big")).containsExactlyElementsOf(aBig);
            assertThat(got(fixture.chromium, "c", "small").stream().filter(s -> s.contains("|" + a + "|")).toList())
                    .containsExactlyElementsOf(aSmall);
            assertThat(got(fixture.chromium, "c", "small").stream().filter(s -> s.contains("|" + b + "|")).toList())
                    .containsExactlyElementsOf(bSmall);
            assertThat(got(fixture.chromium, "a", "small")).containsExactlyElementsOf(bSmall);
            for (List<String> lossy : List.of(got(edge, "b", "lossy"), got(fixture.chromium, "c", "lossy"))) {
                assertThat(lossy).doesNotHaveDuplicates().allMatch(s -> s.startsWith("lossy|" + a + "|false|")
                        && s.endsWith("|200|ok"));
                assertThat(lossy.size()).isBetween(0, 40);
            }
            System.out.println("reliable messages all delivered in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms; relay " + relayCounters());
            System.out.println("lossy messages through 5 % loss: b got " + got(edge, "b", "lossy").size()
                    + "/40, c got " + got(fixture.chromium, "c", "lossy").size() + "/40");
        } finally {
            netns.clearLoss();
        }
    }

    /**
     * Must-show: a participant without {@code data:publish} is refused (told once, audited once, nobody receives);
     * one denied by the ACL (a deny about the sender as a whole, set before it joined) never receives; an ACL revoke
     * during a stream of messages stops delivery within 1 s while another receiver keeps receiving.
     */
    @Test
    void refusedSendersDeniedReceiversAndALiveRevoke() throws Exception {
        String room = "data-rights";
        ChromiumHarness page = fixture.chromium;
        page.async(HELPERS + "await D.api(args[0], 'POST', '/v1/acl/revocations', { subscriber: 'r-denied', publisher: 'r-src' });"
                + " return 'ok';", devAuth);
        String src = join(page, "r-src", room, DATA);
        join(page, "r-mute", room, List.of("room:join", "data:subscribe"));
        join(page, "r-denied", room, DATA);
        join(page, "r-keep", room, DATA);
        join(page, "r-revoked", room, DATA);

        send(page, "r-mute", "chat", 0, 3, 100, true);
        send(page, "r-src", "chat", 0, 5, 100, true);
        assertThat(ChromiumHarness.await(() -> got(page, "r-revoked", "chat").size() >= 5
                && got(page, "r-keep", "chat").size() >= 5 && errors(page, "r-mute").contains("data_publish_not_allowed"), 20))
                .as("r-src's messages arrive; r-mute is told it was refused: %s", errors(page, "r-mute")).isTrue();
        Thread.sleep(300);
        assertThat(got(page, "r-keep", "chat")).containsExactlyElementsOf(expected("chat", src, 0, 5, 100));
        assertThat(got(page, "r-denied")).as("denied by the ACL: never receives").isEmpty();
        assertThat(errors(page, "r-mute")).containsOnlyOnce("data_publish_not_allowed");
        String audit = Files.readString(fixture.server.dataDir().resolve("audit.log"));
        assertThat(audit.lines().filter(l -> l.contains("\"data.publish\"")).count())
                .as("one audit line for three refused messages").isEqualTo(1);

        // a stream of 20 ms messages; the ACL revoke lands in the middle; measured in the page with one clock
        Object ms = page.async(HELPERS + """
                const keep = D.clients['r-keep'], rev = D.clients['r-revoked'];
                const sending = (async () => { for (let n = 100; n < 250; n++) { await D.send('r-src', 'stream', n, 64, true);
                                                                              await new Promise(r => setTimeout(r, 20)); } })();
                await new Promise(r => setTimeout(r, 1000));
                const t0 = performance.now();
                await D.api(args[0], 'POST', '/v1/acl/revocations', { subscriber: 'r-revoked', publisher: 'r-src' });
                await sending;
                await new Promise(r => setTimeout(r, 500));
                let last = -1;
                rev.got.forEach((g, i) => { if (g.startsWith('stream|')) last = Math.max(last, rev.at[i] - t0); });
                return JSON.stringify({ last, revoked: rev.got.filter(g => g.startsWith('stream|')).length,
                                        keep: keep.got.filter(g => g.startsWith('stream|')).length });
                """, devAuth);
        JsonNode r = JSON.readTree((String) ms);
        System.out.println("data ACL revoke: last message at the revoked receiver " + r.path("last").asDouble()
                + " ms after the API call; revoked got " + r.path("revoked") + ", the other " + r.path("keep") + " of 150");
        assertThat(r.path("keep").asInt()).as("the other receiver keeps receiving everything").isEqualTo(150);
        assertThat(r.path("revoked").asInt()).as("the revoked receiver got the messages before the revoke").isBetween(1, 149);
        assertThat(r.path("last").asDouble()).as("last message after the revoke (ms)").isLessThan(1000.0);
    }
}
