package dev.chorus.signaling.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Instant;
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
