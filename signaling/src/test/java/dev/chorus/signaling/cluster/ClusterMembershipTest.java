package dev.chorus.signaling.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.store.NodeRecord;
import dev.chorus.signaling.store.NodeRegistry;
import dev.chorus.signaling.store.SqliteStore;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.StoreException;
import dev.chorus.signaling.testing.MutableClock;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats and expiry of the node registry (docs/cluster.md, "Failure behaviour"), over a real SQLite registry
 * whose reachability the test switches: what each node's heartbeat round does when the shared database was down.
 */
class ClusterMembershipTest {
    static final Duration TIMEOUT = Duration.ofSeconds(8);

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T10:00:00Z"));
    final Path dir;
    final Store store;
    /** The shared database as every node sees it: when down, every call fails as the JDBC store's do. */
    final Reachable shared;

    ClusterMembershipTest() throws Exception {
        dir = Files.createTempDirectory("chorus-membership-");
        store = SqliteStore.open(dir.resolve("chorus.db"));
        shared = new Reachable(store.nodes());
    }

    @AfterEach
    void close() {
        store.close();
    }

    ClusterMembership node(String id) {
        ClusterMembership m = new ClusterMembership(shared, id, URI.create("https://" + id + ".example"),
                "127.0.0.1:10000", 100, () -> 0, clock, TIMEOUT);
        store.nodes().register(new NodeRecord(id, URI.create("https://" + id + ".example"), "127.0.0.1:10000", 100, 0,
                clock.instant()));
        return m;
    }

    @Test
    void aDatabaseOutageLongerThanTheTimeoutExpiresNoLiveNode() {
        ClusterMembership a = node("a");
        ClusterMembership b = node("b");
        shared.down = true;
        for (int i = 0; i < 10; i++) { // 20 s of failing heartbeats on both nodes
            clock.advance(Duration.ofSeconds(2));
            a.beat();
            b.beat();
        }
        shared.down = false;
        clock.advance(Duration.ofMillis(100));
        a.beat(); // a reaches the store first: b's last heartbeat is 20 s old, but b is alive
        assertThat(names()).as("a expires no one right after the outage").containsExactlyInAnyOrder("a", "b");
        clock.advance(Duration.ofMillis(100));
        b.beat();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(2));
            a.beat();
            b.beat();
        }
        assertThat(names()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aNodeThatDiedDuringTheOutageIsExpiredOneTimeoutAfterItEnds() {
        ClusterMembership a = node("a");
        node("b"); // b dies with the outage: it never beats again
        shared.down = true;
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(2));
            a.beat();
        }
        shared.down = false;
        clock.advance(Duration.ofSeconds(2));
        a.beat();
        assertThat(names()).contains("b");
        clock.advance(TIMEOUT);
        a.beat();
        assertThat(names()).as("expired one timeout after the outage").containsExactly("a");
    }

    @Test
    void withoutAnOutageASilentNodeIsExpiredAfterTheTimeout() {
        ClusterMembership a = node("a");
        node("b");
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(2));
            a.beat();
        }
        assertThat(names()).containsExactlyInAnyOrder("a", "b");
        clock.advance(Duration.ofSeconds(2));
        a.beat();
        assertThat(names()).containsExactly("a");
    }

    List<String> names() {
        return store.nodes().nodes().stream().map(NodeRecord::nodeId).toList();
    }

    /** The real registry, behind a switch that makes every call fail like an unreachable database. */
    static final class Reachable implements NodeRegistry {
        final NodeRegistry real;
        volatile boolean down;

        Reachable(NodeRegistry real) {
            this.real = real;
        }

        private void check() {
            if (down) throw new StoreException.Unavailable("the database is unreachable (test)", null);
        }

        @Override public void register(NodeRecord node) { check(); real.register(node); }
        @Override public boolean heartbeat(String nodeId, int load, Instant at) { check(); return real.heartbeat(nodeId, load, at); }
        @Override public Optional<NodeRecord> node(String nodeId) { check(); return real.node(nodeId); }
        @Override public List<NodeRecord> nodes() { check(); return real.nodes(); }
        @Override public List<NodeRecord> liveNodes(Instant since) { check(); return real.liveNodes(since); }
        @Override public boolean deregister(String nodeId) { check(); return real.deregister(nodeId); }
        @Override public List<String> expire(Instant heartbeatBefore) { check(); return real.expire(heartbeatBefore); }
    }
}
