package dev.chorus.signaling.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.store.NodeRecord;
import dev.chorus.signaling.store.SqliteStore;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.testing.MutableClock;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Placement rules over the store's node registry and room claims (docs/cluster.md). */
class RoomPlacementTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T10:00:00Z"));
    final Path dir;
    final Store store;

    RoomPlacementTest() throws Exception {
        dir = Files.createTempDirectory("chorus-placement-");
        store = SqliteStore.open(dir.resolve("chorus.db"));
        store.createProject(dev.chorus.signaling.project.Project.withDefaults("acme", "Acme", clock.instant()));
    }

    @AfterEach
    void close() {
        store.close();
    }

    void node(String id, int capacity, int load) {
        store.nodes().register(new NodeRecord(id, URI.create("https://" + id + ".example"), "10.0.0.1:10000",
                capacity, load, clock.instant()));
    }

    RoomPlacement at(String id) {
        return new RoomPlacement(id, store.nodes(), store.roomClaims(), clock, Duration.ofSeconds(8));
    }

    @Test
    void aNewRoomGoesToTheLeastLoadedNodeWhichClaimsItWhenTheParticipantArrives() {
        node("a", 100, 60);
        node("b", 100, 5);
        assertThat(at("a").place("acme", "r1")).isEqualTo(new RoomPlacement.Elsewhere("b", "https://b.example"));
        assertThat(store.roomClaims().owner("acme", "r1")).as("a redirect claims nothing").isEmpty();
        assertThat(at("b").place("acme", "r1")).isEqualTo(new RoomPlacement.Local());
        assertThat(at("a").place("acme", "r1")).isEqualTo(new RoomPlacement.Elsewhere("b", "https://b.example"));
    }

    @Test
    void smallLoadDifferencesKeepTheRoomOnTheNodeAsked() {
        node("a", 100, 8);
        node("b", 100, 0);
        assertThat(at("a").place("acme", "r2")).isEqualTo(new RoomPlacement.Local());
        assertThat(store.roomClaims().owner("acme", "r2").orElseThrow().nodeId()).isEqualTo("a");
    }

    @Test
    void aSilentNodeIsNotChosenAndItsExpiryFreesItsRooms() {
        node("a", 100, 50);
        node("b", 100, 0);
        assertThat(at("b").place("acme", "r3")).isEqualTo(new RoomPlacement.Local());
        clock.advance(Duration.ofSeconds(9)); // b stops heartbeating; a goes on
        store.nodes().heartbeat("a", 50, clock.instant());
        assertThat(store.nodes().expire(clock.instant().minus(Duration.ofSeconds(8)))).containsExactly("b");
        assertThat(at("a").place("acme", "r3")).isEqualTo(new RoomPlacement.Local());
        assertThat(at("a").place("acme", "r4")).isEqualTo(new RoomPlacement.Local());
    }

    @Test
    void releasingTheLastParticipantsRoomMakesItPlaceableAgain() {
        node("a", 100, 0);
        node("b", 100, 0);
        assertThat(at("a").place("acme", "r5")).isEqualTo(new RoomPlacement.Local());
        assertThat(at("b").place("acme", "r5")).isEqualTo(new RoomPlacement.Elsewhere("a", "https://a.example"));
        assertThat(at("b").release("acme", "r5")).as("only the holder releases").isFalse();
        assertThat(at("a").release("acme", "r5")).isTrue();
        assertThat(at("b").place("acme", "r5")).isEqualTo(new RoomPlacement.Local());
    }
}
