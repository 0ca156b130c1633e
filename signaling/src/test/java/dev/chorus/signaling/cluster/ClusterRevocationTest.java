package dev.chorus.signaling.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.auth.JwtWriter;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.cluster.ClusterNodes.Node;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live authorization across nodes over a real bus (Redis pub/sub or PostgreSQL LISTEN/NOTIFY, one subclass each) (docs/cluster.md): a revocation or ACL change made through
 * node A reaches the session held by node C and takes effect there within 1 s (p99 over 50 trials per kind), and a
 * revocation made while the bus is down is still enforced, through the store resync, and nothing is lost after.
 */
abstract class ClusterRevocationTest {
    static final int TRIALS = 50;
    ClusterNodes cluster;

    /** Starts the bus's server and returns how each node connects to it. */
    abstract Supplier<ClusterBus> startBusServer() throws Exception;

    /** Kills the bus's server (as in a crash) and brings it back on the same port. */
    abstract void stopBusServer();

    abstract void startBusServerAgain();

    abstract void closeBusServer();

    abstract String kind();

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterNodes(3, startBusServer(), Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
        closeBusServer();
    }

    ObjectNode claims(String identity) {
        ObjectNode c = cluster.fx.claims();
        c.put("sub", identity);
        c.put("scope", "room:join media:subscribe");
        return c;
    }

    /**
     * Milliseconds from sending the change to node A until node C's client sees its session close. Samples over
     * 500 ms are printed with how much of them the API call on A took (store write, audit fsync, publish).
     */
    long closeLatency(WsTestClient onC, Runnable change) {
        long t0 = System.nanoTime();
        change.run();
        long api = (System.nanoTime() - t0) / 1_000_000;
        WsTestClient.Closed closed = onC.awaitClose(10);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(closed.code()).isEqualTo(WsCloseCodes.REVOKED);
        if (ms > 500) System.out.printf("cluster: slow sample over %s: %d ms, of which the API call on A %d ms%n",
                kind(), ms, api);
        return ms;
    }

    void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    @Test
    void revocationsThroughNodeAEndSessionsOnNodeCWithinOneSecond() throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        List<Long> jti = new ArrayList<>();
        List<Long> subject = new ArrayList<>();
        List<Long> key = new ArrayList<>();
        // one unmeasured round first: the backend's first TLS connection to A and class loading on every node
        WsTestClient warm = cluster.join(c, cluster.fx.es256(claims("user-warm")));
        cluster.post(a, "/v1/revocations/subjects", "{\"subject\":\"user-warm\"}");
        warm.awaitClose(10);
        for (int i = 0; i < TRIALS; i++) {
            ObjectNode t = claims("user-j" + i);
            WsTestClient s = cluster.join(c, cluster.fx.es256(t));
            jti.add(closeLatency(s, () -> call(() -> cluster.post(a, "/v1/revocations/tokens",
                    "{\"jti\":\"" + t.get("jti").asText() + "\"}"))));

            String sub = "user-s" + i;
            WsTestClient s2 = cluster.join(c, cluster.fx.es256(claims(sub)));
            subject.add(closeLatency(s2, () -> call(() -> cluster.post(a, "/v1/revocations/subjects",
                    "{\"subject\":\"" + sub + "\"}"))));

            String kid = KeyMaterial.newKid();
            cluster.fx.store.insertKey(ProjectKey.active(kid, ControlFixture.PROJECT, KeyAlgorithm.ES256,
                    cluster.fx.es.getPublic().getEncoded(), ControlFixture.START));
            WsTestClient s3 = cluster.join(c, JwtWriter.sign(ControlFixture.header("ES256", kid),
                    claims("user-k" + i), cluster.fx.esSigner()));
            key.add(closeLatency(s3, () -> call(() -> cluster.post(a, "/v1/keys/" + kid + "/revoke", "{}"))));
        }
        report("jti", jti);
        report("subject", subject);
        report("key", key);
        assertThat(p99(jti)).isLessThanOrEqualTo(1000);
        assertThat(p99(subject)).isLessThanOrEqualTo(1000);
        assertThat(p99(key)).isLessThanOrEqualTo(1000);
        assertThat(cluster.node(2).link().relay().received()).isGreaterThanOrEqualTo(3L * TRIALS);
    }

    @Test
    void anAclChangeThroughNodeARestrictsTheSubscriberOnNodeCWithinOneSecond() throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        List<Long> acl = new ArrayList<>();
        WsTestClient s = cluster.join(c, cluster.fx.es256(claims("viewer-1")));
        for (int i = 0; i < TRIALS; i++) {
            String path = i % 2 == 0 ? "/v1/acl/grants" : "/v1/acl/revocations";
            long t0 = System.nanoTime();
            ok(cluster.post(a, path, "{\"subscriber\":\"viewer-1\",\"publisher\":\"host-" + i + "\"}"));
            JsonNode changed = s.next("permissionsChanged");
            acl.add((System.nanoTime() - t0) / 1_000_000);
            assertThat(changed.path("reason").asText()).isEqualTo("acl");
        }
        report("acl", acl);
        assertThat(p99(acl)).isLessThanOrEqualTo(1000);
    }

    @Test
    void aRevocationDuringABusOutageIsEnforcedByTheResyncAndTheBusWorksAgainAfter() throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        ObjectNode t = claims("user-outage");
        WsTestClient s = cluster.join(c, cluster.fx.es256(t));
        stopBusServer();
        awaitBus(c, false);
        long ms = closeLatency(s, () -> call(() -> cluster.post(a, "/v1/revocations/tokens",
                "{\"jti\":\"" + t.get("jti").asText() + "\"}")));
        System.out.printf("cluster: revocation during a %s bus outage enforced after %d ms (resync every 500 ms)%n",
                kind(), ms);
        assertThat(ms).isLessThanOrEqualTo(2000);
        assertThat(a.link().relay().publishFailed()).isGreaterThanOrEqualTo(1);

        startBusServerAgain();
        awaitBus(c, true);
        awaitBus(a, true);
        ObjectNode t2 = claims("user-after");
        WsTestClient s2 = cluster.join(c, cluster.fx.es256(t2));
        long received = c.link().relay().received();
        closeLatency(s2, () -> call(() -> cluster.post(a, "/v1/revocations/tokens",
                "{\"jti\":\"" + t2.get("jti").asText() + "\"}")));
        assertThat(c.link().relay().received()).as("delivered by the bus again, not the resync")
                .isGreaterThan(received);
    }

    static void awaitBus(Node n, boolean up) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (n.link().bus().connected() != up && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(n.link().bus().connected()).as(n.id() + " bus connected").isEqualTo(up);
    }

    interface Call {
        HttpResponse<String> run() throws Exception;
    }

    void call(Call c) {
        try {
            ok(c.run());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long p99(List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
    }

    void report(String what, List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("cluster: %s change A→C over %s: n=%d p50=%d ms p99=%d ms max=%d ms%n", what, kind(),
                sorted.size(), sorted.get(sorted.size() / 2), p99(sorted), sorted.getLast());
    }
}
