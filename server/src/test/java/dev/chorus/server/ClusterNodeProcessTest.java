package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.common.testing.ThrowawayPostgres;
import dev.chorus.common.testing.ThrowawayRedis;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 with real node processes (docs/cluster.md): three Chorus servers, each its own JVM started from the
 * three-node example of docs/cluster.md, share one real PostgreSQL (the store) and one real Redis (the bus). A
 * token minted through node A admits on node C; a room started through node B is joined through node A by
 * redirect and the two real Chromium participants (the SDK) decode each other's video; then node B, which holds
 * the room, is killed with SIGKILL: its room is placeable again within 10 s and both participants are back in a
 * call on a surviving node by themselves (the SDK's rejoin with {@code getToken}, starting from its entry URLs).
 *
 * <p>One set of nodes serves the ordered cases (three JVMs on two cores are slow to start).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterNodeProcessTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROOM = "cluster-call";
    /** Page helpers: two SDK clients in one page, each with its entry URL and the deployment's other nodes. */
    static final String HELPERS = CallBrowserTest.HELPERS + """
            if (!T.joinVia) {
              // starts the join and returns at once: the test polls rec.joined / rec.error (a loaded machine is slow)
              T.joinVia = (name, room, url, urls) => {
                const rec = { events: [], at: [], joined: null, error: null };
                T.clients[name] = rec;
                const getToken = () => T.token(room, name);
                (async () => {
                  rec.step = 'token';
                  const c = new T.Chorus({ url, urls, token: await getToken(), room, getToken });
                  rec.c = c;
                  for (const type of ['redirected', 'reconnecting', 'reconnected', 'disconnected', 'closed']) {
                    c.on(type, d => { rec.events.push(type + (d && d.url ? ' ' + d.url : ''));
                                      rec.at.push(type + ' @' + Math.round(performance.now())); });
                  }
                  rec.step = 'join';
                  const joining = c._join(); // what Chorus.connect does, with rec.c set before (for a report)
                  for (const t of ['open', 'error', 'close']) {
                    c._ws.addEventListener(t, e => rec.events.push('ws ' + t + (e.code ? ' ' + e.code : '')));
                  }
                  await joining;
                  rec.step = 'publish';
                  await c.publish({ audio: true, video: true });
                  rec.joined = c.participantId;
                })().catch(e => { rec.error = String(e && e.code || e); });
                return 'started';
              };
              T.frames = async (name) => {
                const st = await T.clients[name].c.stats();
                return st.inbound.filter(s => s.kind === 'video').reduce((n, s) => n + (s.framesDecoded || 0), 0);
              };
            }
            """;

    static Path dir;
    static ThrowawayPostgres pg;
    static ThrowawayRedis redis;
    static final List<ClusterNodeProcess> nodes = new ArrayList<>();
    static ClusterNodeProcess a;
    static ClusterNodeProcess b;
    static ClusterNodeProcess c;
    static ChromiumHarness chromium;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        ChromiumHarness.require();
        dir = Files.createTempDirectory("chorus-cluster-procs-");
        pg = ThrowawayPostgres.start();
        redis = ThrowawayRedis.start();
        Path config = Files.writeString(dir.resolve("node.yaml"), documentedNodeConfig());
        // what the example leaves to each deployment: hosts, ports, ids; and loopback media per node
        Map<String, String> env = Map.ofEntries(
                Map.entry("CHORUS_STORE_URL", pg.jdbcUrl()),
                Map.entry("CHORUS_STORE_USER", pg.user()),
                Map.entry("CHORUS_STORE_PASSWORD_FILE", pg.passwordFile().toString()),
                Map.entry("CHORUS_CLUSTER_BUS_URL", redis.uri()),
                Map.entry("CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1"),
                Map.entry("CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "127.0.0.1"),
                Map.entry("CHORUS_MEDIA_UDP_PORT", "0"),
                Map.entry("CHORUS_MEDIA_WORKERS", "1"),
                Map.entry("CHORUS_MEDIA_EMPTY_ROOM_GRACE", "2s"));
        // node A first: it bootstraps the dev project into the empty shared store; B and C find it there
        a = start("node-a", config, env);
        a.awaitStarted();
        b = start("node-b", config, env);
        c = start("node-c", config, env);
        b.awaitStarted();
        c.awaitStarted();
        // the app's page, on A's origin: not Chorus's demo page, whose Content-Security-Policy lets it open a
        // WebSocket to its own node only (connect-src 'self'), so it could not follow a redirect to another node
        chromium = ChromiumHarness.browse(a.url() + "/sdk/chorus.js");
        assertThat(chromium.async(HELPERS + "return 'ok';")).isEqualTo("ok");
    }

    /** B and C allow the page's origin (node A's) on their WebSocket, as the example's allowedOrigins says. */
    private static ClusterNodeProcess start(String id, Path config, Map<String, String> env) throws Exception {
        Map<String, String> e = new java.util.HashMap<>(env);
        if (a != null) e.put("CHORUS_WS_ALLOWED_ORIGINS", a.url());
        ClusterNodeProcess n = ClusterNodeProcess.start(id, dir, config, e, a == null ? null : a.dataDir);
        nodes.add(n);
        return n;
    }

    @AfterAll
    static void stopAll() throws Exception {
        try {
            if (chromium != null) chromium.close();
        } finally {
            for (ClusterNodeProcess n : nodes) n.close();
            if (redis != null) redis.close();
            if (pg != null) pg.close();
            if (dir != null) {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    @Order(1)
    void aTokenMintedThroughNodeAAdmitsOnNodeC() throws Exception {
        String kid = group(a.output(), "API key id\\s+(\\S+)");
        String secret = Files.readString(a.dataDir.resolve("dev-api-secret.txt"), StandardCharsets.US_ASCII).strip();
        HttpClient http = HttpClient.newBuilder().sslContext(TestTls.trusting(a.dataDir.resolve("tls/cert.pem")))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> minted = http.send(HttpRequest.newBuilder(URI.create(a.url() + "/v1/tokens"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (kid + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"minted-on-a\",\"identity\":\"carol\","
                        + "\"scopes\":[\"room:join\",\"media:subscribe\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        String token = JSON.readTree(minted.body()).get("token").asText();

        try (WsTestClient ws = WsTestClient.connect(TestTls.trusting(c.dataDir.resolve("tls/cert.pem")), c.port)
                .join("minted-on-a", token)) {
            JsonNode joined = ws.next("joined");
            assertThat(joined.path("participantId").asText()).startsWith("p_");
            assertThat(claimHolder("minted-on-a")).as("the room is hosted where the token was admitted")
                    .isEqualTo("node-c");
        }
    }

    @Test
    @Order(2)
    void aRoomStartedThroughBIsJoinedThroughAByRedirectAndBothDecodeEachOther() throws Exception {
        List<String> all = List.of(a.url(), b.url(), c.url());
        join("bea", b.url(), all);
        assertThat(claimHolder(ROOM)).as("a room started through B lives on B").isEqualTo("node-b");

        join("abe", a.url(), all);
        assertThat(events("abe")).as("joined through A by redirect").contains("redirected " + b.url());
        assertThat(wsUrl("abe")).contains(":" + b.port + "/");

        assertThat(bothDecodeEachOther(40)).as("both decode each other's video through node B; frames bea="
                + frames("bea") + " abe=" + frames("abe")).isTrue();
    }

    @Test
    @Order(3)
    void killingTheRoomsNodeFreesTheRoomWithinTenSecondsAndTheSdkRejoinsOnASurvivingNode() throws Exception {
        assertThat(claimHolder(ROOM)).isEqualTo("node-b");
        assertThat(bothDecodeEachOther(20)).as("the call runs before the kill").isTrue();

        Object pageClockAtKill = chromium.eval("return Math.round(performance.now());");
        long killedAt = System.nanoTime();
        b.kill();
        double placeable = -1;
        double back = -1;
        long end = killedAt + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < end && (placeable < 0 || back < 0)) {
            if (placeable < 0 && !nodeRegistered("node-b") && !"node-b".equals(claimHolder(ROOM))) {
                placeable = secondsSince(killedAt); // the node's expiry removes it and its claims in one transaction
            }
            if (back < 0 && events("bea").contains("reconnected") && events("abe").contains("reconnected")
                    && decodingNow("bea") && decodingNow("abe")) {
                back = secondsSince(killedAt);
            }
            Thread.sleep(100);
        }
        String holder = claimHolder(ROOM);
        System.out.printf("cluster node kill -9: room placeable again after %.2f s; both SDK participants back in the"
                        + " call on %s (decoding each other) after %.2f s; events bea=%s abe=%s; page clock at the"
                        + " kill %s ms, events at %s / %s%n", placeable, holder, back, events("bea"), events("abe"),
                pageClockAtKill, chromium.eval("return T.clients.bea.at;"), chromium.eval("return T.clients.abe.at;"));
        assertThat(placeable).as("seconds until the dead node and its room claims were removed")
                .isBetween(0.0, 10.0);
        assertThat(back).as("seconds until both participants were back in a call by themselves; events bea="
                + events("bea") + " abe=" + events("abe") + nodeProblems()).isPositive();
        assertThat(holder).as("the room lives on a surviving node").isIn("node-a", "node-c");
        String port = ":" + (holder.equals("node-a") ? a.port : c.port) + "/";
        assertThat(wsUrl("bea")).contains(port);
        assertThat(wsUrl("abe")).contains(port);
        assertThat(bothDecodeEachOther(20)).as("media flows both ways again").isTrue();
    }

    /**
     * Issue 17: the shared database stopped for 20 s in the middle of the call (now on a surviving node). New joins
     * are refused at the upgrade with 503 and readiness is false, but the live call's media keeps flowing both ways
     * throughout (the media plane never reads the store), and everything comes back without a restart. Last, since
     * nodes whose heartbeats the outage held back may expire each other's claims when the database returns.
     */
    @Test
    @Order(4)
    void aDatabaseOutageRefusesJoinsWith503WhileTheLiveCallsMediaKeepsFlowing() throws Exception {
        assertThat(bothDecodeEachOther(20)).as("the call runs before the outage").isTrue();
        HttpClient http = HttpClient.newBuilder().sslContext(TestTls.trusting(a.dataDir.resolve("tls/cert.pem")))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        pg.stop();
        long down = System.nanoTime();
        try {
            assertThat(ChromiumHarness.await(() -> status(http, a.url() + "/readyz") == 503, 10))
                    .as("node A's readiness turns false").isTrue();
            assertThat(upgradeStatus(http, a)).as("a new join is refused at the upgrade").isEqualTo(503);
            int checks = 0;
            while (System.nanoTime() - down < TimeUnit.SECONDS.toNanos(20)) {
                assertThat(decodingNow("bea") && decodingNow("abe")).as("both still decode each other "
                        + secondsSince(down) + " s into the outage; frames bea=" + frames("bea") + " abe="
                        + frames("abe")).isTrue();
                checks++;
                Thread.sleep(1_000);
            }
            assertThat(checks).isGreaterThanOrEqualTo(5);
        } finally {
            pg.startAgain();
        }
        assertThat(ChromiumHarness.await(() -> status(http, a.url() + "/readyz") == 200
                && status(http, c.url() + "/readyz") == 200, 20)).as("readiness back without a restart").isTrue();
        assertThat(bothDecodeEachOther(20)).as("the call goes on after the outage").isTrue();
    }

    /**
     * Issue 17's audit across nodes, as an operator runs it: once the nodes are stopped (B was killed in the middle
     * of the call), {@code chorus audit verify} on node A's host, given the other nodes' files with {@code --node},
     * verifies every node's chain against the head the shared store anchors for it; an edited line in node B's file
     * is then reported with the node and the line, and the command fails.
     */
    @Test
    @Order(5)
    void auditVerifyChecksEveryNodesChainAgainstTheSharedStoreAndNamesTheNodeThatWasEdited() throws Exception {
        a.close();
        c.close();
        String[] others = {"--node", "node-b=" + b.dataDir.resolve("audit.log"),
                "--node", "node-c=" + c.dataDir.resolve("audit.log")};

        ClusterNodeProcess.CliResult intact = a.cli(concat(new String[] {"audit", "verify"}, others));
        System.out.println("cluster audit verify:\n" + intact.output());
        assertThat(intact.output()).contains("node-a: OK", "node-b: OK", "node-c: OK",
                "OK: every node's chain intact (3 nodes)");
        assertThat(intact.code()).isZero();

        Path bLog = b.dataDir.resolve("audit.log");
        List<String> lines = new ArrayList<>(Files.readAllLines(bLog));
        assertThat(lines).as("node B wrote its own chain while it held the room").isNotEmpty();
        lines.set(0, lines.get(0).replaceFirst("\"time\":\"2", "\"time\":\"1"));
        Files.write(bLog, lines);

        ClusterNodeProcess.CliResult edited = a.cli(concat(new String[] {"audit", "verify"}, others));
        System.out.println("cluster audit verify after editing node-b's first line:\n" + edited.output());
        assertThat(edited.output()).contains("node-a: OK", "node-b: BROKEN at line 1", "node-c: OK",
                "BROKEN: see the nodes above");
        assertThat(edited.code()).isEqualTo(Main.FAILURE);
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** The HTTP status of a GET, or -1 when the request fails. */
    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The HTTP status a WebSocket upgrade to {@code n}'s {@code /v1/ws} is answered with (101 when it succeeds). */
    private static int upgradeStatus(HttpClient http, ClusterNodeProcess n) throws Exception {
        try {
            java.net.http.WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(n.url().replace("https://", "wss://") + "/v1/ws"),
                            new java.net.http.WebSocket.Listener() { }).get(15, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) return h.getResponse().statusCode();
            throw e;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Joins {@code name} to {@link #ROOM} through {@code url} (the SDK also knows {@code urls}) and publishes. */
    private static void join(String name, String url, List<String> urls) throws Exception {
        chromium.async(HELPERS + "return T.joinVia(args[0], args[1], args[2], args[3]);", name, ROOM, url, urls);
        boolean settled = ChromiumHarness.await(() -> chromium.eval("const r = T.clients[arguments[0]];"
                + " return r.joined !== null || r.error !== null;", name) == Boolean.TRUE, 60);
        Object joined = chromium.eval("return T.clients[arguments[0]].joined;", name);
        assertThat(String.valueOf(joined)).as(name + " joined through " + url + " and published (settled=" + settled
                + ", state " + clientState(name) + ")" + nodeProblems()).startsWith("p_");
    }

    /** Where a client's join stands, for a failure message. */
    private static Object clientState(String name) {
        return chromium.eval("const r = T.clients[arguments[0]]; const c = r.c; return JSON.stringify({step: r.step,"
                + " error: r.error, events: r.events, ws: c && c._wsUrl, wsState: c && c._ws && c._ws.readyState,"
                + " pid: c && c.participantId, pub: c && c.publisher && (c.publisher.connectionState + '/'"
                + " + c.publisher.iceConnectionState + '/' + c.publisher.signalingState)});", name);
    }

    /** The WARN/ERROR lines of every node's log, for a failure message. */
    private static String nodeProblems() {
        StringBuilder sb = new StringBuilder();
        for (ClusterNodeProcess n : nodes) {
            try {
                Path audit = n.dataDir.resolve("audit.log");
                if (Files.exists(audit)) {
                    Files.readAllLines(audit).stream().filter(l -> l.contains("refus") || l.contains("error"))
                            .forEach(l -> sb.append('\n').append(n.nodeId).append(" audit: ").append(l));
                }
                n.output().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("event=join")
                        || l.contains("event=ws"))
                        .forEach(l -> sb.append('\n').append(n.nodeId).append(": ").append(l));
            } catch (java.io.IOException e) {
                sb.append('\n').append(n.nodeId).append(": ").append(e);
            }
        }
        return sb.toString();
    }

    /** The YAML example of docs/cluster.md's "Configuration (three nodes)" (the block marked for this test). */
    static String documentedNodeConfig() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "cluster.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<!-- cluster-test: node-config -->\\s*\\n```yaml\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).as("docs/cluster.md has the node-config block").isTrue();
        return m.group(1);
    }

    /** Both participants decode video and their decoded frame counts grow (media both ways right now). */
    private static boolean bothDecodeEachOther(long seconds) throws InterruptedException {
        return ChromiumHarness.await(() -> decodingNow("bea") && decodingNow("abe"), seconds);
    }

    /** True if {@code name}'s decoded video frames grow over 300 ms. */
    private static boolean decodingNow(String name) {
        try {
            long before = frames(name);
            if (before <= 0) return false;
            Thread.sleep(300);
            return frames(name) > before;
        } catch (Exception e) {
            return false;
        }
    }

    private static long frames(String name) {
        try {
            return ((Number) chromium.async("return await T.frames(args[0]);", name)).longValue();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> events(String name) {
        return new ArrayList<>((List<String>) chromium.eval("return T.clients[arguments[0]].events.slice();", name));
    }

    private static String wsUrl(String name) {
        return String.valueOf(chromium.eval("return T.clients[arguments[0]].c._wsUrl;", name));
    }

    private static String claimHolder(String room) throws Exception {
        try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             PreparedStatement q = db.prepareStatement("SELECT node_id FROM room_claims WHERE room_id = ?")) {
            q.setString(1, room);
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private static boolean nodeRegistered(String nodeId) throws Exception {
        try (Connection db = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
             PreparedStatement q = db.prepareStatement("SELECT count(*) FROM nodes WHERE node_id = ?")) {
            q.setString(1, nodeId);
            try (ResultSet r = q.executeQuery()) {
                return r.next() && r.getLong(1) > 0;
            }
        }
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in\n" + text).isTrue();
        return m.group(1);
    }
}
