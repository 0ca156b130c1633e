package dev.chorus.signaling.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.auth.JwtWriter;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.cluster.ClusterNodes.Node;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's Must-show trials (docs/cluster.md), one implementation for the suite (a few trials,
 * {@code ClusterPlacementTest}, {@code ClusterRevocationTest}) and for {@code chorus bench cluster} (50 revocation
 * trials per kind with their p99, 100 simultaneous admissions; docs/benchmarks.md). Every wait is bounded.
 */
public final class ClusterTrials {
    static final ObjectMapper JSON = new ObjectMapper();

    private ClusterTrials() {}

    /** Milliseconds per trial of one kind of change, with its percentiles. */
    public record Latencies(String kind, List<Long> ms) {
        public long p50() { return sorted().get(ms.size() / 2); }

        public long p99() { return sorted().get((int) Math.ceil(0.99 * ms.size()) - 1); }

        public long max() { return sorted().getLast(); }

        private List<Long> sorted() {
            List<Long> s = new ArrayList<>(ms);
            Collections.sort(s);
            return s;
        }

        @Override
        public String toString() {
            return String.format("%s: n=%d p50=%d ms p99=%d ms max=%d ms", kind, ms.size(), p50(), p99(), max());
        }
    }

    /** Outcomes of trials racing two joins: how many ended with no, one or two sessions. */
    public record Race(int trials, int none, int one, int two) {
        @Override
        public String toString() {
            return String.format("%d trials: %d with one session, %d with two, %d with none", trials, one, two, none);
        }
    }

    static ObjectNode claims(ClusterNodes cluster, String identity, String room) {
        ObjectNode c = cluster.fx.claims();
        c.put("sub", identity);
        if (room != null) c.put("room", room);
        c.put("scope", "room:join media:subscribe");
        return c;
    }

    /**
     * Revocations of a jti, a subject and a key made through node A, each timed until node C's session closes with
     * 4004, after one unmeasured warm-up round (the backend's first TLS connection, class loading).
     */
    public static List<Latencies> revocations(ClusterNodes cluster, int trials, String bus) throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        List<Long> jti = new ArrayList<>();
        List<Long> subject = new ArrayList<>();
        List<Long> key = new ArrayList<>();
        WsTestClient warm = cluster.join(c, cluster.fx.es256(claims(cluster, "user-warm", null)));
        ok(cluster.post(a, "/v1/revocations/subjects", "{\"subject\":\"user-warm\"}"));
        warm.awaitClose(10);
        for (int i = 0; i < trials; i++) {
            ObjectNode t = claims(cluster, "user-j" + i, null);
            WsTestClient s = cluster.join(c, cluster.fx.es256(t));
            jti.add(closeLatency(s, bus, () -> cluster.post(a, "/v1/revocations/tokens",
                    "{\"jti\":\"" + t.get("jti").asText() + "\"}")));

            String sub = "user-s" + i;
            WsTestClient s2 = cluster.join(c, cluster.fx.es256(claims(cluster, sub, null)));
            subject.add(closeLatency(s2, bus, () -> cluster.post(a, "/v1/revocations/subjects",
                    "{\"subject\":\"" + sub + "\"}")));

            String kid = KeyMaterial.newKid();
            cluster.store.insertKey(ProjectKey.active(kid, ControlFixture.PROJECT, KeyAlgorithm.ES256,
                    cluster.fx.es.getPublic().getEncoded(), ControlFixture.START));
            WsTestClient s3 = cluster.join(c, JwtWriter.sign(ControlFixture.header("ES256", kid),
                    claims(cluster, "user-k" + i, null), cluster.fx.esSigner()));
            key.add(closeLatency(s3, bus, () -> cluster.post(a, "/v1/keys/" + kid + "/revoke", "{}")));
        }
        return List.of(new Latencies("jti", jti), new Latencies("subject", subject), new Latencies("key", key));
    }

    /** ACL grants and revocations through A, each timed until C's subscriber sees {@code permissionsChanged}. */
    public static Latencies aclChanges(ClusterNodes cluster, int trials) throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        List<Long> acl = new ArrayList<>();
        WsTestClient s = cluster.join(c, cluster.fx.es256(claims(cluster, "viewer-1", null)));
        for (int i = 0; i < trials; i++) {
            String path = i % 2 == 0 ? "/v1/acl/grants" : "/v1/acl/revocations";
            long t0 = System.nanoTime();
            ok(cluster.post(a, path, "{\"subscriber\":\"viewer-1\",\"publisher\":\"host-" + i + "\"}"));
            JsonNode changed = s.next("permissionsChanged");
            acl.add((System.nanoTime() - t0) / 1_000_000);
            if (!changed.path("reason").asText().equals("acl")) throw new AssertionError(changed.toString());
        }
        s.close();
        return new Latencies("acl", acl);
    }

    interface Call {
        HttpResponse<String> run() throws Exception;
    }

    /**
     * Milliseconds from sending the change to node A until node C's client sees its session close with 4004.
     * Samples over 500 ms are printed with how much of them the API call on A took (store write, audit fsync).
     */
    static long closeLatency(WsTestClient onC, String bus, Call change) throws Exception {
        long t0 = System.nanoTime();
        ok(change.run());
        long api = (System.nanoTime() - t0) / 1_000_000;
        WsTestClient.Closed closed = onC.awaitClose(10);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (closed.code() != WsCloseCodes.REVOKED) throw new AssertionError("closed with " + closed);
        if (ms > 500) System.out.printf("cluster: slow sample over %s: %d ms, of which the API call on A %d ms%n",
                bus, ms, api);
        return ms;
    }

    static void ok(HttpResponse<String> r) {
        if (r.statusCode() < 200 || r.statusCode() > 299) throw new AssertionError(r.statusCode() + " " + r.body());
    }

    /**
     * {@code maxSessions = 1} for one identity, two tokens of it joined at nodes A and C at the same instant, each
     * for a room its node hosts (so no redirect decides the race): never two sessions.
     */
    public static Race maxSessionsRace(ClusterNodes cluster, int trials) throws Exception {
        AccessPolicy before = cluster.store.accessPolicy(ControlFixture.PROJECT).orElse(AccessPolicy.DEFAULT);
        cluster.store.putAccessPolicy(ControlFixture.PROJECT, new AccessPolicy(false, List.of(), 1, null, false, false));
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        // rooms hosted by A and by C stay claimed by these anchors for the whole run
        String onA = openRoom(cluster, "max-sessions-on-a");
        String onC = openRoom(cluster, "max-sessions-on-c");
        WsTestClient anchorA = cluster.join(a, onA, cluster.fx.es256(claims(cluster, "anchor-a", onA)));
        WsTestClient anchorC = cluster.join(c, onC, cluster.fx.es256(claims(cluster, "anchor-c", onC)));
        try {
            return race(trials, i -> {
                String who = "racer-" + i;
                return new Pair(new Attempt(a, onA, cluster.fx.es256(claims(cluster, who, onA))),
                        new Attempt(c, onC, cluster.fx.es256(claims(cluster, who, onC))));
            }, cluster);
        } finally {
            anchorA.close();
            anchorC.close();
            cluster.store.putAccessPolicy(ControlFixture.PROJECT, before); // later cases keep their own limits
        }
    }

    /** One token joined at nodes A and C at the same instant, for a room nobody holds yet: never two sessions. */
    public static Race oneTokenRace(ClusterNodes cluster, int trials) throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        return race(trials, i -> {
            String room = openRoom(cluster, "one-token-race-" + i); // open, unclaimed: both nodes place it too
            String t = cluster.fx.es256(claims(cluster, "same-token-" + i, room));
            return new Pair(new Attempt(a, room, t), new Attempt(c, room, t));
        }, cluster);
    }

    static String openRoom(ClusterNodes cluster, String name) {
        if (cluster.store.room(ControlFixture.PROJECT, name).isEmpty()) {
            cluster.store.createRoom(Room.open(ControlFixture.PROJECT, name, ControlFixture.START));
        }
        return name;
    }

    record Attempt(Node node, String room, String token) {}

    record Pair(Attempt first, Attempt second) {}

    interface Trial {
        Pair make(int i) throws Exception;
    }

    /**
     * Both clients are connected first; then two threads send their joins when one latch opens, so the joins reach
     * the two nodes together (not one after the other's answer). A client counts as a session when its first
     * message is {@code joined}.
     */
    private static Race race(int trials, Trial trial, ClusterNodes cluster) throws Exception {
        int none = 0;
        int one = 0;
        int two = 0;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < trials; i++) {
                Pair p = trial.make(i);
                WsTestClient ca = cluster.connect(p.first().node());
                WsTestClient cc = cluster.connect(p.second().node());
                try {
                    CountDownLatch go = new CountDownLatch(1);
                    Future<Boolean> fa = pool.submit(() -> joinedAfter(go, ca, p.first()));
                    Future<Boolean> fc = pool.submit(() -> joinedAfter(go, cc, p.second()));
                    go.countDown();
                    int joined = (fa.get(20, TimeUnit.SECONDS) ? 1 : 0) + (fc.get(20, TimeUnit.SECONDS) ? 1 : 0);
                    if (joined == 0) none++;
                    else if (joined == 1) one++;
                    else two++;
                } finally {
                    ca.close();
                    cc.close();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Race(trials, none, one, two);
    }

    private static boolean joinedAfter(CountDownLatch go, WsTestClient client, Attempt at) throws Exception {
        go.await(10, TimeUnit.SECONDS);
        client.join(at.room(), at.token());
        String first = client.nextOrClosed(10);
        return first != null && "joined".equals(JSON.readTree(first).path("type").asText());
    }
}
