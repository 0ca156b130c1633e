package dev.chorus.signaling.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.project.AclEntry;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.RoomState;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ScopeOverride;
import dev.chorus.signaling.store.jdbc.Migrations;
import dev.chorus.signaling.webhook.PendingDelivery;
import dev.chorus.signaling.webhook.WebhookEndpoint;
import dev.chorus.signaling.webhook.WebhookEventType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one contract every {@link Store} keeps, run against SQLite ({@code SqliteStoreContractTest}) and PostgreSQL
 * ({@code PostgresStoreContractTest}). Atomicity checks race two stores opened on the same database (two nodes, two
 * connections), not two threads on one object.
 */
abstract class StoreContract {
    static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");
    private static final int RACE_ROUNDS = 40;

    protected Store store;
    private final List<Store> others = new ArrayList<>();

    /** A fresh, empty, migrated store. */
    protected abstract Store openFresh() throws Exception;

    /** Another store on the same database as the last {@link #openFresh()} (what a second node opens). */
    protected abstract Store openAnother() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = openFresh();
        store.createProject(Project.withDefaults("acme", "Acme", T0));
    }

    @AfterEach
    void closeStores() {
        others.forEach(Store::close);
        store.close();
    }

    private Store secondNode() throws Exception {
        Store s = openAnother();
        others.add(s);
        return s;
    }

    private static ProjectKey hsKey(String kid) {
        return ProjectKey.active(kid, "acme", KeyAlgorithm.HS256, new byte[] {1, 2, 3}, T0);
    }

    @Test
    void isMigratedToTheLatestSchemaAndReachable() {
        assertThat(store.schemaVersion()).isEqualTo(Migrations.LATEST);
        assertThat(store.reachable()).isTrue();
    }

    @Test
    void projectsRoundTripWithRolesCeilingAndFlags() {
        Project p = Project.withDefaults("globex", "Globex", T0.plusSeconds(1)).withMaxTokenTtl(Duration.ofMinutes(10))
                .withScopeCeiling(EnumSet.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE))
                .withRoles(Map.of("viewer", Set.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE)))
                .withHs256JoinTokens(true).withAutoCreateRooms(true).withLimits(7, 3);
        store.createProject(p);
        assertThat(store.project("globex")).contains(p);
        assertThat(store.projects()).extracting(Project::id).containsExactly("acme", "globex");
        assertThatThrownBy(() -> store.createProject(p)).isInstanceOf(StoreException.Conflict.class);
        store.updateProject(p.withHs256JoinTokens(false));
        assertThat(store.project("globex").orElseThrow().hs256JoinTokens()).isFalse();
        assertThatThrownBy(() -> store.updateProject(Project.withDefaults("nope", "x", T0)))
                .isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void deletingAProjectRemovesEverythingItOwnsAndNothingElse() throws Exception {
        store.createProject(Project.withDefaults("globex", "Globex", T0));
        store.insertKey(hsKey("k_1"));
        store.createRoom(Room.open("acme", "r1", T0));
        store.revokeToken("acme", "j", T0.plusSeconds(60));
        store.revokeSubject("acme", "u", T0);
        store.putAclEntry(new AclEntry("acme", "a", "b", "", "", AclEntry.Effect.ALLOW, T0));
        store.putScopeOverride(new ScopeOverride("acme", "r1", "a", Scope.PUBLISH_VIDEO, T0));
        store.putAccessPolicy("acme", new AccessPolicy(false, List.of(), 2, null, false));
        store.webhooks().addEndpoint(endpoint("wh_1", "acme"));
        store.webhooks().enqueue("wh_1", "ev", "{}", T0, 10);
        store.roomClaims().claim("acme", "r1", "node-a", T0);
        store.sessionSlots().acquire("acme", "u", "s1", "node-a", 1);
        store.createRoom(Room.open("globex", "r1", T0));

        store.deleteProject("acme");
        assertThat(store.project("acme")).isEmpty();
        assertThat(store.key("k_1")).isEmpty();
        assertThat(store.room("acme", "r1")).isEmpty();
        assertThat(store.isTokenRevoked("acme", "j")).isFalse();
        assertThat(store.subjectWatermark("acme", "u")).isEmpty();
        assertThat(store.aclEntries("acme")).isEmpty();
        assertThat(store.scopeOverrides("acme", "r1")).isEmpty();
        assertThat(store.accessPolicy("acme")).isEmpty();
        assertThat(store.webhooks().endpoints("acme")).isEmpty();
        assertThat(store.webhooks().pending()).isZero();
        assertThat(store.roomClaims().owner("acme", "r1")).isEmpty();
        assertThat(store.sessionSlots().held("acme", "u")).isZero();
        assertThat(store.room("globex", "r1")).isPresent();
        assertThatThrownBy(() -> store.deleteProject("acme")).isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void keysRoundTripAndTheirStateOnlyMovesForward() {
        store.insertKey(hsKey("k_1"));
        assertThat(store.key("k_1")).contains(hsKey("k_1"));
        assertThatThrownBy(() -> store.insertKey(hsKey("k_1"))).isInstanceOf(StoreException.Conflict.class);
        ProjectKey retiring = store.updateKeyState("k_1", KeyState.RETIRING, T0.plusSeconds(5)).orElseThrow();
        assertThat(retiring.retiredAt()).isEqualTo(T0.plusSeconds(5));
        assertThatThrownBy(() -> store.updateKeyState("k_1", KeyState.ACTIVE, T0))
                .isInstanceOf(StoreException.Conflict.class);
        ProjectKey revoked = store.updateKeyState("k_1", KeyState.REVOKED, T0.plusSeconds(9)).orElseThrow();
        assertThat(revoked.revokedAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(revoked.retiredAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(store.key("k_1").orElseThrow().state()).isEqualTo(KeyState.REVOKED);
        assertThat(store.updateKeyState("k_nope", KeyState.REVOKED, T0)).isEmpty();
        assertThat(store.keys("acme")).extracting(ProjectKey::kid).containsExactly("k_1");
    }

    @Test
    void aKeyOfAnUnknownProjectIsRefusedByTheForeignKey() {
        assertThatThrownBy(() -> store.insertKey(ProjectKey.active("k_x", "nope", KeyAlgorithm.HS256, new byte[1], T0)))
                .isInstanceOf(StoreException.Conflict.class);
    }

    @Test
    void rotationIsAtomic() {
        store.insertKey(hsKey("k_old"));
        store.rotateKey(hsKey("k_new"), "k_old", T0.plusSeconds(1));
        assertThat(store.key("k_old").orElseThrow().state()).isEqualTo(KeyState.RETIRING);
        assertThat(store.key("k_new").orElseThrow().state()).isEqualTo(KeyState.ACTIVE);
        // rotating a retiring key fails and leaves no new key behind
        assertThatThrownBy(() -> store.rotateKey(hsKey("k_newer"), "k_old", T0))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(store.key("k_newer")).isEmpty();
        // a duplicate new kid rolls back the state change too
        assertThatThrownBy(() -> store.rotateKey(hsKey("k_old"), "k_new", T0))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(store.key("k_new").orElseThrow().state()).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void revocationsAreProjectScopedWatermarksOnlyRiseAndExpiredJtisArePurged() {
        store.revokeToken("acme", "jti-1", T0.plusSeconds(10));
        store.revokeToken("acme", "jti-2", T0.plusSeconds(100));
        store.revokeToken("acme", "jti-2", T0.plusSeconds(30)); // an earlier expiry does not shorten the entry
        assertThat(store.isTokenRevoked("acme", "jti-1")).isTrue();
        assertThat(store.isTokenRevoked("globex", "jti-1")).isFalse();
        assertThat(store.purgeExpiredRevocations(T0.plusSeconds(50))).isEqualTo(1);
        assertThat(store.isTokenRevoked("acme", "jti-1")).isFalse();
        assertThat(store.isTokenRevoked("acme", "jti-2")).isTrue();

        store.revokeSubject("acme", "u1", T0.plusSeconds(20));
        store.revokeSubject("acme", "u1", T0.plusSeconds(10));
        assertThat(store.subjectWatermark("acme", "u1")).contains(T0.plusSeconds(20));
        store.revokeSubject("acme", "u1", T0.plusSeconds(25));
        assertThat(store.subjectWatermark("acme", "u1")).contains(T0.plusSeconds(25));
        assertThat(store.subjectWatermark("acme", "u2")).isEmpty();
    }

    @Test
    void roomsAreCreatedOnceClosedOnceAndCounted() {
        assertThat(store.createRoom(Room.open("acme", "r1", T0))).isTrue();
        assertThat(store.createRoom(Room.open("acme", "r1", T0.plusSeconds(1)))).isFalse();
        assertThat(store.createRoom(Room.open("acme", "r2", T0))).isTrue();
        assertThat(store.countOpenRooms("acme")).isEqualTo(2);
        Room closed = store.closeRoom("acme", "r1", T0.plusSeconds(3)).orElseThrow();
        assertThat(closed.state()).isEqualTo(RoomState.CLOSED);
        assertThat(closed.closedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(store.closeRoom("acme", "r1", T0.plusSeconds(9)).orElseThrow().closedAt())
                .isEqualTo(T0.plusSeconds(3));
        assertThat(store.countOpenRooms("acme")).isEqualTo(1);
        assertThat(store.closeRoom("acme", "nope", T0)).isEmpty();
        assertThat(store.rooms("acme")).extracting(Room::roomId).containsExactly("r1", "r2");
    }

    @Test
    void hostileTextIsStoredVerbatimAndNeverInterpreted() {
        String[] hostile = {"'; DROP TABLE rooms; --", "\" OR 1=1 --", "${jndi:ldap://127.0.0.1/x}", "%s%n%x",
                "<img src=x onerror=alert(1)>", "ro\r\nom", "ünï\u202Ecode"};
        for (String s : hostile) {
            store.createRoom(Room.open("acme", s, T0));
            assertThat(store.room("acme", s).orElseThrow().roomId()).isEqualTo(s);
            store.revokeSubject("acme", s, T0);
            assertThat(store.subjectWatermark("acme", s)).contains(T0);
        }
        assertThat(store.rooms("acme")).hasSize(hostile.length);
    }

    @Test
    void aclEntriesReplaceByKeyOverridesAreIdempotentAndPoliciesRoundTrip() {
        store.putAclEntry(new AclEntry("acme", "bob", "alice", "video", "", AclEntry.Effect.ALLOW, T0));
        store.putAclEntry(new AclEntry("acme", "bob", "alice", "video", "", AclEntry.Effect.DENY, T0.plusSeconds(1)));
        store.putAclEntry(new AclEntry("acme", "carol", "alice", "", "", AclEntry.Effect.ALLOW, T0.plusSeconds(2)));
        assertThat(store.aclEntries("acme")).containsExactly(
                new AclEntry("acme", "bob", "alice", "video", "", AclEntry.Effect.DENY, T0.plusSeconds(1)),
                new AclEntry("acme", "carol", "alice", "", "", AclEntry.Effect.ALLOW, T0.plusSeconds(2)));

        ScopeOverride o = new ScopeOverride("acme", "r1", "bob", Scope.PUBLISH_VIDEO, T0);
        store.putScopeOverride(o);
        store.putScopeOverride(new ScopeOverride("acme", "r1", "bob", Scope.PUBLISH_VIDEO, T0.plusSeconds(5)));
        assertThat(store.scopeOverrides("acme", "r1")).containsExactly(o);
        assertThat(store.deleteScopeOverride("acme", "r1", "bob", Scope.PUBLISH_VIDEO)).isTrue();
        assertThat(store.deleteScopeOverride("acme", "r1", "bob", Scope.PUBLISH_VIDEO)).isFalse();

        assertThat(store.accessPolicy("acme")).isEmpty();
        AccessPolicy p = new AccessPolicy(false, List.of("10.0.0.0/8", "2001:db8::/32"), 3, "08:00-18:00", true, true);
        store.putAccessPolicy("acme", p);
        assertThat(store.accessPolicy("acme")).contains(p);
        store.putAccessPolicy("acme", AccessPolicy.DEFAULT);
        assertThat(store.accessPolicy("acme")).contains(AccessPolicy.DEFAULT);
    }

    @Test
    void theOperatorCredentialIsASingletonAndEachAuditChainHasItsOwnHead() {
        assertThat(store.operatorCredential()).isEmpty();
        OperatorCredential first = OperatorCredential.create("a-long-enough-operator-secret", T0);
        store.putOperatorCredential(first);
        OperatorCredential second = OperatorCredential.create("another-long-operator-secret", T0.plusSeconds(1));
        store.putOperatorCredential(second);
        assertThat(store.operatorCredential()).contains(second);

        assertThat(store.auditHead()).isEmpty();
        store.putAuditHead(new AuditHead(1, "h1"), T0);
        store.putAuditHead(new AuditHead(2, "h2"), T0);
        assertThat(store.auditHead()).contains(new AuditHead(2, "h2"));
        // each node anchors its own chain
        store.putAuditHead("node-b", new AuditHead(7, "b7"), T0);
        assertThat(store.auditHead("node-b")).contains(new AuditHead(7, "b7"));
        assertThat(store.auditHead()).contains(new AuditHead(2, "h2"));
        assertThat(store.auditHead("node-c")).isEmpty();
    }

    @Test
    void theWebhookOutboxQueuesInOrderBoundedPerEndpoint() {
        store.webhooks().addEndpoint(endpoint("wh_1", "acme"));
        assertThat(store.webhooks().endpoint("wh_1")).map(WebhookEndpoint::url)
                .contains(URI.create("https://hooks.example/x"));
        assertThat(store.webhooks().enqueue("wh_1", "e1", "{\"n\":1}", T0, 2)).isTrue();
        assertThat(store.webhooks().enqueue("wh_1", "e2", "{\"n\":2}", T0, 2)).isTrue();
        assertThat(store.webhooks().enqueue("wh_1", "e3", "{\"n\":3}", T0, 2)).isFalse();
        assertThat(store.webhooks().pending()).isEqualTo(2);
        List<PendingDelivery> due = store.webhooks().dueHeads(T0);
        assertThat(due).extracting(PendingDelivery::eventId).containsExactly("e1");
        store.webhooks().retryLater(due.getFirst().seq(), 1, T0.plusSeconds(10));
        assertThat(store.webhooks().dueHeads(T0.plusSeconds(5))).isEmpty();
        PendingDelivery again = store.webhooks().dueHeads(T0.plusSeconds(10)).getFirst();
        assertThat(again.attempts()).isEqualTo(1);
        store.webhooks().delivered(again.seq());
        assertThat(store.webhooks().dueHeads(T0.plusSeconds(10))).extracting(PendingDelivery::eventId)
                .containsExactly("e2");
        assertThat(store.webhooks().removeEndpoint("globex", "wh_1")).isFalse();
        assertThat(store.webhooks().removeEndpoint("acme", "wh_1")).isTrue();
        assertThat(store.webhooks().pending()).isZero();
    }

    // ---------------------------------------------------------------- cluster state

    @Test
    void nodesRegisterHeartbeatAreListedLeastLoadedFirstAndExpireFreeingWhatTheyHeld() {
        NodeRegistry nodes = store.nodes();
        nodes.register(node("node-a", 100, 80, T0));
        nodes.register(node("node-b", 100, 10, T0));
        nodes.register(node("node-c", 100, 50, T0.minusSeconds(30)));
        assertThat(nodes.heartbeat("node-a", 20, T0.plusSeconds(1))).isTrue();
        assertThat(nodes.heartbeat("node-x", 1, T0)).isFalse();
        assertThat(nodes.node("node-a").orElseThrow().load()).isEqualTo(20);
        assertThat(nodes.liveNodes(T0.minusSeconds(10))).extracting(NodeRecord::nodeId)
                .containsExactly("node-b", "node-a");
        store.roomClaims().claim("acme", "r1", "node-c", T0);
        store.sessionSlots().acquire("acme", "u", "s1", "node-c", 1);

        assertThat(nodes.expire(T0.minusSeconds(10))).containsExactly("node-c");
        assertThat(nodes.nodes()).extracting(NodeRecord::nodeId).containsExactly("node-a", "node-b");
        assertThat(store.roomClaims().owner("acme", "r1")).isEmpty();
        assertThat(store.sessionSlots().held("acme", "u")).isZero();
        assertThat(store.roomClaims().claim("acme", "r1", "node-b", T0).nodeId()).isEqualTo("node-b");

        assertThat(nodes.deregister("node-b")).isTrue();
        assertThat(nodes.deregister("node-b")).isFalse();
        assertThat(store.roomClaims().owner("acme", "r1")).isEmpty();
        nodes.register(node("node-a", 50, 0, T0.plusSeconds(2))); // re-registering replaces the record
        assertThat(nodes.node("node-a").orElseThrow().capacity()).isEqualTo(50);
    }

    @Test
    void aRoomIsClaimedByOneNodeAndReleasedOnlyByIt() {
        RoomClaim a = store.roomClaims().claim("acme", "r1", "node-a", T0);
        assertThat(a).isEqualTo(new RoomClaim("acme", "r1", "node-a", T0));
        assertThat(store.roomClaims().claim("acme", "r1", "node-b", T0.plusSeconds(1))).isEqualTo(a);
        assertThat(store.roomClaims().claim("acme", "r1", "node-a", T0.plusSeconds(2))).isEqualTo(a);
        assertThat(store.roomClaims().release("acme", "r1", "node-b")).isFalse();
        assertThat(store.roomClaims().claimsOf("node-a")).containsExactly(a);
        assertThat(store.roomClaims().release("acme", "r1", "node-a")).isTrue();
        assertThat(store.roomClaims().claim("acme", "r1", "node-b", T0.plusSeconds(3)).nodeId()).isEqualTo("node-b");
    }

    @Test
    void twoNodesClaimingOneRoomAtTheSameInstantAgreeOnOneWinner() throws Exception {
        Store nodeB = secondNode();
        for (int round = 0; round < RACE_ROUNDS; round++) {
            String room = "race-" + round;
            List<RoomClaim> seen = race(() -> store.roomClaims().claim("acme", room, "node-a", T0),
                    () -> nodeB.roomClaims().claim("acme", room, "node-b", T0));
            assertThat(seen.get(0)).as("round %d", round).isEqualTo(seen.get(1));
            assertThat(store.roomClaims().owner("acme", room)).contains(seen.get(0));
        }
    }

    @Test
    void sessionSlotsHoldTheLimitAndAreIdempotentPerSession() {
        SessionSlots slots = store.sessionSlots();
        assertThat(slots.acquire("acme", "u1", "s1", "node-a", 2)).isTrue();
        assertThat(slots.acquire("acme", "u1", "s1", "node-a", 2)).isTrue();
        assertThat(slots.acquire("acme", "u1", "s2", "node-b", 2)).isTrue();
        assertThat(slots.acquire("acme", "u1", "s3", "node-b", 2)).isFalse();
        assertThat(slots.acquire("acme", "u2", "s3", "node-b", 2)).isTrue();
        assertThat(slots.held("acme", "u1")).isEqualTo(2);
        assertThat(slots.release("acme", "u1", "s1")).isTrue();
        assertThat(slots.release("acme", "u1", "s1")).isFalse();
        assertThat(slots.acquire("acme", "u1", "s3", "node-b", 2)).isTrue();
        assertThat(slots.acquire("acme", "u9", "s9", "node-b", 0)).isFalse();
    }

    @Test
    void twoNodesAdmittingOneTokenAtTheSameInstantNeverHoldTwoSlotsOfOne() throws Exception {
        Store nodeB = secondNode();
        for (int round = 0; round < RACE_ROUNDS; round++) {
            String key = "jti-" + round;
            List<Boolean> won = race(() -> store.sessionSlots().acquire("acme", key, "sa", "node-a", 1),
                    () -> nodeB.sessionSlots().acquire("acme", key, "sb", "node-b", 1));
            assertThat(won).as("round %d", round).containsExactlyInAnyOrder(true, false);
            assertThat(store.sessionSlots().held("acme", key)).isEqualTo(1);
        }
    }

    /** Runs both calls at the same instant (a barrier) on two threads; bounded by a timeout. */
    private static <T> List<T> race(Callable<T> first, Callable<T> second) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<T> a = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return first.call();
            });
            Future<T> b = pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return second.call();
            });
            return List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private static NodeRecord node(String id, int capacity, int load, Instant at) {
        return new NodeRecord(id, URI.create("https://" + id + ".example:8443"), "127.0.0.1:40000", capacity, load, at);
    }

    private static WebhookEndpoint endpoint(String id, String projectId) {
        return new WebhookEndpoint(id, projectId, URI.create("https://hooks.example/x"), new byte[] {9, 9},
                Set.of(WebhookEventType.ROOM_STARTED), T0);
    }

    // ---- audit: each node its own chain, anchored in the shared store under its node id (docs/cluster.md "Audit")

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path auditDirs;

    /** Node {@code id}'s audit log in its own data dir, anchored in {@code anchorStore} under its id. */
    private dev.chorus.signaling.audit.AuditLog nodeAudit(String id, Store anchorStore) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(auditDirs.resolve(id));
        java.time.Clock clock = java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC);
        return dev.chorus.signaling.audit.AuditLog.open(dir.resolve("audit.log"), clock,
                dev.chorus.signaling.audit.AuditAnchor.in(anchorStore, clock, id));
    }

    private static void appendEvents(dev.chorus.signaling.audit.AuditLog log, String node, int n) {
        for (int i = 0; i < n; i++) {
            log.append(dev.chorus.signaling.audit.AuditEvent.success("acme", "op", "127.0.0.1", "room.create",
                    "room:" + node + "-" + i, Map.of()));
        }
    }

    @Test
    void eachNodeKeepsItsOwnAuditChainAndVerifyNamesTheNodeAndTheLineThatBroke() throws Exception {
        Store b = secondNode();
        java.nio.file.Path fileA;
        java.nio.file.Path fileB;
        // the two nodes append at the same time, each under its own lock and into its own file
        try (var logA = nodeAudit("node-a", store); var logB = nodeAudit("node-b", b)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> fa = pool.submit(() -> appendEvents(logA, "a", 30));
                Future<?> fb = pool.submit(() -> appendEvents(logB, "b", 20));
                fa.get(30, TimeUnit.SECONDS);
                fb.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            fileA = logA.file();
            fileB = logB.file();
        }
        // each chain's head is anchored under its node id, the one store holds both
        assertThat(store.auditHeads()).containsOnlyKeys("node-a", "node-b");
        assertThat(store.auditHead("node-a").orElseThrow().lastId()).isEqualTo(30);
        assertThat(b.auditHead("node-b").orElseThrow().lastId()).isEqualTo(20);

        Map<String, java.nio.file.Path> files = Map.of("node-a", fileA, "node-b", fileB);
        var intact = dev.chorus.signaling.audit.ClusterAuditVerifier.verify(files, store);
        assertThat(intact).allMatch(r -> r.intact(), "every chain intact");
        assertThat(intact).extracting(r -> r.node()).containsExactly("node-a", "node-b");

        // node-b's third line edited: node-b, line 3; node-a untouched
        List<String> linesB = java.nio.file.Files.readAllLines(fileB);
        linesB.set(2, linesB.get(2).replace("room:b-2", "room:b-X"));
        java.nio.file.Files.write(fileB, linesB);
        var edited = dev.chorus.signaling.audit.ClusterAuditVerifier.verify(files, store);
        assertThat(edited.get(0).intact()).isTrue();
        assertThat(edited.get(1).intact()).isFalse();
        assertThat(edited.get(1).verification().firstBrokenLine()).isEqualTo(3);
        assertThat(edited.get(1).describe()).startsWith("node-b: BROKEN at line 3");

        // node-a's last line deleted: the anchor in the store catches the cut
        List<String> linesA = java.nio.file.Files.readAllLines(fileA);
        java.nio.file.Files.write(fileA, linesA.subList(0, linesA.size() - 1));
        var cut = dev.chorus.signaling.audit.ClusterAuditVerifier.verify(files, store);
        assertThat(cut.get(0).describe()).startsWith("node-a: BROKEN").contains("anchored head is id 30");

        // a node's whole log missing: reported, not silently skipped
        var missing = dev.chorus.signaling.audit.ClusterAuditVerifier.verify(Map.of("node-a", fileA), store);
        assertThat(missing.get(1).intact()).isFalse();
        assertThat(missing.get(1).describe()).startsWith("node-b: NOT VERIFIED");
    }

    @Test
    void aProjectsWholeDenyListAndWatermarksAreReadInOneCallEachAsAnotherNodeWroteThem() throws Exception {
        Store other = secondNode();
        other.revokeToken("acme", "jti-1", T0.plusSeconds(600));
        other.revokeToken("acme", "jti-2", T0.plusSeconds(600));
        other.revokeSubject("acme", "alice", T0);
        other.revokeSubject("acme", "alice", T0.minusSeconds(60)); // only moves forward
        assertThat(store.revokedTokens("acme")).containsExactlyInAnyOrder("jti-1", "jti-2");
        assertThat(store.subjectWatermarks("acme")).containsExactly(Map.entry("alice", T0));
        assertThat(store.revokedTokens("globex")).isEmpty();
        assertThat(store.subjectWatermarks("globex")).isEmpty();
    }
}
