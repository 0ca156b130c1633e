package dev.chorus.signaling.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Builds an SQLite database the way Chorus did before Flyway: the schema scripts up to {@code version} applied by
 * hand and the version kept only in {@code PRAGMA user_version} (no Flyway history table), as in a data dir written
 * by an earlier release.
 */
final class LegacySqliteDataDir {
    private static final List<String> SCRIPTS = List.of("V1__projects_keys_revocations_rooms.sql",
            "V2__live_authorization.sql", "V3__webhooks.sql", "V4__operator_and_api_scopes.sql",
            "V5__audit_anchor_and_same_token.sql");

    private LegacySqliteDataDir() {}

    /** Creates {@code db} at schema {@code version} (1-5) and returns an open connection to it. */
    static Connection create(Path db, int version) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement st = c.createStatement()) {
            for (String script : SCRIPTS.subList(0, version)) {
                for (String statement : read(script).split(";\\s*\\n")) {
                    String sql = statement.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + b + "\n");
                    if (!sql.isBlank()) {
                        st.execute(sql);
                    }
                }
            }
            st.execute("PRAGMA user_version = " + version);
        }
        return c;
    }

    private static String read(String script) {
        try (InputStream in = LegacySqliteDataDir.class.getResourceAsStream("/db/migration/sqlite/" + script)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
