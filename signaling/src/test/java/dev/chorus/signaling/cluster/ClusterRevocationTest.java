package dev.chorus.signaling.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.cluster.ClusterNodes.Node;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live authorization across nodes over a real bus (Redis pub/sub or PostgreSQL LISTEN/NOTIFY, one subclass each) (docs/cluster.md): a revocation or ACL change made through
 * node A reaches the session held by node C and takes effect there within 1 s (a few trials per kind here; p99 over 50 in {@code chorus bench cluster}), and a
 * revocation made while the bus is down is still enforced, through the store resync, and nothing is lost after.
 */
abstract class ClusterRevocationTest {
    /** A few per kind in the suite; the Must-show 50 with their p99 are {@code chorus bench cluster}. */
    static final int TRIALS = 8;
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

    long closeLatency(WsTestClient onC, Runnable change) {
        long t0 = System.nanoTime();
        change.run();
        WsTestClient.Closed closed = onC.awaitClose(10);
        assertThat(closed.code()).isEqualTo(WsCloseCodes.REVOKED);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    @Test
    void revocationsThroughNodeAEndSessionsOnNodeCWithinOneSecond() throws Exception {
        List<ClusterTrials.Latencies> kinds = ClusterTrials.revocations(cluster, TRIALS, kind());
        for (ClusterTrials.Latencies l : kinds) {
            System.out.printf("cluster: %s change A→C over %s: %s%n", l.kind(), kind(), l);
            assertThat(l.p99()).as(l.toString()).isLessThanOrEqualTo(1000);
        }
        assertThat(cluster.node(2).link().relay().received()).isGreaterThanOrEqualTo(3L * TRIALS);
    }

    @Test
    void anAclChangeThroughNodeARestrictsTheSubscriberOnNodeCWithinOneSecond() throws Exception {
        ClusterTrials.Latencies acl = ClusterTrials.aclChanges(cluster, TRIALS);
        System.out.printf("cluster: acl change A→C over %s: %s%n", kind(), acl);
        assertThat(acl.p99()).as(acl.toString()).isLessThanOrEqualTo(1000);
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

}
