package dev.chorus.signaling.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.RoomState;
import dev.chorus.signaling.project.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    @TempDir
    Path dir;
    private Path db;
    private SqliteStore store;

    @BeforeEach
    void open() {
        db = dir.resolve("data/chorus.db");
        store = SqliteStore.open(db);
        store.createProject(Project.withDefaults("acme", "Acme", T0));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private ProjectKey hsKey(String kid) {
        return ProjectKey.active(kid, "acme", KeyAlgorithm.HS256, new byte[] {1, 2, 3}, T0);
    }

    @Test
    void databaseFilesArePrivateToTheOwner() throws Exception {
        store.insertKey(hsKey("k_1"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rw-------");
        for (String suffix : new String[] {"-wal", "-shm"}) {
            Path p = Path.of(db + suffix);
            if (Files.exists(p)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void anExistingFileIsTightenedTo0600OnOpen() throws Exception {
        store.close();
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        store = SqliteStore.open(db);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rw-------");
    }

    @Test
    void schemaIsVersionedAndANewerDatabaseIsRefused() throws Exception {
        assertThat(store.schemaVersion()).isEqualTo(SqliteStore.SCHEMA_VERSION);
        assertThat(store.integrityCheck()).isEqualTo("ok");
        store.close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + (SqliteStore.SCHEMA_VERSION + 1));
            try (var rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
        }
        assertThatThrownBy(() -> SqliteStore.open(db)).isInstanceOf(StoreException.class)
                .hasMessageContaining("newer");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + SqliteStore.SCHEMA_VERSION);
        }
        store = SqliteStore.open(db);
    }

    @Test
    void projectsRoundTripWithRolesCeilingAndFlags() {
        Project p = Project.withDefaults("globex", "Globex", T0).withMaxTokenTtl(Duration.ofMinutes(10))
                .withScopeCeiling(EnumSet.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE))
                .withRoles(Map.of("viewer", Set.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE)))
                .withHs256JoinTokens(true).withAutoCreateRooms(true).withLimits(7, 3);
        store.createProject(p);
        assertThat(store.project("globex")).contains(p);
        assertThat(store.projects()).extracting(Project::id).containsExactly("acme", "globex");
        assertThatThrownBy(() -> store.createProject(p)).isInstanceOf(StoreException.Conflict.class);
        store.updateProject(p.withHs256JoinTokens(false));
        assertThat(store.project("globex").orElseThrow().hs256JoinTokens()).isFalse();
        assertThatThrownBy(() -> new Project("x", "x", Duration.ofHours(25), 1, 1, Set.of(), Map.of(), false,
                false, T0)).isInstanceOf(IllegalArgumentException.class);
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
        assertThat(hsKey("k_1").toString()).contains("<redacted>").doesNotContain("[1, 2, 3]");
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
        assertThat(store.isTokenRevoked("acme", "jti-1")).isTrue();
        assertThat(store.isTokenRevoked("globex", "jti-1")).isFalse();
        assertThat(store.purgeExpiredRevocations(T0.plusSeconds(50))).isEqualTo(1);
        assertThat(store.isTokenRevoked("acme", "jti-1")).isFalse();
        assertThat(store.isTokenRevoked("acme", "jti-2")).isTrue();

        store.revokeSubject("acme", "u1", T0.plusSeconds(20));
        store.revokeSubject("acme", "u1", T0.plusSeconds(10));
        assertThat(store.subjectWatermark("acme", "u1")).contains(T0.plusSeconds(20));
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
    }

    @Test
    void case27_hostileTextIsStoredVerbatimAndNeverInterpreted() {
        String[] hostile = {"'; DROP TABLE rooms; --", "\" OR 1=1 --", "${jndi:ldap://127.0.0.1/x}", "%s%n%x",
                "<img src=x onerror=alert(1)>", "room\u0000nul", "ro\r\nom"};
        for (String s : hostile) {
            store.createRoom(Room.open("acme", s, T0));
            assertThat(store.room("acme", s).orElseThrow().roomId()).isEqualTo(s);
            store.revokeSubject("acme", s, T0);
            assertThat(store.subjectWatermark("acme", s)).contains(T0);
        }
        assertThat(store.rooms("acme")).hasSize(hostile.length);
        assertThat(store.integrityCheck()).isEqualTo("ok");
    }

    @Test
    void dataSurvivesReopen() {
        store.insertKey(hsKey("k_1"));
        store.createRoom(Room.open("acme", "r1", T0));
        store.close();
        store = SqliteStore.open(db);
        assertThat(store.key("k_1")).isPresent();
        assertThat(store.room("acme", "r1")).isPresent();
    }
}
