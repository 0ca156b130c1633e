package dev.chorus.signaling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.common.testing.ThrowawayRedis;
import dev.chorus.signaling.auth.JoinTokenVerifier;
import dev.chorus.signaling.auth.JwtWriter;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.auth.TokenRefusedException;
import dev.chorus.signaling.auth.VerificationCache;
import dev.chorus.signaling.cluster.ClusterNodes.Node;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.testing.ControlFixture;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verification cache of a cluster node (docs/cluster.md "Verification cache") over a real Redis bus: once warm a
 * verification reads nothing from the store; a revocation made through node A still refuses on node C within 1 s
 * (the bus drops C's cached entry); while the bus is down C reads through to the store, so a revocation made during
 * the outage refuses at once, and stays refused after the bus is back (the cache is dropped on reconnect).
 */
class VerificationCacheClusterTest {
    ThrowawayRedis redis;
    ClusterNodes cluster;

    @BeforeEach
    void start() throws Exception {
        redis = ThrowawayRedis.start();
        cluster = new ClusterNodes(3, () -> new RedisClusterBus(redis.uri(), ControlFixture.AUDIENCE),
                Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
        if (redis != null) redis.close();
    }

    ObjectNode claims(String identity) {
        ObjectNode c = cluster.fx.claims();
        c.put("sub", identity);
        c.put("scope", "room:join media:subscribe");
        return c;
    }

    /** A new active ES256 key of the fixture's project, and a token of {@code identity} signed with it. */
    String tokenOfNewKey(String kid, String identity) {
        if (cluster.store.key(kid).isEmpty()) {
            cluster.store.insertKey(ProjectKey.active(kid, ControlFixture.PROJECT, KeyAlgorithm.ES256,
                    cluster.fx.es.getPublic().getEncoded(), ControlFixture.START));
        }
        return JwtWriter.sign(ControlFixture.header("ES256", kid), claims(identity), cluster.fx.esSigner());
    }

    /**
     * Milliseconds from {@code t0} until {@code verifier} refuses {@code token} (polled every 5 ms, at most 5 s), or
     * -1. The tests start the clock when A's API call returns (the revocation is durable and published): under a
     * loaded machine the TLS request and the audit fsync on A take seconds by themselves (ClusterRevocationTest and
     * {@code chorus bench cluster} time the whole path).
     */
    static long refusedAfter(JoinTokenVerifier verifier, String token, long t0) throws InterruptedException {
        while (System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos()) {
            try {
                verifier.verify(token, ControlFixture.ROOM);
            } catch (TokenRefusedException e) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(5);
        }
        return -1;
    }

    @Test
    void aWarmVerificationReadsNothingAndARevocationThroughAStillRefusesOnCWithinOneSecond() throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        JoinTokenVerifier onC = c.control().verifier();
        VerificationCache cache = onC.cache();
        ClusterRevocationTest.awaitBus(c, true);

        String kid = KeyMaterial.newKid();
        ObjectNode jtiClaims = claims("user-jti");
        String byJti = cluster.fx.es256(jtiClaims);
        String bySubject = cluster.fx.es256(claims("user-sub"));
        String byKey = tokenOfNewKey(kid, "user-key");
        for (String t : new String[] {byJti, bySubject, byKey}) onC.verify(t, ControlFixture.ROOM); // warm
        long reads = cache.storeReads();
        for (int i = 0; i < 20; i++) {
            onC.verify(byJti, ControlFixture.ROOM);
            onC.verify(byKey, ControlFixture.ROOM);
        }
        assertThat(cache.storeReads()).as("store reads of 40 warm verifications").isEqualTo(reads);

        ClusterTrials.ok(cluster.post(a, "/v1/revocations/tokens", "{\"jti\":\"" + jtiClaims.get("jti").asText() + "\"}"));
        long t0 = System.nanoTime();
        long jti = refusedAfter(onC, byJti, t0);
        ClusterTrials.ok(cluster.post(a, "/v1/revocations/subjects", "{\"subject\":\"user-sub\"}"));
        t0 = System.nanoTime();
        long subject = refusedAfter(onC, bySubject, t0);
        ClusterTrials.ok(cluster.post(a, "/v1/keys/" + kid + "/revoke", "{}"));
        t0 = System.nanoTime();
        long key = refusedAfter(onC, byKey, t0);
        System.out.printf("cluster: cached verification on C refuses after a revocation through A returned: jti %d ms, "
                + "subject %d ms, key %d ms%n", jti, subject, key);
        assertThat(jti).isBetween(0L, 1000L);
        assertThat(subject).isBetween(0L, 1000L);
        assertThat(key).isBetween(0L, 1000L);
    }

    @Test
    void whileTheBusIsDownVerificationReadsThroughAndARevocationDuringTheOutageStaysEnforcedAfter() throws Exception {
        Node a = cluster.node(0);
        Node c = cluster.node(2);
        JoinTokenVerifier onC = c.control().verifier();
        ClusterRevocationTest.awaitBus(c, true);
        String kid = KeyMaterial.newKid();
        String byKey = tokenOfNewKey(kid, "user-outage");
        ObjectNode jtiClaims = claims("user-outage-jti");
        String byJti = cluster.fx.es256(jtiClaims);
        onC.verify(byKey, ControlFixture.ROOM); // cached on C
        onC.verify(byJti, ControlFixture.ROOM);

        redis.stop();
        ClusterRevocationTest.awaitBus(c, false);
        long reads = onC.cache().storeReads();
        onC.verify(byJti, ControlFixture.ROOM);
        assertThat(onC.cache().storeReads()).as("read through while the bus is down").isGreaterThan(reads);

        ClusterTrials.ok(cluster.post(a, "/v1/keys/" + kid + "/revoke", "{}")); // A cannot publish it
        long t0 = System.nanoTime();
        long key = refusedAfter(onC, byKey, t0);
        ClusterTrials.ok(cluster.post(a, "/v1/revocations/tokens", "{\"jti\":\"" + jtiClaims.get("jti").asText() + "\"}"));
        t0 = System.nanoTime();
        long jti = refusedAfter(onC, byJti, t0);
        System.out.printf("cluster: during a bus outage C refuses (after A's call returned) a revoked key after %d ms, a revoked jti after %d ms%n",
                key, jti);
        assertThat(key).isBetween(0L, 1000L);
        assertThat(jti).isBetween(0L, 1000L);

        redis.startAgain();
        ClusterRevocationTest.awaitBus(c, true);
        assertThatThrownBy(() -> onC.verify(byKey, ControlFixture.ROOM)).isInstanceOf(TokenRefusedException.class);
        assertThatThrownBy(() -> onC.verify(byJti, ControlFixture.ROOM)).isInstanceOf(TokenRefusedException.class);
        // and caching again: a fresh token verifies with no store read once warm
        String fresh = cluster.fx.es256(claims("user-after"));
        onC.verify(fresh, ControlFixture.ROOM);
        long warm = onC.cache().storeReads();
        onC.verify(fresh, ControlFixture.ROOM);
        assertThat(onC.cache().storeReads()).isEqualTo(warm);
    }
}
